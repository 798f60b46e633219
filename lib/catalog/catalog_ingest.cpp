// Ingest (model.md §3): full snapshots and merges, the tag history, in one transaction per Writer.
//
// Rows stream through a temporary table, so memory does not grow with a listing; the changes
// to the current state and to the history are then applied as set-based SQL.
#include <SQLiteCpp/Transaction.h>

#include <exception>
#include <functional>
#include <set>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"
#include "catalog_manifests.hpp"
#include "tag_columns.hpp"

namespace rspcat {

namespace {

using SQLite::Database;
using SQLite::Statement;

struct Repository {
    std::int64_t id = 0;
    std::int64_t last_batch = 0;
    bool created = false;  // by this ingest
};

Repository ensure_repository(Database& db, const RepositoryName& name) {
    Statement insert(db, "INSERT INTO repositories (registry, repository) VALUES (?, ?) "
                         "ON CONFLICT (registry, repository) DO NOTHING");
    SQLite::bind(insert, name.registry, name.repository);
    const bool created = insert.exec() > 0;
    Statement select(db, "SELECT id, last_batch FROM repositories WHERE registry = ? AND repository = ?");
    SQLite::bind(select, name.registry, name.repository);
    select.executeStep();
    return {select.getColumn(0).getInt64(), select.getColumn(1).getInt64(), created};
}

// Writes a tag's parse into `tags`, inserting it or replacing an earlier parse.
class TagWriter {
   public:
    // `snapshot_id`: the snapshot whose undo journal keeps each parse this rewrites.
    TagWriter(Database& db, std::int64_t repository_id, std::int64_t snapshot_id)
        : repository_id_(repository_id),
          snapshot_id_(snapshot_id),
          find_(db, std::string("SELECT id FROM tags WHERE repository_id = :repository_id AND tag = :tag AND ") +
                        detail::TagColumns::equal_to_parameters()),
          upsert_(db, std::string("INSERT INTO tags (repository_id, tag, ") + detail::TagColumns::column_list() +
                          ") VALUES (:repository_id, :tag, " + detail::TagColumns::parameter_list() +
                          ") ON CONFLICT (repository_id, tag) DO UPDATE SET " + detail::TagColumns::assignments() +
                          " RETURNING id"),
          journal_(db, std::string("INSERT INTO undo_tags (snapshot_id, tag_id, ") + detail::TagColumns::column_list() +
                           ") SELECT ?, id, " + detail::TagColumns::column_list() +
                           " FROM tags WHERE repository_id = ? AND tag = ? ON CONFLICT DO NOTHING") {
        detail::TagColumns::check_parameters(find_, 3);
        detail::TagColumns::check_parameters(upsert_, 3);
    }

    // The id of `tag`, parsing and inserting it when the repository has not had it before. A
    // stored row whose derived columns are not this build's parse of the tag (an older rspcat's,
    // or changed by hand) is rewritten: nothing is ever built on a wrong parse.
    std::int64_t id_of(const std::string& tag, bool is_alias) {
        const detail::TagColumns derived = detail::TagColumns::derive(tag, is_alias);
        // Compared in SQL: reading the stored values back costs more than binding them.
        find_.reset();
        find_.bind(1, static_cast<std::int64_t>(repository_id_));  // :repository_id
        find_.bind(2, tag);                                         // :tag
        derived.bind(find_, 3);
        if (find_.executeStep()) return find_.getColumn(0).getInt64();
        return write(tag, derived);
    }

    std::int64_t write(const std::string& text, bool is_alias) {
        return write(text, detail::TagColumns::derive(text, is_alias));
    }

   private:
    std::int64_t write(const std::string& text, const detail::TagColumns& columns) {
        // The parse as it was before this snapshot (its first rewrite in it), if the tag had one.
        journal_.reset();
        SQLite::bind(journal_, snapshot_id_, repository_id_, text);
        journal_.exec();
        Statement& s = upsert_;
        s.reset();
        s.clearBindings();
        s.bind(1, static_cast<std::int64_t>(repository_id_));  // :repository_id
        s.bind(2, text);  // :tag, as listed: the parse's `latest` for '' is not the registry's tag
        columns.bind(s, 3);
        s.executeStep();
        return s.getColumn(0).getInt64();
    }

