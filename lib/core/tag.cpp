// Tag types, comparison, menu order and tag JSON (model.md §1.1, 1.5, 5).
#include <date/date.h>

#include <algorithm>
#include <array>
#include <charconv>

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
