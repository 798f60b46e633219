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

}  // namespace

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
        Statement s(impl_->db, R"sql(
SELECT id, taken_at, ingested_at, kind, source, tag_count, added, moved, removed FROM snapshots
WHERE repository_id = ? ORDER BY taken_at DESC, id DESC LIMIT ?)sql");
        // A negative LIMIT is none; a limit below 1 asks for nothing.
        SQLite::bind(s, id, limit ? std::max<std::int64_t>(*limit, 0) : std::int64_t{-1});
        std::vector<SnapshotSummary> snapshots;
        while (s.executeStep()) {
            SnapshotSummary snapshot;
            snapshot.id = s.getColumn(0).getInt64();
            const std::string what = "snapshot " + std::to_string(snapshot.id);
            snapshot.taken_at = stored_time(impl_->path, what, s.getColumn(1).getString());
            snapshot.ingested_at = stored_time(impl_->path, what, s.getColumn(2).getString());
            snapshot.merge = s.getColumn(3).getString() == "merge";
            snapshot.source = s.getColumn(4).getString();
            snapshot.tag_count = s.getColumn(5).getInt64();
            snapshot.added = s.getColumn(6).getInt64();
            snapshot.moved = s.getColumn(7).getInt64();
            snapshot.removed = s.getColumn(8).getInt64();
            snapshots.push_back(std::move(snapshot));
        }
        return snapshots;
    });
}

AliasTagsChange Catalog::add_alias_tags(const std::optional<RepositoryName>& repository,
                                        const std::vector<std::string>& tags) {
    return with_catalog_errors(impl().path, "add alias tags", [&]() -> AliasTagsChange {
        if (impl_->writer) {
            throw_misuse("Catalog::add_alias_tags() while a Writer is open on catalog " + impl_->path +
                         ": commit it first");
        }
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
        if (impl_->writer) {
            throw_misuse("Catalog::remove_alias_tags() while a Writer is open on catalog " + impl_->path +
                         ": commit it first");
        }
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
