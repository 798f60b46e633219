// The catalog as it was, and the refresh of the current listing: both resolve a set of images
// with the very views that define resolution for the current state.
//
// The views of schema/ read `current_images`. For another set of images, the same view
// definitions are re-created once per connection as TEMP views over a TEMP table that holds that
// set: `past_images` (the state at a time) or `refresh_images` (the current images of the digests
// that a write touched). So there is one definition of alias resolution and menu order, not two.
#include <array>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"
#include "input_text.hpp"
#include "catalog_schema.hpp"
#include "schema_files.hpp"

namespace rspcat {

namespace {

// The resolution views, in dependency order.
constexpr std::array<const char*, 4> resolution_views = {"collection_members", "digest_groups", "resolved_images",
                                                         "listing_source"};

bool is_identifier_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Replaces whole-word occurrences of `from` in SQL text.
std::string replace_word(std::string sql, const std::string& from, const std::string& to) {
    std::size_t at = 0;
    while ((at = sql.find(from, at)) != std::string::npos) {
        const bool starts = at == 0 || !is_identifier_char(sql[at - 1]);
        const bool ends = at + from.size() == sql.size() || !is_identifier_char(sql[at + from.size()]);
        if (starts && ends) {
            sql.replace(at, from.size(), to);
            at += to.size();
        } else {
            at += from.size();
        }
    }
    return sql;
}

const detail::SchemaObjects& current_schema() { return detail::shipped_schema(static_cast<int>(schema::file_count)); }

// `"a", "b", …`: the columns of a table or view of the schema, named, so that INSERT … SELECT
// pairs them by name and not by their order.
std::string column_list(const char* table_or_view) {
    std::string list;
    for (const auto& column : current_schema().at(table_or_view).columns) {
        if (!list.empty()) list += ", ";
        list += '"';
        for (const char c : column) list += c == '"' ? std::string(2, c) : std::string(1, c);
        list += '"';
    }
    return list;
}

}  // namespace

void Catalog::Impl::create_view_copies(const std::string& prefix) {
    const std::string images = prefix + "_images";
    // Asked of the temp schema, not remembered: copies made in a write transaction that rolls
    // back are gone with it.
    SQLite::Statement made(db, "SELECT count(*) FROM temp.sqlite_schema WHERE name IN (?, ?)");
    SQLite::bind(made, images, prefix + "_" + resolution_views.back());
    made.executeStep();
    if (made.getColumn(0).getInt() == 2) return;
    db.exec("CREATE TEMP TABLE IF NOT EXISTS " + images + " AS SELECT * FROM main.current_images WHERE 0");
    // Digest groups and aliases look images up by digest; without this, resolution is quadratic.
    db.exec("CREATE INDEX IF NOT EXISTS temp." + images + "_by_digest ON " + images + " (digest, repository_id)");
    // The definitions rspcat ships, not the text stored in the file: that is whatever the last
    // program to write the file put there, and it is executed here.
    const auto& shipped = current_schema();
    for (const char* view : resolution_views) {
        std::string sql = shipped.at(view).sql;
        sql = replace_word(sql, "current_images", images);
        for (const char* other : resolution_views) sql = replace_word(sql, other, prefix + "_" + other);
        sql.replace(0, sql.find(prefix + "_"), "CREATE TEMP VIEW IF NOT EXISTS ");
        db.exec(sql);
    }
}

namespace {

// current_images' columns for the assignments of tag_history `h` (joined with `t` and `r`), with
// `repository` as the repository id: what fills a TEMP copy of current_images with the past.
std::string past_image_columns(const std::string& repository) {
    return "r.registry, r.repository, " + repository + R"sql( AS repository_id, h.tag_id, t.tag, h.digest, h.size,
       h.batch, h.position, t.parse, t.image_type, t.type_priority, t.display_name, t.version, t.version_major,
       t.version_minor, t.version_patch, t.version_prerelease, t.prerelease_key, t.base, t.cycle, t.cycle_build,
       t.rsp_build, t.architecture, t.extra, t.date, t.alias_title,
       t.image_type IN ('Alias', 'Unknown') AS may_be_alias)sql";
}

// The assignments of `h` that held at `at`.
std::string held_at(const std::string& at) {
    return "h.started_at <= " + at + " AND (h.ended_at IS NULL OR h.ended_at > " + at + ")";
}

}  // namespace