    std::int64_t repository_id_;
    std::int64_t snapshot_id_;
    Statement find_;
    Statement upsert_;
    Statement journal_;
};

// Remembers the spec's alias tags and re-parses tags already known that just became aliases.
// Returns the repository's whole alias set.
// `added`: the alias tags that were not alias tags before.
std::set<std::string> update_alias_tags(Database& db, std::int64_t repository_id,
                                        const std::vector<std::string>& aliases, TagWriter& tags,
                                        std::set<std::string>& added) {
    Statement insert(db, "INSERT INTO alias_tags (repository_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING");
    for (const auto& alias : aliases) {
        insert.reset();
        SQLite::bind(insert, repository_id, alias);
        if (insert.exec() > 0) added.insert(alias);
    }
    std::set<std::string> all;
    Statement select(db, "SELECT tag FROM alias_tags WHERE repository_id = ?");
    select.bind(1, static_cast<std::int64_t>(repository_id));
    while (select.executeStep()) all.insert(select.getColumn(0).getString());

    Statement stale(db, "SELECT t.tag FROM tags t JOIN alias_tags a ON a.repository_id = t.repository_id "
                        "AND a.tag = t.tag WHERE t.repository_id = ? AND t.parse = 'grammar'");
    stale.bind(1, static_cast<std::int64_t>(repository_id));
    std::vector<std::string> reparse;
    while (stale.executeStep()) reparse.push_back(stale.getColumn(0).getString());
    for (const auto& tag : reparse) tags.write(tag, true);
    return all;
}

std::int64_t count(Database& db, const char* sql, std::int64_t repository_id) {
    Statement s(db, sql);
    s.bind(":repository", static_cast<std::int64_t>(repository_id));
    s.executeStep();
    return s.getColumn(0).getInt64();
}


// Named parameters used by the ingest statements; a statement binds those it names, and NULL
// for any it names that is not set.
struct Params {
    std::optional<std::int64_t> repository{}, snapshot{}, tag_id{}, batch{}, size{};
    std::optional<std::string> at{}, digest{};
};

void bind_params(Statement& s, const Params& p) {
    s.reset();
    s.clearBindings();
    auto bind_int = [&](const char* name, const std::optional<std::int64_t>& v) {
        if (const int i = s.getIndex(name); i > 0 && v) s.bind(i, *v);
    };
    auto bind_text = [&](const char* name, const std::optional<std::string>& v) {
        if (const int i = s.getIndex(name); i > 0 && v) s.bind(i, *v);
    };
    bind_int(":repository", p.repository);
    bind_int(":snapshot", p.snapshot);
    bind_int(":tag_id", p.tag_id);
    bind_int(":batch", p.batch);
    bind_int(":size", p.size);
    bind_text(":at", p.at);
    bind_text(":digest", p.digest);
}

// Runs a statement and returns how many rows it changed.
std::int64_t run(Database& db, const char* sql, const Params& params) {
    Statement s(db, sql);
    bind_params(s, params);
    return s.exec();
}

// The next batch for a full snapshot. When every current image is from the last batch (no merges
// since the last full snapshot) that batch is reused: order only matters relative to merges, and
// rows that did not change then need no write.
std::int64_t full_snapshot_batch(Database& db, const Repository& repository) {
    const std::int64_t others = count(db,
                                      "SELECT count(*) FROM images WHERE repository_id = :repository "
                                      "AND batch <> (SELECT last_batch FROM repositories WHERE id = :repository)",
                                      repository.id);
    return (others == 0 && repository.last_batch > 0) ? repository.last_batch : repository.last_batch + 1;
}

void stage_rows(Database& db, const IngestSpec& spec, const RowSource& rows, TagWriter& tags,
                const std::set<std::string>& aliases, IngestSummary& summary) {
    // `position`: in the listing; `group_position`: among the rows of the same digest (below).
    db.exec("CREATE TEMP TABLE IF NOT EXISTS ingest_rows (position INTEGER PRIMARY KEY, "
            "tag_id INTEGER NOT NULL UNIQUE, digest TEXT NOT NULL, size INTEGER, line INTEGER NOT NULL, "
            "group_position INTEGER)");
    db.exec("DELETE FROM temp.ingest_rows");
    // `size` last: it may be NULL, which SQLite::bind() cannot bind.
    Statement insert(db, "INSERT INTO temp.ingest_rows (position, tag_id, digest, line, size) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (tag_id) DO NOTHING");
    Statement first_line(db, "SELECT line FROM temp.ingest_rows WHERE tag_id = ?");
    while (auto row = rows()) {
        const std::int64_t tag_id = tags.id_of(row->tag, aliases.count(row->tag) > 0);
        insert.reset();
        SQLite::bind(insert, summary.rows, tag_id, row->digest, static_cast<std::int64_t>(row->line));
        bind_optional(insert, 5, row->size);
        if (insert.exec() == 0) {
            first_line.reset();
            first_line.bind(1, static_cast<std::int64_t>(tag_id));
            first_line.executeStep();
            throw InputError(spec.source + ":" + std::to_string(row->line) + ": tag '" + row->tag +
                             "' is listed twice in one snapshot (first on line " +
                             std::to_string(first_line.getColumn(0).getInt64()) + ")");
        }
        ++summary.rows;
    }
    // What the catalog stores as a current image's position. Resolution compares positions only
    // within a digest group (SPEC 3: the primary is the first listed of its batch), so the order
    // within each group is all it needs. Numbered that way, a tag pushed into the middle of a
    // sorted listing moves no other tag's position, and the ingest writes what changed. History
    // rows keep the listing position, as before: they are written once, when a tag is opened,
    // and catalogs from before schema 5 hold listing positions there.
    db.exec(R"sql(
UPDATE temp.ingest_rows AS r SET group_position = g.n
FROM (SELECT position, row_number() OVER (PARTITION BY digest ORDER BY position) AS n FROM temp.ingest_rows) g
WHERE g.position = r.position)sql");
}

// The counts come from the history rows that the snapshot closes and opens, never from
// `images` (which a hand edit may have made disagree with them): a closed row whose tag is not
// in the listing was removed, one whose tag is was moved, and an opened row that is not a move
// was added.
void apply_full_snapshot(Database& db, const Repository& repository, std::int64_t snapshot_id,
                         const std::string& at, IngestSummary& summary) {
    const std::int64_t id = repository.id;
    const std::int64_t batch = full_snapshot_batch(db, repository);

    // The undo journal: the rows that the statements below delete or rewrite, as they are, and
    // (all NULL) the tags that get a row. Conditions as in the DELETE and the UPSERT. A row whose
    // digest and size stay keeps only its position (and its batch, if that changes): a tag
    // inserted into a sorted listing moves every tag after it, week after week.
    run(db, R"sql(
INSERT INTO undo_images (snapshot_id, tag_id, digest, size, batch, position)
SELECT :snapshot, i.tag_id, CASE WHEN whole THEN i.digest END, CASE WHEN whole THEN i.size END,
       CASE WHEN whole OR i.batch IS NOT :batch THEN i.batch END, i.position
FROM (SELECT i.*, s.tag_id IS NULL OR i.digest IS NOT s.digest OR i.size IS NOT s.size AS whole,
             s.group_position AS new_position
      FROM images i LEFT JOIN temp.ingest_rows s ON s.tag_id = i.tag_id
      WHERE i.repository_id = :repository) i
WHERE whole OR i.batch IS NOT :batch OR i.position IS NOT i.new_position
UNION ALL
SELECT :snapshot, s.tag_id, NULL, NULL, NULL, NULL FROM temp.ingest_rows s
WHERE NOT EXISTS (SELECT 1 FROM images i WHERE i.repository_id = :repository AND i.tag_id = s.tag_id))sql",
        {.repository = id, .snapshot = snapshot_id, .batch = batch});

