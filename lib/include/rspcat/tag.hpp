// RSP image tags as plain values: the grammar parse and the alias parse (SPEC 1.2, 1.3),
// comparison and menu order (SPEC 1.5) and tag JSON (SPEC 5). No SQLite in here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rspcat/semver.hpp"

namespace rspcat {

// In menu priority order: Alias first, Unknown last.
enum class ImageType : std::uint8_t {
    alias,
    release,
    weekly,
    daily,
    candidate,
    experimental,
    unknown,
};

inline constexpr int image_type_count = 7;

// The SPEC's name of the type: "Alias", …, "Release Candidate", …
std::string_view type_name(ImageType type);

// Accepts the SPEC name and the command-line spellings (`alias`, `release`, `weekly`, `daily`,
// `candidate`, `release-candidate`, `experimental`, `unknown`), case-insensitively.
std::optional<ImageType> image_type_from_name(std::string_view name);

struct Tag {
    std::string tag;
    ImageType type = ImageType::unknown;
    std::string display_name;
    std::optional<SemVer> version;
    std::optional<std::string> base;
    std::optional<std::int64_t> cycle;
    std::optional<std::int64_t> cycle_build;
    std::optional<std::int64_t> rsp_build;
    std::optional<std::string> architecture;
    std::optional<std::string> extra;
    std::optional<std::chrono::sys_days> date;  // always midnight UTC

    bool operator==(const Tag&) const = default;
};

// The grammar parse (SPEC 1.2). Never fails: any byte string is some tag.
Tag parse_tag(std::string_view tag);

// The parse of a tag that the operator declared to be an alias (SPEC 1.3).
Tag parse_alias_tag(std::string_view tag);

// SPEC 1.5 comparison of two tags of the same type: -1, 0 or 1. Different tags can compare
// equal. nullopt when the types differ.
std::optional<int> compare_tags(const Tag& a, const Tag& b);

// The order behind the `rsp_tag` collation: types in reverse priority (Unknown first), then
// compare_tags, then the bytes of Tag::tag. Descending is menu order. The parse stores '' as
// `latest`, so those two tie here; the collation breaks that tie on the raw text.
int collate_tags(const Tag& a, const Tag& b);

// SPEC 1.3 Title(): `_` becomes a space, a letter after a non-letter is upper-cased, other
// letters lower-cased (ASCII only).
std::string title_case(std::string_view text);

// `YYYY-MM-DD HH:MM:SS` with the year not zero-padded.
std::string format_date(std::chrono::sys_days day);

// Tag JSON (SPEC 5): an object with exactly the SPEC 1 fields.
std::string to_json(const Tag& tag);
void append_json(std::string& out, const Tag& tag);
// The members of tag JSON without the braces, for objects that extend it (image JSON).
void append_json_fields(std::string& out, const Tag& tag);

}  // namespace rspcat
