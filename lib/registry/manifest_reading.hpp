// Manifests, indexes and image configs as the registry sends them, read into what the catalog
// keeps (rspcat::ManifestDetails). No HTTP here: the client fetches, these functions read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rspcat/manifest.hpp"
#include "rspcat/time.hpp"

namespace rspcat::registry::detail {

// A blob a manifest references: its config or one of its layers.
struct BlobReference {
    std::string digest;
    std::int64_t size = 0;
    bool operator==(const BlobReference&) const = default;
};

// One manifest document. An index lists platforms; an image manifest, its config and layers.
struct ManifestDocument {
    std::string media_type;
    bool is_index = false;
    std::vector<Platform> platforms;      // index entries, in order
    std::optional<BlobReference> config;  // image manifests
    std::vector<BlobReference> layers;    // image manifests
};

// Reads a manifest or index (OCI or Docker v2 schema 2). The media type is the document's own
// `mediaType`, else `content_type` (the Content-Type header, parameters dropped). Throws
// std::invalid_argument saying what is wrong: not JSON, an unknown media type (Docker's old
// schema 1 among them), a blob or platform entry without a sha256 digest or a size.
ManifestDocument read_manifest(std::string_view body, std::string_view content_type);

// The `created` of an image config, or nullopt when it has none or one that is not a time.
// Throws std::invalid_argument when the config is not a JSON object.
std::optional<Timestamp> read_config_created(std::string_view body);

// Bytes of the distinct blobs of `documents` (each blob once, however many platforms share it).
// Throws std::invalid_argument when the sum would not fit an int64.
std::int64_t distinct_blob_bytes(const std::vector<ManifestDocument>& documents);

}  // namespace rspcat::registry::detail