    run(db, R"sql(
DELETE FROM images WHERE repository_id = :repository
  AND tag_id NOT IN (SELECT tag_id FROM temp.ingest_rows))sql", {.repository = id});
    // Before they close: the open rows of tags that the listing no longer has.
    summary.removed = count(db, R"sql(
SELECT count(*) FROM tag_history WHERE repository_id = :repository AND ended_at IS NULL
  AND tag_id NOT IN (SELECT tag_id FROM temp.ingest_rows))sql", id);

    // History: close what no longer holds, then open what is new.
    const std::int64_t closed = run(db, R"sql(
UPDATE tag_history SET ended_snapshot = :snapshot, ended_at = :at
WHERE repository_id = :repository AND ended_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM temp.ingest_rows s
                  WHERE s.tag_id = tag_history.tag_id AND s.digest = tag_history.digest))sql",
        {.repository = id, .snapshot = snapshot_id, .at = at});
    const std::int64_t opened = run(db, R"sql(
INSERT INTO tag_history (repository_id, tag_id, digest, size, batch, position, started_snapshot, started_at)
SELECT :repository, s.tag_id, s.digest, s.size, :batch, s.position, :snapshot, :at FROM temp.ingest_rows s
WHERE NOT EXISTS (SELECT 1 FROM tag_history h
                  WHERE h.repository_id = :repository AND h.tag_id = s.tag_id AND h.ended_at IS NULL)
ORDER BY s.position)sql",
        {.repository = id, .snapshot = snapshot_id, .batch = batch, .at = at});
    summary.moved = closed - summary.removed;
    summary.added = opened - summary.moved;

    // Current state: exactly the listing, in one batch.
    run(db, R"sql(
INSERT INTO images (repository_id, tag_id, digest, size, batch, position)
SELECT :repository, tag_id, digest, size, :batch, group_position FROM temp.ingest_rows WHERE true
ON CONFLICT (repository_id, tag_id) DO UPDATE SET
    digest = excluded.digest, size = excluded.size, batch = excluded.batch, position = excluded.position
WHERE images.digest IS NOT excluded.digest OR images.size IS NOT excluded.size
   OR images.batch IS NOT excluded.batch OR images.position IS NOT excluded.position)sql",
        {.repository = id, .batch = batch});
    run(db, "UPDATE repositories SET last_batch = :batch WHERE id = :repository", {.repository = id, .batch = batch});
    db.exec("DELETE FROM temp.ingest_rows");
}

