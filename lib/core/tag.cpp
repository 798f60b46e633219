// Tag types, comparison, menu order and tag JSON (model.md §1.1, 1.5, 5).
#include <date/date.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "digits.hpp"
#include "json_text.hpp"
#include "rspcat/tag.hpp"

namespace rspcat {

namespace {

constexpr std::array<std::string_view, image_type_count> type_names = {
    "Alias", "Release", "Weekly", "Daily", "Release Candidate", "Experimental", "Unknown",
};

int sign(int c) { return (c > 0) - (c < 0); }

int compare_int(std::int64_t a, std::int64_t b) { return (a > b) - (a < b); }

int compare_optional(const std::optional<TagNumber>& a, const std::optional<TagNumber>& b) {
    if (a.has_value() != b.has_value()) return a ? 1 : -1;
    return a ? compare_int(a->value, b->value) : 0;
}

// A missing string sorts first, unless `missing_last`.
int compare_optional(const std::optional<std::string_view>& a, const std::optional<std::string_view>& b,
                     bool missing_last = false) {
    if (a.has_value() != b.has_value()) return (a.has_value() == missing_last) ? -1 : 1;
    if (!a) return 0;
    return sign(a->compare(*b));
}

// SemVer precedence (compare_semver(), without making SemVer values).
int compare_versions(const TagVersion& a, const TagVersion& b) {
    if (int c = compare_int(a.major.value, b.major.value)) return c;
    if (int c = compare_int(a.minor.value, b.minor.value)) return c;
    if (int c = compare_int(a.patch.value, b.patch.value)) return c;
    if (a.prerelease.has_value() != b.prerelease.has_value()) return a.prerelease ? -1 : 1;
    return a.prerelease ? compare_prerelease(*a.prerelease, *b.prerelease) : 0;
}

int compare_same_type(const TagView& a, const TagView& b) {
    const int first = (a.version && b.version) ? compare_versions(*a.version, *b.version)
                                               : compare_optional(a.base, b.base);
    if (first != 0) return first;
    if (int c = compare_optional(a.cycle, b.cycle)) return c;
    if (int c = compare_optional(a.cycle_build, b.cycle_build)) return c;
    if (int c = compare_optional(a.rsp_build, b.rsp_build)) return c;
    if (int c = compare_optional(a.extra, b.extra)) return c;
    // A missing architecture sorts last, so that descending menu order puts the generic image
    // before its architecture-specific builds.
    return compare_optional(a.architecture, b.architecture, true);
}

std::optional<std::string_view> view_of(const std::optional<std::string>& text) {
    return text ? std::optional<std::string_view>(*text) : std::nullopt;
}

std::optional<TagNumber> view_of(const std::optional<std::int64_t>& n) {
    return n ? std::optional<TagNumber>(TagNumber{*n, {}}) : std::nullopt;
}

// The fields of a Tag that order it, as a TagView (which the comparison works on). Build
// metadata, the display name and the date play no part.
TagView view_of(const Tag& tag) {
    TagView view;
    view.tag = tag.tag;
    view.type = tag.type;
    if (tag.version) {
        view.version = TagVersion{{tag.version->major, {}}, {tag.version->minor, {}}, {tag.version->patch, {}},
                                  view_of(tag.version->prerelease)};
    }
    view.base = view_of(tag.base);
    view.cycle = view_of(tag.cycle);
    view.cycle_build = view_of(tag.cycle_build);
    view.rsp_build = view_of(tag.rsp_build);
    view.architecture = view_of(tag.architecture);
    view.extra = view_of(tag.extra);
    return view;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

}  // namespace

std::string_view type_name(ImageType type) { return type_names[static_cast<std::size_t>(type)]; }

std::optional<ImageType> image_type_from_name(std::string_view name) {
    for (int i = 0; i < image_type_count; ++i) {
        if (equals_ignoring_case(name, type_names[static_cast<std::size_t>(i)])) {
            return static_cast<ImageType>(i);
        }
    }
    if (equals_ignoring_case(name, "candidate") || equals_ignoring_case(name, "release-candidate") ||
        equals_ignoring_case(name, "release_candidate")) {
        return ImageType::candidate;
    }
    return std::nullopt;
}

std::optional<int> compare_tags(const TagView& a, const TagView& b) {
    if (a.type != b.type) return std::nullopt;
    return compare_same_type(a, b);
}

std::optional<int> compare_tags(const Tag& a, const Tag& b) { return compare_tags(view_of(a), view_of(b)); }

int collate_tags(const TagView& a, const TagView& b) {
    // Ascending order lists types in reverse priority: Unknown first, Alias last.
    if (a.type != b.type) return a.type > b.type ? -1 : 1;
    if (int c = compare_same_type(a, b)) return c;
    return sign(a.tag.compare(b.tag));
}

int collate_tags(const Tag& a, const Tag& b) { return collate_tags(view_of(a), view_of(b)); }

namespace {

// Sort-key pieces. Each is self-delimiting (none is a prefix of another of the same kind), so a
// field that differs decides the memcmp before any field after it is reached, as in
// collate_tags.

// A signed integer: a length byte, then the significant bytes, big-endian. Non-negative numbers
// take 0x80 + length, so more bytes sort later; negative ones take 0x7F - length and complement
// their bytes, so that -1 is the largest of them. Shorter than 8 fixed bytes for the small
// numbers tags hold, which keeps keys (and the sorter's records) small.
void append_key_int(std::string& out, std::int64_t value) {
    const bool negative = value < 0;
    const std::uint64_t magnitude = negative ? ~static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
    int length = 0;
    for (std::uint64_t rest = magnitude; rest != 0; rest >>= 8) ++length;
    out.push_back(static_cast<char>(negative ? 0x7F - length : 0x80 + length));
    for (int i = length - 1; i >= 0; --i) {
        const auto byte = static_cast<unsigned char>(magnitude >> (8 * i));
        out.push_back(static_cast<char>(negative ? static_cast<unsigned char>(~byte) : byte));
    }
}

// Text in byte order with a shorter prefix first: 0x00 is written 00 FF and the end 00 00, which
// sorts before any byte that could continue the text.
void append_key_text(std::string& out, std::string_view text) {
    while (true) {
        const std::size_t nul = text.find('\0');
        out.append(text.substr(0, nul));
        if (nul == std::string_view::npos) break;
        out.append("\0\xFF", 2);
        text.remove_prefix(nul + 1);
    }
    out.append("\0\0", 2);
}

// compare_prerelease() order on any bytes: each identifier starts with 01 (numeric: its digits
// without leading zeros, by length then digits, since compare_prerelease reads them as numbers
// of any size) or 02 (anything else, as text), and the list ends with 00, so a list sorts before
// its own continuations.
void append_key_prerelease(std::string& out, std::string_view prerelease) {
    while (true) {
        const std::size_t dot = prerelease.find('.');
        std::string_view id = prerelease.substr(0, dot);
        if (detail::all_digits(id)) {
            id.remove_prefix(std::min(id.find_first_not_of('0'), id.size()));
            out.push_back('\x01');
            append_key_int(out, static_cast<std::int64_t>(id.size()));
            out.append(id);
        } else {
            out.push_back('\x02');
            append_key_text(out, id);
        }
        if (dot == std::string_view::npos) break;
        prerelease.remove_prefix(dot + 1);
    }
    out.push_back('\x00');
}

// A missing number sorts first (compare_optional).
void append_key_number(std::string& out, const std::optional<TagNumber>& number) {
    if (!number) {
        out.push_back('\x00');
        return;
    }
    out.push_back('\x01');
    append_key_int(out, number->value);
}

}  // namespace

void append_sort_key(std::string& out, const TagView& tag) {
    // The fields of collate_tags and compare_same_type, in their order. Types ascend in reverse
    // priority: Unknown first.
    out.push_back(static_cast<char>(image_type_count - 1 - static_cast<int>(tag.type)));
    // compare_same_type compares versions when both tags have one, else bases with a missing one
    // first. A parse has a version or a base, never both (only rules 7 and 8 set a base), so: a
    // version (no base) before any base, versions among themselves, bases among themselves.
    if (tag.version) {
        out.push_back('\x01');
        append_key_int(out, tag.version->major.value);
        append_key_int(out, tag.version->minor.value);
        append_key_int(out, tag.version->patch.value);
        // A prerelease sorts before the release (SemVer).
        if (tag.version->prerelease) {
            out.push_back('\x01');
            append_key_prerelease(out, *tag.version->prerelease);
        } else {
            out.push_back('\x02');
        }
    } else if (tag.base) {
        out.push_back('\x02');
        append_key_text(out, *tag.base);
    } else {
        out.push_back('\x00');  // not made by the parse
    }
    append_key_number(out, tag.cycle);
    append_key_number(out, tag.cycle_build);
    append_key_number(out, tag.rsp_build);
    if (tag.extra) {  // missing first
        out.push_back('\x01');
        append_key_text(out, *tag.extra);
    } else {
        out.push_back('\x00');
    }
    if (tag.architecture) {  // missing last
        out.push_back('\x01');
        append_key_text(out, *tag.architecture);
    } else {
        out.push_back('\x02');
    }
    append_key_text(out, tag.tag);
}

void append_tag_sort_key(std::string& out, std::string_view tag) {
    append_sort_key(out, parse_tag_view(tag));
    // The collation's last tie-break, on the raw bytes: it only separates '' from `latest`, whose
    // parses are the same, and '' is the shorter.
    out.push_back(tag.empty() ? '\x00' : '\x01');
}

std::string tag_sort_key(std::string_view tag) {
    std::string key;
    key.reserve(48 + tag.size());
    append_tag_sort_key(key, tag);
    return key;
}

namespace {

// `YYYY-MM-DD 00:00:00` into `buffer`, which must hold 32 bytes; returns its length.
std::size_t write_date(char* buffer, std::chrono::sys_days day) {
    const date::year_month_day ymd{date::sys_days{date::days{day.time_since_epoch().count()}}};
    char* p = std::to_chars(buffer, buffer + 12, static_cast<int>(ymd.year())).ptr;
    for (const unsigned n : {static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())}) {
        *p++ = '-';
        *p++ = static_cast<char>('0' + n / 10);
        *p++ = static_cast<char>('0' + n % 10);
    }
    constexpr std::string_view midnight = " 00:00:00";
    p = std::copy(midnight.begin(), midnight.end(), p);
    return static_cast<std::size_t>(p - buffer);
}

// Tag JSON has the same members whether it is written from a Tag or straight from a TagView (as
// rsp_parse_tag() does, without making a Tag); these overloads read one or the other.
void append_display_name_json(std::string& out, const Tag& tag) { json::append_string(out, tag.display_name); }

void append_display_name_json(std::string& out, const TagView& tag) {
    // Written in place, then escaped only if it has to be (it holds parts of the tag).
    const std::size_t start = out.size() + 1;
    out.push_back('"');
    append_display_name(out, tag);
    if (json::needs_escaping(std::string_view(out).substr(start))) {
        const std::string name = out.substr(start);
        out.resize(start - 1);
        json::append_string(out, name);
        return;
    }
    out.push_back('"');
}

void append_version_json(std::string& out, const std::optional<SemVer>& version) {
    if (version) {
        append_json(out, *version);
    } else {
        out.append("null");
    }
}

void append_version_json(std::string& out, const std::optional<TagVersion>& version) {
    if (version) {
        append_json(out, to_semver(*version));
    } else {
        out.append("null");
    }
}

std::optional<std::int64_t> value_of(const std::optional<std::int64_t>& n) { return n; }
std::optional<std::int64_t> value_of(const std::optional<TagNumber>& n) {
    return n ? std::optional<std::int64_t>(n->value) : std::nullopt;
}

std::optional<std::chrono::sys_days> date_of(const Tag& tag) { return tag.date; }
std::optional<std::chrono::sys_days> date_of(const TagView& tag) { return tag_date(tag); }

template <typename T>  // Tag or TagView
void write_json_fields(std::string& out, const T& tag) {
    out.append("\"tag\":");
    json::append_string(out, tag.tag);
    out.append(",\"image_type\":\"").append(type_name(tag.type)).append("\",\"display_name\":");
    append_display_name_json(out, tag);
    out.append(",\"version\":");
    append_version_json(out, tag.version);
    out.append(",\"base\":");
    json::append_optional(out, tag.base);
    out.append(",\"cycle\":");
    json::append_optional(out, value_of(tag.cycle));
    out.append(",\"cycle_build\":");
    json::append_optional(out, value_of(tag.cycle_build));
    out.append(",\"rsp_build\":");
    json::append_optional(out, value_of(tag.rsp_build));
    out.append(",\"architecture\":");
    json::append_optional(out, tag.architecture);
    out.append(",\"extra\":");
    json::append_optional(out, tag.extra);
    out.append(",\"date\":");
    if (const auto date = date_of(tag)) {
        char buffer[32];
        out.push_back('"');
        out.append(buffer, write_date(buffer, *date));
        out.push_back('"');
    } else {
        out.append("null");
    }
}

}  // namespace

std::string format_date(std::chrono::sys_days day) {
    char buffer[32];
    return std::string(buffer, write_date(buffer, day));
}

void append_json_fields(std::string& out, const Tag& tag) { write_json_fields(out, tag); }

void append_json(std::string& out, const Tag& tag) {
    out.push_back('{');
    write_json_fields(out, tag);
    out.push_back('}');
}

void append_json(std::string& out, const TagView& tag) {
    out.push_back('{');
    write_json_fields(out, tag);
    out.push_back('}');
}

std::string to_json(const Tag& tag) {
    std::string out;
    out.reserve(256 + tag.display_name.size() + tag.tag.size());
    append_json(out, tag);
    return out;
}

std::string to_json(const TagView& tag) {
    std::string out;
    out.reserve(320 + 2 * tag.tag.size());
    append_json(out, tag);
    return out;
}

}  // namespace rspcat
