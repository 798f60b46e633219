// The catalog's manifest tables, for its ingest and its queries.
#pragma once

#include <SQLiteCpp/Database.h>

#include <cstdint>
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

}  // namespace rspcat::detail