// IngestSpec's guards, on the staged rows of a full snapshot, before it changes anything: an
// empty snapshot (unless allowed), or one that would close more of the repository's open
// history rows for tags it no longer lists than max_removed lets it (those it counts as removed).
void check_snapshot_guards(Database& db, const IngestSpec& spec, const Repository& repository,
                           std::int64_t rows) {
    const std::string name = spec.repository.registry + "/" + spec.repository.repository;
    const std::int64_t current = count(db, R"sql(
SELECT count(*) FROM tag_history WHERE repository_id = :repository AND ended_at IS NULL)sql", repository.id);
    if (rows == 0) {
        if (spec.allow_empty) return;
        throw IngestGuardError(spec.source + ": the listing holds no tags: as a full snapshot it would " +
                                   (current == 0 ? "record " + name + " as having none"
                                                 : "remove all " + std::to_string(current) + (current == 1 ? " current tag of " : " current tags of ") + name),
                               IngestGuardError::Guard::empty);
    }
    if (!spec.max_removed || current == 0) return;
    const std::int64_t removed = count(db, R"sql(
SELECT count(*) FROM tag_history WHERE repository_id = :repository AND ended_at IS NULL
  AND tag_id NOT IN (SELECT tag_id FROM temp.ingest_rows))sql", repository.id);
    if (spec.max_removed->allows(removed, current)) return;
    const RemovalLimit& limit = *spec.max_removed;
    throw IngestGuardError(spec.source + ": the snapshot would remove " + std::to_string(removed) + " of the " +
                               std::to_string(current) + " current tags of " + name + ", more than the limit of " +
                               std::to_string(limit.value) + (limit.percent ? "%" : limit.value == 1 ? " tag" : " tags"),
                           IngestGuardError::Guard::removed);
}

