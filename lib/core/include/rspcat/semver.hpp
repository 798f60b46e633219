// Semantic versions (SemVer 2.0.0) as plain values: parsing, precedence, text and JSON forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rspcat/export.hpp"

namespace rspcat {

struct SemVer {
    std::int64_t major = 0;
    std::int64_t minor = 0;
    std::int64_t patch = 0;
    std::optional<std::string> prerelease;  // dot-separated identifiers, without the '-'
    std::optional<std::string> build;       // build metadata, without the '+'; ignored by precedence

    bool operator==(const SemVer&) const = default;
};

// Strict SemVer 2.0.0 text (`1.2.3`, `1.0.0-rc.1+build.5`); nullopt when the text is not one,
// including numbers with leading zeros or that do not fit in 64 bits.
RSPCAT_API std::optional<SemVer> parse_semver(std::string_view text);

// SemVer 2.0.0 precedence: -1, 0 or 1. Build metadata is ignored.
RSPCAT_API int compare_semver(const SemVer& a, const SemVer& b);

// SemVer 2.0.0 precedence of two prerelease identifier lists (`rc.1`, without the '-'): numeric
// identifiers by value and before alphanumeric ones, a shorter list first. -1, 0 or 1.
RSPCAT_API int compare_prerelease(std::string_view a, std::string_view b);

// Bytes whose memcmp order is SemVer precedence of prerelease identifier lists (numeric before
// alphanumeric, numbers by value, a shorter list first), for ORDER BY in plain SQL.
RSPCAT_API std::string prerelease_sort_key(std::string_view prerelease);

// `MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`
RSPCAT_API std::string to_string(const SemVer& v);

// `{"major":…,"minor":…,"patch":…,"prerelease":…|null,"build":…|null}`
RSPCAT_API void append_json(std::string& out, const SemVer& v);

}  // namespace rspcat