std::string Catalog::Impl::listing_view(const CollectionSpec& collection) {
    if (!collection.at) return "main.listing";
    const std::int64_t repository = repository_id(collection);
    const std::string at = format_timestamp(*collection.at);
    // From the repository's latest snapshot on, the past is the present.
    SQLite::Statement latest(db, "SELECT max(taken_at) FROM main.snapshots WHERE repository_id = ?");
    latest.bind(1, static_cast<std::int64_t>(repository));
    latest.executeStep();
    if (!latest.getColumn(0).isNull() && at >= latest.getColumn(0).getString()) return "main.listing";
    create_view_copies("past");
    db.exec("DELETE FROM temp.past_images");
    const std::string columns = column_list("current_images");
    SQLite::Statement fill(db, "INSERT INTO temp.past_images (" + columns + ") SELECT " + columns + " FROM (SELECT " +
                                   past_image_columns("h.repository_id") + R"sql(
FROM main.tag_history h
JOIN main.tags t ON t.id = h.tag_id
JOIN main.repositories r ON r.id = h.repository_id
WHERE h.repository_id = :repository AND )sql" + held_at(":at") + ")");
    fill.bind(":repository", static_cast<std::int64_t>(repository));
    fill.bind(":at", at);
    fill.exec();
    return "temp.past_listing_source";
}

void Catalog::Impl::resolve_timeline(std::int64_t repository, const CollectionSpec& collection,
                                     std::vector<TimelineEntry>& entries) {
    if (entries.empty()) return;
    create_view_copies("past");
    db.exec("DELETE FROM temp.past_images");
    db.exec("CREATE TEMP TABLE IF NOT EXISTS timeline_entries (k INTEGER PRIMARY KEY, digest TEXT NOT NULL, "
            "at TEXT NOT NULL)");
    db.exec("DELETE FROM temp.timeline_entries");
    SQLite::Statement entry(db, "INSERT INTO temp.timeline_entries (k, digest, at) VALUES (?, ?, ?)");
    for (std::size_t k = 0; k < entries.size(); ++k) {
        entry.reset();
        SQLite::bind(entry, static_cast<std::int64_t>(k), entries[k].digest, format_timestamp(entries[k].from));
        entry.exec();
    }
    // Each entry's digest group as it was at the entry's start, under the entry's number as its
    // repository id: resolution never looks across repositories, so one pass of the views
    // resolves every group at its own time, as the past listing of that time would. From the
    // repository's latest snapshot on, that is the current images, as listing_view() reads them.
    // CROSS JOIN: entry by entry through the digest indexes, never the whole history per entry.
    SQLite::Statement latest(db, "SELECT coalesce(max(taken_at), '') FROM main.snapshots WHERE repository_id = ?");
    latest.bind(1, static_cast<std::int64_t>(repository));
    latest.executeStep();
    const std::string latest_at = latest.getColumn(0).getString();
    latest.reset();
    const std::string columns = column_list("current_images");
    SQLite::Statement past(db, "INSERT INTO temp.past_images (" + columns + ") SELECT " + columns + " FROM (SELECT " +
                                   past_image_columns("e.k") + R"sql(
FROM temp.timeline_entries e
CROSS JOIN main.tag_history h ON h.digest = e.digest AND h.repository_id = :repository
JOIN main.tags t ON t.id = h.tag_id
JOIN main.repositories r ON r.id = h.repository_id
WHERE e.at < :latest AND )sql" + held_at("e.at") + ")");
    std::string current_columns;
    for (const auto& column : current_schema().at("current_images").columns) {
        current_columns += std::string(current_columns.empty() ? "" : ", ") +
                           (column == "repository_id" ? "e.k AS repository_id" : "c.\"" + column + "\"");
    }
    SQLite::Statement present(db, "INSERT INTO temp.past_images (" + columns + ") SELECT " + current_columns + R"sql(
FROM temp.timeline_entries e
CROSS JOIN main.current_images c ON c.digest = e.digest AND c.repository_id = :repository
WHERE e.at >= :latest)sql");
    for (SQLite::Statement* fill : {&past, &present}) {
        fill->bind(":repository", static_cast<std::int64_t>(repository));
        fill->bind(":latest", latest_at);
        fill->exec();
    }
    SQLite::Statement resolved(db, "SELECT repository_id, tag, alias_target FROM temp.past_resolved_images "
                                   "WHERE scope_cycle IS ? AND alias_target IS NOT NULL");
    bind_optional(resolved, 1, collection.cycle);
    while (resolved.executeStep()) {
        auto& resolved_entry = entries.at(static_cast<std::size_t>(resolved.getColumn(0).getInt64()));
        if (resolved.getColumn(1).getString() == resolved_entry.tag) {
            resolved_entry.resolved_to = resolved.getColumn(2).getString();
        }
    }
    db.exec("DELETE FROM temp.past_images");
}

void Catalog::Impl::refresh_listing() {
    if (db.execAndGet("SELECT NOT EXISTS (SELECT 1 FROM main.listing_stale)").getInt()) return;
    create_view_copies("refresh");
    // Whole digest groups: every current image of a stale digest, so that each group resolves
    // exactly as it would among all current images.
    db.exec("DELETE FROM temp.refresh_images");
    const std::string images = column_list("current_images");
    db.exec("INSERT INTO temp.refresh_images (" + images + ") SELECT " + images +
            " FROM main.current_images WHERE digest IN (SELECT digest FROM main.listing_stale)");
    db.exec("DELETE FROM main.listing WHERE digest IN (SELECT digest FROM main.listing_stale)");
    const std::string listing = column_list("listing");
    // Each row at a rowid of its own (schema/003_undo.sql), so that the table's order does not
    // depend on the order of the writes. OR REPLACE: a row edited by hand may hold the rowid.
    db.exec("INSERT OR REPLACE INTO main.listing (rowid, " + listing + ") SELECT 2 * tag_id + (scope_cycle IS NOT NULL), " +
            listing + " FROM temp.refresh_listing_source");
    db.exec("DELETE FROM main.listing_stale");
    db.exec("DELETE FROM temp.refresh_images");
}

}  // namespace rspcat