// A merge: each row is its own later batch, replacing the tag's image; nothing is removed.
void apply_merge(Database& db, const Repository& repository, std::int64_t snapshot_id, const std::string& at,
                 const RowSource& rows, TagWriter& tags, const std::set<std::string>& aliases,
                 IngestSummary& summary) {
    Statement close(db, R"sql(
UPDATE tag_history SET ended_snapshot = :snapshot, ended_at = :at
WHERE repository_id = :repository AND tag_id = :tag_id AND ended_at IS NULL AND digest <> :digest)sql");
    Statement open(db, R"sql(
INSERT INTO tag_history (repository_id, tag_id, digest, size, batch, position, started_snapshot, started_at)
SELECT :repository, :tag_id, :digest, :size, :batch, 0, :snapshot, :at
WHERE NOT EXISTS (SELECT 1 FROM tag_history
                  WHERE repository_id = :repository AND tag_id = :tag_id AND ended_at IS NULL))sql");
    // The undo journal: the tag's row before this snapshot's first row for it, NULLs for none.
    Statement journal(db, R"sql(
INSERT INTO undo_images (snapshot_id, tag_id, digest, size, batch, position)
SELECT :snapshot, :tag_id, i.digest, i.size, i.batch, i.position
FROM (SELECT 1) LEFT JOIN images i ON i.repository_id = :repository AND i.tag_id = :tag_id
WHERE true ON CONFLICT DO NOTHING)sql");
    Statement upsert(db, R"sql(
INSERT INTO images (repository_id, tag_id, digest, size, batch, position)
VALUES (:repository, :tag_id, :digest, :size, :batch, 0)
ON CONFLICT (repository_id, tag_id) DO UPDATE SET
    digest = excluded.digest, size = excluded.size, batch = excluded.batch, position = 0)sql");
    std::int64_t batch = repository.last_batch;
    while (auto row = rows()) {
        const std::int64_t tag_id = tags.id_of(row->tag, aliases.count(row->tag) > 0);
        ++batch;
        const Params params{.repository = repository.id, .snapshot = snapshot_id, .tag_id = tag_id,
                            .batch = batch, .size = row->size, .at = at, .digest = row->digest};
        for (Statement* s : {&journal, &close, &open, &upsert}) bind_params(*s, params);
        journal.exec();
        const bool moved = close.exec() > 0;
        const bool opened = open.exec() > 0;
        upsert.exec();
        summary.moved += moved;
        summary.added += opened && !moved;
        ++summary.rows;
    }
    run(db, "UPDATE repositories SET last_batch = :batch WHERE id = :repository",
        {.repository = repository.id, .batch = batch});
}

// The repository's latest snapshot: its id and time, and the time of the latest ingest that
// found it unchanged (or its own).
struct LatestSnapshot {
    std::int64_t id = 0;
    std::string taken_at;
    std::string seen_at;
    bool full = false;  // not a merge: only a full snapshot can be confirmed
};

std::optional<LatestSnapshot> latest_snapshot(Database& db, std::int64_t repository_id) {
    Statement s(db, "SELECT id, taken_at, max(taken_at, coalesce(confirmed_at, taken_at)), kind = 'full' "
                    "FROM snapshots WHERE repository_id = ? ORDER BY taken_at DESC, id DESC LIMIT 1");
    s.bind(1, static_cast<std::int64_t>(repository_id));
    if (!s.executeStep()) return std::nullopt;
    return LatestSnapshot{s.getColumn(0).getInt64(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                          s.getColumn(3).getInt() == 1};
}

// Whether the full snapshot just applied left the repository exactly as it was: no tag added,
// moved or removed, and nothing in its undo journal (no size, order, batch or parse changed)
// nor a manifest read. Then it needs no row of its own (schema/005_confirmed.sql).
bool changes_nothing(Database& db, const Repository& repository, const IngestSummary& summary) {
    if (summary.added != 0 || summary.moved != 0 || summary.removed != 0) return false;
    Statement s(db, R"sql(
SELECT NOT EXISTS (SELECT 1 FROM undo_images WHERE snapshot_id = :snapshot)
   AND NOT EXISTS (SELECT 1 FROM undo_tags WHERE snapshot_id = :snapshot)
   AND NOT EXISTS (SELECT 1 FROM manifests WHERE snapshot_id = :snapshot)
   AND (SELECT last_batch FROM repositories WHERE id = :repository) = :batch)sql");
    s.bind(":snapshot", static_cast<std::int64_t>(summary.snapshot_id));
    s.bind(":repository", static_cast<std::int64_t>(repository.id));
    s.bind(":batch", static_cast<std::int64_t>(repository.last_batch));
    s.executeStep();
    return s.getColumn(0).getInt() == 1;
}

// The ingest itself, inside the Writer's transaction, of rows already checked.
IngestSummary ingest_listing(Catalog::Impl& catalog, const IngestSpec& spec, const RowSource& rows);


// A marker for an exception of the caller's RowSource, which reaches the caller unchanged: not a
// std::exception, so that nothing on the way takes it for one of the catalog's own.
struct RowSourceFailed {};

// Pulls rows from the caller's source, checks each as the listing readers do, and keeps what the
// source throws for the caller.
class CheckedRows {
   public:
    CheckedRows(const RowSource& rows, const std::string& source) : rows_(rows), source_(source) {}

    std::optional<ListingRow> operator()() {
        std::optional<ListingRow> row;
        try {
            row = rows_();
        } catch (...) {
            failure_ = std::current_exception();
            throw RowSourceFailed{};
        }
        if (!row) return row;
        ++count_;
        if (const auto problem = row_problem(*row)) {
            throw InputError(source_ + ":" + std::to_string(row->line ? row->line : count_) + ": " + *problem);
        }
        return row;
    }
    std::exception_ptr failure() const { return failure_; }

   private:
    const RowSource& rows_;
    const std::string& source_;
    std::size_t count_ = 0;
    std::exception_ptr failure_;
};

}  // namespace

