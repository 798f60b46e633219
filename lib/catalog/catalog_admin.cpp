// Looking after a catalog's repositories: what each holds (`rspcat repos`), its snapshots
// (`rspcat snapshots`), and its alias tags changed after the first ingest (`rspcat alias`).
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <set>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"
#include "input_text.hpp"
#include "tag_columns.hpp"

namespace rspcat {

namespace {

using SQLite::Database;
using SQLite::Statement;

// A time as stored. Written by hand wrong, it is the catalog's fault.
Timestamp stored_time(const std::string& path, const std::string& what, const std::string& text) {
    if (const auto time = parse_timestamp(text)) return *time;
    throw CatalogError(ErrorKind::corrupt, "catalog " + path + ": " + what + " holds a malformed time " +
                                               detail::quoted(text) + " (run `rspcat check` to see every such row)");
}

std::optional<Timestamp> stored_time_or_none(const std::string& path, const std::string& what,
                                             const SQLite::Column& column) {
    if (column.isNull()) return std::nullopt;
    return stored_time(path, what, column.getString());
}

CollectionSpec collection_of(const std::optional<RepositoryName>& repository) {
    CollectionSpec collection;
    collection.repository = repository;
    return collection;
}

RepositoryName repository_name(Database& db, std::int64_t id) {
    Statement s(db, "SELECT registry, repository FROM repositories WHERE id = ?");
    s.bind(1, static_cast<std::int64_t>(id));
    s.executeStep();
    return {s.getColumn(0).getString(), s.getColumn(1).getString()};
}

std::string name_of(const RepositoryName& name) { return name.registry + "/" + name.repository; }

std::set<std::string> alias_tags(Database& db, std::int64_t repository_id) {
    Statement s(db, "SELECT tag FROM alias_tags WHERE repository_id = ?");
    s.bind(1, static_cast<std::int64_t>(repository_id));
    std::set<std::string> tags;
    while (s.executeStep()) tags.insert(s.getColumn(0).getString());
    return tags;
}

// The tags in the order given, each once.
std::vector<std::string> each_once(const std::vector<std::string>& tags) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    for (const auto& tag : tags) {
        if (seen.insert(tag).second) out.push_back(tag);
    }
    return out;
}

std::string joined(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

// Re-derives the stored parse of `tag` (if the repository has had the tag) as the ingest
// derives it, the alias parse or the grammar parse, and marks the digest of its current image
// stale so that the refresh resolves its digest group again. The `tags_changed` trigger marks
// it too; marking it here keeps the refresh right whatever the triggers do.
void reparse_tag(Database& db, std::int64_t repository_id, const std::string& tag, bool is_alias) {
    Statement update(db, std::string("UPDATE tags SET ") + detail::TagColumns::assignments() +
                             " WHERE repository_id = :repository_id AND tag = :tag");
    detail::TagColumns::check_parameters(update, 1);
    detail::TagColumns::derive(tag, is_alias).bind(update, 1);
    update.bind(":repository_id", static_cast<std::int64_t>(repository_id));
    update.bind(":tag", tag);
    update.exec();
    Statement stale(db, "INSERT INTO listing_stale (digest) SELECT i.digest FROM images i "
                        "JOIN tags t ON t.id = i.tag_id WHERE i.repository_id = ? AND t.tag = ?");
    SQLite::bind(stale, repository_id, tag);
    stale.exec();
}

// The snapshots row that read_snapshot() reads.
constexpr const char* snapshot_columns =
    "SELECT id, taken_at, ingested_at, kind, source, tag_count, added, moved, removed, confirmed_at, confirmations "
    "FROM snapshots";

SnapshotSummary read_snapshot(const std::string& path, Statement& s) {
    SnapshotSummary snapshot;
    snapshot.id = s.getColumn(0).getInt64();
    const std::string what = "snapshot " + std::to_string(snapshot.id);
    snapshot.taken_at = stored_time(path, what, s.getColumn(1).getString());
    snapshot.ingested_at = stored_time(path, what, s.getColumn(2).getString());
    snapshot.merge = s.getColumn(3).getString() == "merge";
    snapshot.source = s.getColumn(4).getString();
    snapshot.tag_count = s.getColumn(5).getInt64();
    snapshot.added = s.getColumn(6).getInt64();
    snapshot.moved = s.getColumn(7).getInt64();
    snapshot.removed = s.getColumn(8).getInt64();
    if (!s.getColumn(9).isNull()) snapshot.confirmed_at = stored_time(path, what, s.getColumn(9).getString());
    snapshot.confirmations = s.getColumn(10).getInt64();
    return snapshot;
}

// Splits a space-separated list of tags, as the undo journal stores alias tags.
std::vector<std::string> split_spaced(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find(' ', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// The count that `sql` selects for the snapshot and the repository (`:snapshot`, `:repository`).
std::int64_t count_for(Database& db, const char* sql, std::int64_t snapshot_id, std::int64_t repository_id) {
    Statement s(db, sql);
    if (s.getIndex(":snapshot") > 0) s.bind(":snapshot", static_cast<std::int64_t>(snapshot_id));
    if (s.getIndex(":repository") > 0) s.bind(":repository", static_cast<std::int64_t>(repository_id));
    s.executeStep();
    return s.getColumn(0).getInt64();
}

// Runs `sql` with the ids it names (`:snapshot`, `:repository`) bound.
void run_for(Database& db, const std::string& sql, std::int64_t snapshot_id, std::int64_t repository_id) {
    Statement s(db, sql);
    if (s.getIndex(":snapshot") > 0) s.bind(":snapshot", static_cast<std::int64_t>(snapshot_id));
    if (s.getIndex(":repository") > 0) s.bind(":repository", static_cast<std::int64_t>(repository_id));
    s.exec();
}

// What undo_snapshots holds of a snapshot.
struct UndoJournal {
    std::int64_t last_batch = 0;
    std::int64_t last_tag_id = 0;
    bool created_repository = false;
    std::vector<std::string> aliases_added;
    std::vector<std::string> aliases_after;
};

std::optional<UndoJournal> undo_journal(Database& db, std::int64_t snapshot_id) {
    Statement s(db, "SELECT last_batch, last_tag_id, created_repository, aliases_added, aliases_after "
                    "FROM undo_snapshots WHERE snapshot_id = ?");
    s.bind(1, static_cast<std::int64_t>(snapshot_id));
    if (!s.executeStep()) return std::nullopt;
    return UndoJournal{s.getColumn(0).getInt64(), s.getColumn(1).getInt64(), s.getColumn(2).getInt() != 0,
                       split_spaced(s.getColumn(3).getString()), split_spaced(s.getColumn(4).getString())};
}

// Puts back what the snapshot changed, as its journal and the history say; the caller refreshes
// the listing (the triggers mark the digests) and commits.
void apply_undo(Database& db, std::int64_t snapshot, std::int64_t repository, const UndoJournal& journal) {
    // Current state first: then nothing refers to the tags it made when they go.
    run_for(db, R"sql(
DELETE FROM images WHERE repository_id = :repository
  AND tag_id IN (SELECT tag_id FROM undo_images WHERE snapshot_id = :snapshot AND position IS NULL))sql",
            snapshot, repository);
    // Rows whose digest and size it left: the position, and the batch where it changed that.
    run_for(db, R"sql(
UPDATE images SET batch = coalesce(u.batch, images.batch), position = u.position
FROM undo_images u
WHERE u.snapshot_id = :snapshot AND u.digest IS NULL AND u.position IS NOT NULL
  AND images.repository_id = :repository AND images.tag_id = u.tag_id)sql",
            snapshot, repository);
    run_for(db, R"sql(
INSERT INTO images (repository_id, tag_id, digest, size, batch, position)
SELECT :repository, tag_id, digest, size, batch, position FROM undo_images
WHERE snapshot_id = :snapshot AND digest IS NOT NULL
ON CONFLICT (repository_id, tag_id) DO UPDATE SET
    digest = excluded.digest, size = excluded.size, batch = excluded.batch, position = excluded.position)sql",
            snapshot, repository);
    // History: removed before reopening, as a tag may have at most one open row.
    run_for(db, "DELETE FROM tag_history WHERE started_snapshot = :snapshot", snapshot, repository);
    run_for(db, "UPDATE tag_history SET ended_snapshot = NULL, ended_at = NULL WHERE ended_snapshot = :snapshot",
            snapshot, repository);
    const std::string columns = detail::TagColumns::column_list();
    run_for(db, "UPDATE tags SET (" + columns + ") = (SELECT " + columns +
                    " FROM undo_tags u WHERE u.snapshot_id = :snapshot AND u.tag_id = tags.id)"
                    " WHERE id IN (SELECT tag_id FROM undo_tags WHERE snapshot_id = :snapshot)",
            snapshot, repository);
    Statement tags(db, "DELETE FROM tags WHERE repository_id = ? AND id > ?");
    SQLite::bind(tags, repository, journal.last_tag_id);
    tags.exec();
    Statement alias(db, "DELETE FROM alias_tags WHERE repository_id = ? AND tag = ?");
    for (const auto& tag : journal.aliases_added) {
        alias.reset();
        SQLite::bind(alias, repository, tag);
        alias.exec();
    }
    for (const char* table : {"undo_images", "undo_tags", "undo_snapshots"}) {
        run_for(db, std::string("DELETE FROM ") + table + " WHERE snapshot_id = :snapshot", snapshot, repository);
    }
    // What the snapshot's sync read from the registry goes with it.
    run_for(db, "DELETE FROM manifest_platforms WHERE digest IN (SELECT digest FROM manifests WHERE snapshot_id = :snapshot)",
            snapshot, repository);
    run_for(db, "DELETE FROM manifests WHERE snapshot_id = :snapshot", snapshot, repository);
    run_for(db, "DELETE FROM snapshots WHERE id = :snapshot", snapshot, repository);
    Statement batch(db, "UPDATE repositories SET last_batch = ? WHERE id = ?");
    SQLite::bind(batch, journal.last_batch, repository);
    batch.exec();
    if (journal.created_repository) {
        run_for(db, "DELETE FROM repositories WHERE id = :repository", snapshot, repository);
    }
}

}  // namespace