namespace rspcat {

namespace {

// A time of the tag's history as stored. Written by hand wrong, it is the catalog's fault.
Timestamp stored_time(const std::string& path, const std::string& tag, const std::string& text) {
    if (const auto time = parse_timestamp(text)) return *time;
    throw CatalogError(ErrorKind::corrupt, "catalog " + path + ": the history of tag " + detail::quoted(tag) +
                                               " holds a malformed time " + detail::quoted(text) +
                                               " (run `rspcat check` to see every such row)");
}

}  // namespace

namespace {

// The tag_timeline rows of a repository that `where` picks (binding :value), oldest first, each
// alias row with what it resolved to when it started.
std::vector<TimelineEntry> read_timeline(Catalog::Impl& impl,
                                         const CollectionSpec& collection, const char* where,
                                         const std::string& value) {
    ReadTransaction read(impl.db);
    const std::int64_t repository = impl.repository_id(collection);
    SQLite::Statement s(impl.db, std::string(R"sql(
SELECT tag, digest, size, started_at, ended_at FROM tag_timeline
WHERE repository_id = :repository AND )sql") + where + " ORDER BY started_at, ended_at IS NULL, ended_at, tag");
    s.bind(":repository", repository);
    s.bind(":value", value);
    std::vector<TimelineEntry> entries;
    while (s.executeStep()) {
        TimelineEntry entry;
        entry.tag = s.getColumn(0).getString();
        entry.digest = s.getColumn(1).getString();
        if (!s.getColumn(2).isNull()) entry.size = s.getColumn(2).getInt64();
        entry.from = stored_time(impl.path, entry.tag, s.getColumn(3).getString());
        if (!s.getColumn(4).isNull()) entry.to = stored_time(impl.path, entry.tag, s.getColumn(4).getString());
        entries.push_back(std::move(entry));
    }
    impl.resolve_timeline(repository, collection, entries);
    return entries;
}

}  // namespace

std::vector<TimelineEntry> Catalog::timeline(const CollectionSpec& collection, const std::string& tag) const {
    return with_catalog_errors(impl().path, "read a tag's history", [&] {
        return read_timeline(*impl_, collection, "tag = :value", tag);
    });
}

std::vector<TimelineEntry> Catalog::digest_timeline(const CollectionSpec& collection,
                                                    const std::string& digest) const {
    return with_catalog_errors(impl().path, "read a digest's history", [&] {
        return read_timeline(*impl_, collection, "digest = :value", digest);
    });
}

std::vector<TagChange> Catalog::diff(const CollectionSpec& collection, Timestamp from, Timestamp to) const {
    return with_catalog_errors(impl().path, "compare two times", [&]() -> std::vector<TagChange> {
        ReadTransaction read(impl_->db);
        const std::int64_t repository = impl_->repository_id(collection);
        SQLite::Statement s(impl_->db, R"sql(
WITH
  before AS (SELECT tag, digest FROM tag_timeline WHERE repository_id = :repository
             AND started_at <= :from AND (ended_at IS NULL OR ended_at > :from)),
  after AS (SELECT tag, digest FROM tag_timeline WHERE repository_id = :repository
            AND started_at <= :to AND (ended_at IS NULL OR ended_at > :to))
SELECT 'added', a.tag, NULL, a.digest FROM after a WHERE a.tag NOT IN (SELECT tag FROM before)
UNION ALL
SELECT 'removed', b.tag, b.digest, NULL FROM before b WHERE b.tag NOT IN (SELECT tag FROM after)
UNION ALL
SELECT 'moved', a.tag, b.digest, a.digest FROM after a JOIN before b ON b.tag = a.tag WHERE a.digest <> b.digest
ORDER BY 2)sql");
        s.bind(":repository", repository);
        s.bind(":from", format_timestamp(from));
        s.bind(":to", format_timestamp(to));
        std::vector<TagChange> changes;
        while (s.executeStep()) {
            const std::string kind = s.getColumn(0).getString();
            TagChange change{kind == "added"     ? TagChange::Kind::added
                             : kind == "removed" ? TagChange::Kind::removed
                                                 : TagChange::Kind::moved,
                             s.getColumn(1).getString(), std::nullopt, std::nullopt};
            if (!s.getColumn(2).isNull()) change.old_digest = s.getColumn(2).getString();
            if (!s.getColumn(3).isNull()) change.new_digest = s.getColumn(3).getString();
            changes.push_back(std::move(change));
        }
        return changes;
    });
}

}  // namespace rspcat
