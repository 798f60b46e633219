// Images (model.md §2) as plain values: a tag in a repository, with its digest and what the catalog
// knows about it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/export.hpp"
#include "rspcat/manifest.hpp"
#include "rspcat/tag.hpp"

namespace rspcat {

struct Image {
    Tag tag;  // with alias resolution applied
    std::string registry;
    std::string repository;
    std::string digest;  // with its `sha256:` prefix
    std::optional<std::int64_t> size;
    std::vector<std::string> aliases;  // every other tag on the same digest, sorted
    std::optional<std::string> alias_target;
    std::vector<std::string> nodes;  // sorted
    // From the digest's manifest, when the catalog has read it (`rspcat sync`): unknown for
    // images known only from listing files.
    std::optional<Timestamp> created;
    std::vector<Platform> platforms;  // a multi-platform index's entries

    // `{registry}/{repository}:{tag}`
    RSPCAT_API std::string reference() const;
    // reference() + `@{digest}`
    RSPCAT_API std::string reference_with_digest() const;

    bool operator==(const Image&) const = default;
};

// Image JSON (model.md §5): the tag keys plus registry, repository, digest, size, aliases,
// alias_target, nodes, reference and reference_with_digest; then, beyond model.md, created
// (ISO 8601 UTC or null) and platforms ([{"os", "architecture", "variant", "digest"}, …]).
RSPCAT_API std::string to_json(const Image& image);
RSPCAT_API void append_json(std::string& out, const Image& image);

}  // namespace rspcat
