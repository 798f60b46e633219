// What the catalog knows of digests beyond listings: their manifests as a sync read them
// (`manifests`, `manifest_platforms`), and the deletions rspcat made (`deletions`).
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <map>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"
#include "catalog_manifests.hpp"
#include "input_text.hpp"

namespace rspcat {

namespace {

using SQLite::Database;
using SQLite::Statement;

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
    return out;
}

std::vector<std::string> split_spaced(const std::string& text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = std::min(text.find(' ', start), text.size());
        if (end > start) items.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return items;
}

std::optional<Timestamp> stored_time(const SQLite::Column& column, const std::string& what) {
    if (column.isNull()) return std::nullopt;
    const auto time = parse_timestamp(column.getString());
    if (!time) throw CatalogError(ErrorKind::corrupt, what + " holds " + detail::quoted(column.getString()) + ", not a time");
    return time;
}

void check_manifest(const ManifestDetails& manifest, const std::string& source) {
    auto refuse = [&](const std::string& why) {
        throw InputError(source + ": manifest " + detail::quoted(manifest.digest) + ": " + why);
    };
    if (!is_sha256_digest(manifest.digest)) refuse("not a sha256 digest");
    if (manifest.size < 0) refuse("a negative size");
    if (manifest.media_type.empty()) refuse("no media type");
    for (const Platform& platform : manifest.platforms) {
        if (!is_sha256_digest(platform.digest)) refuse("platform digest " + detail::quoted(platform.digest) + " is not sha256");
    }
}

// An index's entries, in its order, from a prepared `manifest_platforms` query on one digest.
std::vector<Platform> platforms_of(Statement& platforms, const std::string& digest) {
    platforms.reset();
    platforms.bind(1, digest);
    std::vector<Platform> out;
    while (platforms.executeStep()) {
        Platform entry{platforms.getColumn(0).getString(), platforms.getColumn(1).getString(), std::nullopt,
                       platforms.getColumn(3).getString()};
        if (!platforms.getColumn(2).isNull()) entry.variant = platforms.getColumn(2).getString();
        out.push_back(std::move(entry));
    }
    return out;
}

constexpr const char* platforms_query =
    "SELECT os, architecture, variant, platform_digest FROM manifest_platforms WHERE digest = ? ORDER BY position";

}  // namespace

namespace detail {

void record_manifests(Database& db, std::int64_t snapshot_id, const std::vector<ManifestDetails>& manifests,
                      const std::string& source) {
    if (manifests.empty()) return;
    Statement manifest(db, "INSERT INTO manifests (digest, media_type, size, snapshot_id, created) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (digest) DO NOTHING");
    Statement platform(db, "INSERT INTO manifest_platforms (digest, position, os, architecture, platform_digest, variant) "
                           "VALUES (?, ?, ?, ?, ?, ?)");
    for (const ManifestDetails& details : manifests) {
        check_manifest(details, source);
        manifest.reset();
        SQLite::bind(manifest, details.digest, details.media_type, details.size, snapshot_id);
        bind_optional(manifest, 5, details.created ? std::optional(format_timestamp(*details.created)) : std::nullopt);
        if (manifest.exec() == 0) continue;  // known already: a digest's content never changes
        std::int64_t position = 0;
        for (const Platform& entry : details.platforms) {
            platform.reset();
            SQLite::bind(platform, details.digest, ++position, entry.os, entry.architecture, entry.digest);
            bind_optional(platform, 6, entry.variant);
            platform.exec();
        }
    }
}

ManifestAttacher::ManifestAttacher(Database& db) {
    if (!db.execAndGet("SELECT EXISTS (SELECT 1 FROM manifests)").getInt()) return;
    manifest_.emplace(db, "SELECT created FROM manifests WHERE digest = ?");
    platforms_.emplace(db, platforms_query);
}

void ManifestAttacher::attach(Image& image) {
    if (!manifest_) return;
    manifest_->reset();
    manifest_->bind(1, image.digest);
    if (!manifest_->executeStep()) return;
    image.created = stored_time(manifest_->getColumn(0), "manifests.created of " + image.digest);
    image.platforms = platforms_of(*platforms_, image.digest);
}

void attach_manifests(Database& db, std::vector<Image>& images) {
    if (images.empty()) return;
    ManifestAttacher attacher(db);
    for (Image& image : images) attacher.attach(image);
}

}  // namespace detail

