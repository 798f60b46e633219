// RSP image tags as plain values: the grammar parse and the alias parse (model.md §1.2, 1.3),
// comparison and menu order (model.md §1.5) and tag JSON (model.md §5). No SQLite in here.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rspcat/export.hpp"
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

// The name of the type (model.md §1.1): "Alias", …, "Release Candidate", …
RSPCAT_API std::string_view type_name(ImageType type);

// Accepts that name and the command-line spellings (`alias`, `release`, `weekly`, `daily`,
// `candidate`, `release-candidate`, `experimental`, `unknown`), case-insensitively.
RSPCAT_API std::optional<ImageType> image_type_from_name(std::string_view name);

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

// The grammar parse (model.md §1.2). Never fails: any byte string is some tag.
RSPCAT_API Tag parse_tag(std::string_view tag);

// An integer field of a tag, with its digits as written: display names keep them (`c0020`).
struct TagNumber {
    std::int64_t value = 0;
    std::string_view text;

    bool operator==(const TagNumber&) const = default;
};

// A tag's version as written: MAJ.MIN.PAT of a release, YEAR.WEEK.0 of a weekly (patch without
// text), YEAR.MONTH.DAY of a daily, and a candidate's `rcN` as the prerelease.
struct TagVersion {
    TagNumber major, minor, patch;
    std::optional<std::string_view> prerelease;

    bool operator==(const TagVersion&) const = default;
};

// The grammar parse as views into the text, which must outlive it: nothing is copied or
// allocated, and the display name and date are computed on demand. parse_tag() is this made into
// a Tag; code that needs a field or two of many tags (the SQL accessors, the rsp_tag collation)
// reads it directly.
struct TagView {
    // Each member as its declaration says. Written out, and not constexpr: otherwise GCC sets
    // the struct up as a constant, clearing all of its 300 bytes first with `rep stos`, which
    // costs as much as parsing a short tag.
    TagView() noexcept {}

    std::string_view tag;  // as given, except that '' is `latest`
    ImageType type = ImageType::unknown;
    ImageType inner_type = ImageType::unknown;  // the type under the `exp_` prefixes
    std::size_t experimental_depth = 0;         // how many `exp_` prefixes there are
    std::optional<TagVersion> version;
    std::optional<std::string_view> base;
    std::optional<TagNumber> cycle;
    std::optional<TagNumber> cycle_build;
    std::optional<TagNumber> rsp_build;
    std::optional<std::string_view> architecture;
    std::optional<std::string_view> extra;

    bool operator==(const TagView&) const = default;
};

RSPCAT_API TagView parse_tag_view(std::string_view tag);

// The version as a SemVer value (what Tag::version holds).
RSPCAT_API SemVer to_semver(const TagVersion& version);

// The display name of a grammar parse (model.md §1.2), appended to `out`.
RSPCAT_API void append_display_name(std::string& out, const TagView& tag);

// When a weekly or daily image was built (midnight UTC), or nullopt.
RSPCAT_API std::optional<std::chrono::sys_days> tag_date(const TagView& tag);

// The parse of a tag that the operator declared to be an alias (model.md §1.3).
RSPCAT_API Tag parse_alias_tag(std::string_view tag);

// model.md §1.5 comparison of two tags of the same type: -1, 0 or 1. Different tags can compare
// equal. nullopt when the types differ.
RSPCAT_API std::optional<int> compare_tags(const Tag& a, const Tag& b);
RSPCAT_API std::optional<int> compare_tags(const TagView& a, const TagView& b);

// The order behind the `rsp_tag` collation: types in reverse priority (Unknown first), then
// compare_tags, then the bytes of Tag::tag. Descending is menu order. The parse stores '' as
// `latest`, so those two tie here; the collation breaks that tie on the raw text.
RSPCAT_API int collate_tags(const Tag& a, const Tag& b);
RSPCAT_API int collate_tags(const TagView& a, const TagView& b);

// Bytes whose memcmp order is the order of the `rsp_tag` collation on tag text: collate_tags of
// the parses, then the raw bytes. Equal keys exactly for equal text. What rsp_tag_sort_key()
// returns, so that an index or a stored column can hold menu order.
RSPCAT_API std::string tag_sort_key(std::string_view tag);
RSPCAT_API void append_tag_sort_key(std::string& out, std::string_view tag);
// The key of a parse, appended to `out`: memcmp order is collate_tags, without the raw-bytes
// tie-break (so '' and `latest` get one key).
RSPCAT_API void append_sort_key(std::string& out, const TagView& tag);

// model.md §1.3 Title(): `_` becomes a space, a letter after a non-letter is upper-cased, other
// letters lower-cased (ASCII only).
RSPCAT_API std::string title_case(std::string_view text);

// `YYYY-MM-DD HH:MM:SS` with the year not zero-padded.
RSPCAT_API std::string format_date(std::chrono::sys_days day);

// Tag JSON (model.md §5): an object with exactly the fields of model.md §1. From a TagView it is the JSON
// of the Tag that parse_tag() makes, written without making it.
RSPCAT_API std::string to_json(const Tag& tag);
RSPCAT_API std::string to_json(const TagView& tag);
RSPCAT_API void append_json(std::string& out, const Tag& tag);
RSPCAT_API void append_json(std::string& out, const TagView& tag);
// The members of tag JSON without the braces, for objects that extend it (image JSON).
RSPCAT_API void append_json_fields(std::string& out, const Tag& tag);

}  // namespace rspcat