UndoSummary Catalog::undo(const std::optional<RepositoryName>& repository, bool dry_run) {
    return with_catalog_errors(impl().path, dry_run ? "plan an undo" : "undo a snapshot", [&]() -> UndoSummary {
        impl_->check_no_writer("Catalog::undo()");
        // A dry run only reads: it works on a catalog open read-only too.
        std::optional<SQLite::Transaction> transaction;
        std::optional<ReadTransaction> read;
        if (dry_run) {
            read.emplace(impl_->db);
        } else {
            impl_->check_writable("cannot undo a snapshot");
            transaction.emplace(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        }
        Database& db = impl_->db;
        const std::int64_t id = impl_->repository_id(collection_of(repository));
        UndoSummary summary;
        summary.dry_run = dry_run;
        summary.repository = repository_name(db, id);
        const std::string name = name_of(summary.repository);
        Statement latest(db, std::string(snapshot_columns) +
                                 " WHERE repository_id = ? ORDER BY taken_at DESC, id DESC LIMIT 1");
        latest.bind(1, static_cast<std::int64_t>(id));
        if (!latest.executeStep()) {
            throw CatalogError("catalog " + impl_->path + ": " + name + " has no snapshot to undo");
        }
        summary.snapshot = read_snapshot(impl_->path, latest);
        const std::int64_t snapshot = summary.snapshot.id;
        const std::string which = "snapshot " + std::to_string(snapshot) + " of " + name + " (" +
                                  format_timestamp(summary.snapshot.taken_at) + ", " + summary.snapshot.source + ")";
        const std::optional<UndoJournal> journal = undo_journal(db, snapshot);
        if (!journal) {
            throw CatalogError("catalog " + impl_->path + ": " + which +
                               " has no undo journal: it was ingested by an rspcat that kept none (catalog schema 2 "
                               "or older), so what it overwrote is not known; nothing was changed");
        }
        // The journal puts back the alias tags and parses of before the snapshot only from those
        // of right after it: an `rspcat alias` change since would be half undone.
        const std::set<std::string> now = alias_tags(db, id);
        const std::vector<std::string> now_list(now.begin(), now.end());
        if (now_list != journal->aliases_after) {
            throw CatalogError("catalog " + impl_->path + ": the alias tags of " + name + " were changed after " + which +
                               " (then: " + (journal->aliases_after.empty() ? "none" : joined(journal->aliases_after, ", ")) +
                               "; now: " + (now_list.empty() ? "none" : joined(now_list, ", ")) +
                               "); change them back with `rspcat alias add|remove` to undo it; nothing was changed");
        }
        summary.images_restored = count_for(
            db, "SELECT count(*) FROM undo_images WHERE snapshot_id = :snapshot AND position IS NOT NULL", snapshot, id);
        summary.images_removed = count_for(
            db, "SELECT count(*) FROM undo_images WHERE snapshot_id = :snapshot AND position IS NULL", snapshot, id);
        summary.history_removed =
            count_for(db, "SELECT count(*) FROM tag_history WHERE started_snapshot = :snapshot", snapshot, id);
        summary.history_reopened =
            count_for(db, "SELECT count(*) FROM tag_history WHERE ended_snapshot = :snapshot", snapshot, id);
        summary.tags_reparsed =
            count_for(db, "SELECT count(*) FROM undo_tags WHERE snapshot_id = :snapshot", snapshot, id);
        Statement made(db, "SELECT count(*) FROM tags WHERE repository_id = ? AND id > ?");
        SQLite::bind(made, id, journal->last_tag_id);
        made.executeStep();
        summary.tags_removed = made.getColumn(0).getInt64();
        summary.aliases_removed = journal->aliases_added;
        summary.repository_removed = journal->created_repository;
        if (journal->created_repository &&
            count_for(db, "SELECT count(*) FROM deletions WHERE repository_id = :repository", snapshot, id) > 0) {
            // The journal records what happened in the registry; no undo of a listing takes it back.
            throw CatalogError("undoing the repository's first snapshot would remove the repository, and with it its "
                               "journal of deletions from the registry; nothing was undone");
        }
        if (dry_run) return summary;
        apply_undo(db, snapshot, id, *journal);
        impl_->refresh_listing();
        transaction->commit();
        return summary;
    });
}

std::vector<RepositorySummary> Catalog::repository_summaries() const {
    return with_catalog_errors(impl().path, "list its repositories", [&]() -> std::vector<RepositorySummary> {
        ReadTransaction read(impl_->db);
        Statement s(impl_->db, R"sql(
SELECT r.id, r.registry, r.repository,
       (SELECT count(*) FROM images i WHERE i.repository_id = r.id),
       (SELECT count(*) FROM snapshots s WHERE s.repository_id = r.id),
       (SELECT min(taken_at) FROM snapshots s WHERE s.repository_id = r.id),
       (SELECT max(taken_at) FROM snapshots s WHERE s.repository_id = r.id)
FROM repositories r ORDER BY r.registry, r.repository)sql");
        std::vector<RepositorySummary> summaries;
        while (s.executeStep()) {
            RepositorySummary summary;
            const std::int64_t id = s.getColumn(0).getInt64();
            summary.name = {s.getColumn(1).getString(), s.getColumn(2).getString()};
            summary.tag_count = s.getColumn(3).getInt64();
            summary.snapshot_count = s.getColumn(4).getInt64();
            const std::string what = "a snapshot of " + name_of(summary.name);
            summary.first_snapshot = stored_time_or_none(impl_->path, what, s.getColumn(5));
            summary.last_snapshot = stored_time_or_none(impl_->path, what, s.getColumn(6));
            const std::set<std::string> aliases = alias_tags(impl_->db, id);
            summary.aliases.assign(aliases.begin(), aliases.end());
            summaries.push_back(std::move(summary));
        }
        return summaries;
    });
}

std::vector<SnapshotSummary> Catalog::snapshots(const std::optional<RepositoryName>& repository,
                                                std::optional<std::int64_t> limit) const {
    return with_catalog_errors(impl().path, "list its snapshots", [&]() -> std::vector<SnapshotSummary> {
        ReadTransaction read(impl_->db);
        const std::int64_t id = impl_->repository_id(collection_of(repository));
        Statement s(impl_->db, std::string(snapshot_columns) +
                                   " WHERE repository_id = ? ORDER BY taken_at DESC, id DESC LIMIT ?");
        // A negative LIMIT is none; a limit below 1 asks for nothing.
        SQLite::bind(s, id, limit ? std::max<std::int64_t>(*limit, 0) : std::int64_t{-1});
        std::vector<SnapshotSummary> snapshots;
        while (s.executeStep()) snapshots.push_back(read_snapshot(impl_->path, s));
        return snapshots;
    });
}

AliasTagsChange Catalog::add_alias_tags(const std::optional<RepositoryName>& repository,
                                        const std::vector<std::string>& tags) {
    return with_catalog_errors(impl().path, "add alias tags", [&]() -> AliasTagsChange {
        impl_->check_no_writer("Catalog::add_alias_tags()");
        for (const auto& tag : tags) {
            if (!is_docker_tag(tag)) throw InputError("alias tag " + detail::quoted(tag) + " is not a Docker tag");
        }
        impl_->check_writable("cannot change its alias tags");
        SQLite::Transaction transaction(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        const std::int64_t id = impl_->repository_id(collection_of(repository));
        AliasTagsChange change;
        change.repository = repository_name(impl_->db, id);
        const std::set<std::string> before = alias_tags(impl_->db, id);
        Statement insert(impl_->db, "INSERT INTO alias_tags (repository_id, tag) VALUES (?, ?)");
        for (const auto& tag : each_once(tags)) {
            if (before.count(tag)) {
                change.unchanged.push_back(tag);
                continue;
            }
            insert.reset();
            SQLite::bind(insert, id, tag);
            insert.exec();
            reparse_tag(impl_->db, id, tag, true);
            change.changed.push_back(tag);
        }
        impl_->refresh_listing();
        transaction.commit();
        return change;
    });
}

AliasTagsChange Catalog::remove_alias_tags(const std::optional<RepositoryName>& repository,
                                           const std::vector<std::string>& tags) {
    return with_catalog_errors(impl().path, "remove alias tags", [&]() -> AliasTagsChange {
        impl_->check_no_writer("Catalog::remove_alias_tags()");
        impl_->check_writable("cannot change its alias tags");
        SQLite::Transaction transaction(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        const std::int64_t id = impl_->repository_id(collection_of(repository));
        AliasTagsChange change;
        change.repository = repository_name(impl_->db, id);
        const std::set<std::string> before = alias_tags(impl_->db, id);
        const std::vector<std::string> wanted = each_once(tags);
        std::vector<std::string> not_aliases;
        for (const auto& tag : wanted) {
            if (!before.count(tag)) not_aliases.push_back(detail::quoted(tag));
        }
        if (!not_aliases.empty()) {
            std::vector<std::string> known;
            for (const auto& tag : before) known.push_back(detail::quoted(tag));
            throw CatalogError("catalog " + impl_->path + ": " + joined(not_aliases, ", ") +
                               (not_aliases.size() == 1 ? " is not an alias tag" : " are not alias tags") + " of " +
                               name_of(change.repository) + " (its alias tags: " +
                               (known.empty() ? "none" : joined(known, ", ")) + "); nothing was changed");
        }
        Statement remove(impl_->db, "DELETE FROM alias_tags WHERE repository_id = ? AND tag = ?");
        for (const auto& tag : wanted) {
            remove.reset();
            SQLite::bind(remove, id, tag);
            remove.exec();
            reparse_tag(impl_->db, id, tag, false);
            change.changed.push_back(tag);
        }
        impl_->refresh_listing();
        transaction.commit();
        return change;
    });
}

}  // namespace rspcat
