// The catalog's manifest tables, for its ingest and its queries.
#pragma once

#include <SQLiteCpp/Database.h>

#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/image.hpp"
#include "rspcat/manifest.hpp"

namespace rspcat::detail {

// Records what a sync read of digests, as of `snapshot_id`; digests already recorded are left
// as they are. Throws InputError naming `source` for a manifest that cannot be right.
void record_manifests(SQLite::Database& db, std::int64_t snapshot_id, const std::vector<ManifestDetails>& manifests,
                      const std::string& source);

// Fills each image's `created` and `platforms` from the manifest tables, where they hold its digest.
void attach_manifests(SQLite::Database& db, std::vector<Image>& images);

// The same, one image at a time, for images that are streamed rather than collected: the
// statements are prepared once, and not at all when the catalog holds no manifests (most
// catalogs: listing files only), so that then attach() costs nothing.
class ManifestAttacher {
   public:
    explicit ManifestAttacher(SQLite::Database& db);
    void attach(Image& image);

   private:
    std::optional<SQLite::Statement> manifest_, platforms_;
};

}  // namespace rspcat::detail