struct Catalog::Writer::State {
    enum class Phase { open, committed, failed };
    Catalog::Impl* catalog = nullptr;  // null once the Writer has ended, or its Catalog is destroyed
    Phase phase = Phase::open;
};

Catalog::Impl::~Impl() {
    if (writer) writer->catalog = nullptr;
    // write_transaction, declared after db, rolls back before the connection closes.
}

void Catalog::Impl::end_write(Writer::State& state) {
    if (writer != &state) return;
    writer = nullptr;
    state.catalog = nullptr;  // the Writer is done with this catalog, which may now go first
    write_transaction.reset();  // rolls back unless committed; a failed rollback loses nothing
}

Catalog::Writer::Writer(Impl& catalog) {
    if (catalog.writer) {
        throw_misuse("writer(): a Writer is already open on catalog " + catalog.path + "; commit or destroy it first");
    }
    catalog.check_writable("nothing can be ingested");
    state_ = std::make_unique<State>();
    with_catalog_errors(catalog.path, "begin a write transaction", [&] {
        catalog.write_transaction.emplace(catalog.db, SQLite::TransactionBehavior::IMMEDIATE);
    });
    state_->catalog = &catalog;
    catalog.writer = state_.get();
}

Catalog::Writer::~Writer() {
    if (state_ && state_->catalog) state_->catalog->end_write(*state_);
}

Catalog::Writer::Writer(Writer&&) noexcept = default;

Catalog::Writer::State& Catalog::Writer::usable(const char* call) {
    const std::string what = std::string("Writer::") + call;
    if (!state_) throw_misuse(what + " on a Writer that was moved from");
    if (state_->phase == State::Phase::committed) throw_misuse(what + " after commit(): begin another Writer");
    if (state_->phase == State::Phase::failed) {
        throw_misuse(what + " after one of its ingests failed, which rolled the whole Writer back");
    }
    if (!state_->catalog) throw_misuse(what + " on a Writer whose Catalog was destroyed (its ingests were rolled back)");
    return *state_;
}

void Catalog::Writer::commit() {
    State& state = usable("commit()");
    Impl& catalog = *state.catalog;
    try {
        catalog.write_transaction->commit();
    } catch (...) {
        state.phase = State::Phase::failed;
        catalog.end_write(state);
        rethrow_as_catalog_error(catalog.path, "commit the ingests");
    }
    state.phase = State::Phase::committed;
    catalog.end_write(state);
}

Catalog::Writer Catalog::writer() { return Writer(impl()); }

IngestSummary Catalog::ingest(const IngestSpec& spec, const RowSource& rows) {
    if (impl().writer) {
        throw_misuse("Catalog::ingest() while a Writer is open on catalog " + impl_->path +
                     ": ingest through the Writer, or commit it first");
    }
    Writer w = writer();
    const IngestSummary summary = w.ingest(spec, rows);
    w.commit();
    return summary;
}

IngestSummary Catalog::Writer::ingest(const IngestSpec& spec, const RowSource& rows) {
    State& state = usable("ingest()");
    Impl& catalog = *state.catalog;
    CheckedRows checked(rows, spec.source);
    try {
        return ingest_listing(catalog, spec, std::ref(checked));
    } catch (const RowSourceFailed&) {
        state.phase = State::Phase::failed;
        catalog.end_write(state);
        std::rethrow_exception(checked.failure());
    } catch (...) {
        state.phase = State::Phase::failed;
        catalog.end_write(state);
        rethrow_as_catalog_error(catalog.path, "ingest " + spec.source);
    }
}

