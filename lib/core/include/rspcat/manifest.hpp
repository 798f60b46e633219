// What a registry says an image is, beyond its digest: read from its manifest (and, for each
// platform, its config blob) once, since a digest's content never changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/export.hpp"
#include "rspcat/time.hpp"

namespace rspcat {

// One entry of a multi-platform index: the image for os/architecture[/variant].
struct Platform {
    std::string os;
    std::string architecture;
    std::optional<std::string> variant;
    std::string digest;  // the platform's own manifest
    bool operator==(const Platform&) const = default;
};

struct ManifestDetails {
    std::string digest;      // the manifest's, with its `sha256:` prefix
    std::string media_type;  // an OCI or Docker manifest or index type
    // Bytes of the distinct blobs (configs and layers) the image references, over all platforms
    // of an index: what deleting it could free, and what pulling every platform downloads.
    std::int64_t size = 0;
    // The config's `created`; for an index, the newest of its platforms'. nullopt when no
    // config says.
    std::optional<Timestamp> created;
    std::vector<Platform> platforms;  // an index's entries, in its order; empty for one image
    bool operator==(const ManifestDetails&) const = default;
};

// `linux/amd64`, `linux/arm/v7`.
RSPCAT_API std::string platform_name(const Platform& platform);

}  // namespace rspcat