std::vector<ManifestDetails> Catalog::manifests(const std::vector<std::string>& digests) const {
    return with_catalog_errors(impl().path, "read its manifests", [&]() -> std::vector<ManifestDetails> {
        ReadTransaction read(impl_->db);
        Statement manifest(impl_->db, "SELECT digest, media_type, size, created FROM manifests WHERE digest = ?");
        Statement platforms(impl_->db, platforms_query);
        std::vector<ManifestDetails> found;
        for (const std::string& digest : digests) {
            manifest.reset();
            manifest.bind(1, digest);
            if (!manifest.executeStep()) continue;
            ManifestDetails details;
            details.digest = manifest.getColumn(0).getString();
            details.media_type = manifest.getColumn(1).getString();
            details.size = manifest.getColumn(2).getInt64();
            details.created = stored_time(manifest.getColumn(3), "manifests.created of " + digest);
            details.platforms = platforms_of(platforms, digest);
            found.push_back(std::move(details));
        }
        return found;
    });
}

void Catalog::record_deletions(const std::vector<Deletion>& deletions) {
    with_catalog_errors(impl().path, "journal deletions", [&] {
        impl_->check_writable("cannot journal deletions");
        std::optional<SQLite::Transaction> transaction;
        if (sqlite3_get_autocommit(impl_->db.getHandle())) transaction.emplace(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
        Statement insert(impl_->db, "INSERT INTO deletions (repository_id, digest, tags, deleted_at, command, size, "
                                    "policy_file, policy_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        for (const Deletion& deletion : deletions) {
            if (!is_sha256_digest(deletion.digest)) {
                throw InputError("deletion of " + detail::quoted(deletion.digest) + ": not a sha256 digest");
            }
            if (deletion.command != "prune" && deletion.command != "delete") {
                throw InputError("deletion of " + deletion.digest + ": command " + detail::quoted(deletion.command) +
                                 " is not prune or delete");
            }
            std::vector<std::string> tags = deletion.tags;
            std::sort(tags.begin(), tags.end());
            const std::int64_t repository = impl_->repository_id(CollectionSpec{deletion.repository});
            insert.reset();
            SQLite::bind(insert, repository, deletion.digest, joined(tags), format_timestamp(deletion.deleted_at),
                         deletion.command);
            bind_optional(insert, 6, deletion.size);
            bind_optional(insert, 7, deletion.policy_file);
            bind_optional(insert, 8, deletion.policy_sha256);
            insert.exec();
        }
        if (transaction) transaction->commit();
    });
}

std::vector<Deletion> Catalog::deletions(const std::optional<RepositoryName>& repository,
                                         std::optional<std::int64_t> limit) const {
    return with_catalog_errors(impl().path, "list its deletions", [&]() -> std::vector<Deletion> {
        ReadTransaction read(impl_->db);
        std::optional<std::int64_t> repository_id;
        if (repository) repository_id = impl_->repository_id(CollectionSpec{*repository});
        Statement s(impl_->db,
                    "SELECT d.id, r.registry, r.repository, d.digest, d.tags, d.size, d.deleted_at, d.command, "
                    "d.policy_file, d.policy_sha256 FROM deletions d JOIN repositories r ON r.id = d.repository_id "
                    "WHERE ?1 IS NULL OR d.repository_id = ?1 ORDER BY d.deleted_at DESC, d.id DESC LIMIT ?2");
        bind_optional(s, 1, repository_id);
        // A negative LIMIT is none; a limit below 1 asks for nothing.
        s.bind(2, limit ? std::max<std::int64_t>(*limit, 0) : std::int64_t{-1});
        std::vector<Deletion> out;
        while (s.executeStep()) {
            Deletion deletion;
            deletion.id = s.getColumn(0).getInt64();
            deletion.repository = {s.getColumn(1).getString(), s.getColumn(2).getString()};
            deletion.digest = s.getColumn(3).getString();
            deletion.tags = split_spaced(s.getColumn(4).getString());
            if (!s.getColumn(5).isNull()) deletion.size = s.getColumn(5).getInt64();
            deletion.deleted_at = stored_time(s.getColumn(6), "deletions.deleted_at").value_or(Timestamp{});
            deletion.command = s.getColumn(7).getString();
            if (!s.getColumn(8).isNull()) deletion.policy_file = s.getColumn(8).getString();
            if (!s.getColumn(9).isNull()) deletion.policy_sha256 = s.getColumn(9).getString();
            out.push_back(std::move(deletion));
        }
        return out;
    });
}

}  // namespace rspcat