namespace {

// Adds the snapshot and applies it to the current state, the history and the undo journal.
// `aliases_added`: the alias tags it declared that were not alias tags before.
IngestSummary record_snapshot(Database& db, const IngestSpec& spec, const RowSource& rows,
                              const Repository& repository, std::int64_t last_tag_id, const std::string& at,
                              std::set<std::string>& aliases_added) {
    Statement snapshot(db, "INSERT INTO snapshots (repository_id, taken_at, ingested_at, kind, source, "
                           "tag_count, added, moved, removed) VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0) RETURNING id");
    SQLite::bind(snapshot, repository.id, at, format_timestamp(now_utc()), spec.merge ? "merge" : "full", spec.source);
    snapshot.executeStep();
    IngestSummary summary;
    summary.snapshot_id = snapshot.getColumn(0).getInt64();
    snapshot.reset();

    TagWriter tags(db, repository.id, summary.snapshot_id);
    const std::set<std::string> aliases = update_alias_tags(db, repository.id, spec.aliases, tags, aliases_added);
    auto spaced = [](const std::set<std::string>& set) {
        std::string out;
        for (const auto& tag : set) out += (out.empty() ? "" : " ") + tag;
        return out;
    };
    Statement journal(db, "INSERT INTO undo_snapshots (snapshot_id, last_batch, last_tag_id, created_repository, "
                          "aliases_added, aliases_after) VALUES (?, ?, ?, ?, ?, ?)");
    SQLite::bind(journal, summary.snapshot_id, repository.last_batch, last_tag_id, repository.created ? 1 : 0,
                 spaced(aliases_added), spaced(aliases));
    journal.exec();
    detail::record_manifests(db, summary.snapshot_id, spec.manifests, spec.source);

    if (spec.merge) {
        apply_merge(db, repository, summary.snapshot_id, at, rows, tags, aliases, summary);
    } else {
        stage_rows(db, spec, rows, tags, aliases, summary);
        check_snapshot_guards(db, spec, repository, summary.rows);
        apply_full_snapshot(db, repository, summary.snapshot_id, at, summary);
    }
    Statement counts(db, "UPDATE snapshots SET tag_count = ?, added = ?, moved = ?, removed = ? WHERE id = ?");
    SQLite::bind(counts, summary.rows, summary.added, summary.moved, summary.removed, summary.snapshot_id);
    counts.exec();
    return summary;
}

IngestSummary ingest_listing(Catalog::Impl& catalog, const IngestSpec& spec, const RowSource& rows) {
    Database& db = catalog.db;
    for (const auto& alias : spec.aliases) {
        if (!is_docker_tag(alias)) throw InputError(spec.source + ": alias tag '" + alias + "' is not a Docker tag");
    }
    const std::int64_t last_tag_id = db.execAndGet("SELECT coalesce(max(id), 0) FROM tags").getInt64();
    const Repository repository = ensure_repository(db, spec.repository);

    const std::string at = format_timestamp(spec.taken_at);
    const std::optional<LatestSnapshot> previous = latest_snapshot(db, repository.id);
    if (previous && at < previous->seen_at) {
        throw CatalogError(spec.source + ": snapshot time " + at + " is before the latest snapshot of " +
                           spec.repository.registry + "/" + spec.repository.repository + " (" + previous->seen_at +
                           (previous->seen_at != previous->taken_at ? ", when a sync last found it unchanged" : "") +
                           "); ingest listings in time order");
    }

    // Rolled back when the snapshot turns out to change nothing (below).
    SQLite::Savepoint whole_ingest(db, "rspcat_ingest");
    std::set<std::string> aliases_added;
    IngestSummary summary = record_snapshot(db, spec, rows, repository, last_tag_id, at, aliases_added);
    if (!spec.merge && previous && previous->full && aliases_added.empty() &&
        changes_nothing(db, repository, summary)) {
        whole_ingest.rollback();
        db.exec("RELEASE rspcat_ingest");  // SQLiteCpp 3.2's rollback() leaves it open
        Statement confirm(db, "UPDATE snapshots SET confirmed_at = ?, confirmations = confirmations + 1 WHERE id = ?");
        SQLite::bind(confirm, at, previous->id);
        confirm.exec();
        summary.snapshot_id = previous->id;
        summary.unchanged_since = parse_timestamp(previous->taken_at);
        return summary;
    }
    catalog.refresh_listing();
    whole_ingest.release();
    return summary;
}

}  // namespace

}  // namespace rspcat
