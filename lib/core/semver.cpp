#include "rspcat/semver.hpp"

#include <algorithm>

#include "digits.hpp"
#include "json_text.hpp"

namespace rspcat {

namespace {

using detail::all_digits;
using detail::is_digit;
using detail::is_letter;

// A SemVer numeric identifier: `0` or digits without a leading zero.
bool is_numeric_identifier(std::string_view s) {
    return all_digits(s) && (s.size() == 1 || s[0] != '0');
}

bool is_identifier(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return is_digit(c) || is_letter(c) || c == '-';
    });
}

// Dot-separated identifiers; numeric ones must not have leading zeros when `strict_numbers`.
bool is_dotted(std::string_view s, bool strict_numbers) {
    if (s.empty()) return false;
    std::size_t start = 0;
    while (true) {
        const std::size_t dot = s.find('.', start);
        const std::string_view part = s.substr(start, dot == std::string_view::npos ? s.size() - start : dot - start);
        if (!is_identifier(part)) return false;
        if (strict_numbers && all_digits(part) && !is_numeric_identifier(part)) return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

std::optional<std::int64_t> parse_core_number(std::string_view s) {
    if (!is_numeric_identifier(s)) return std::nullopt;
    return detail::to_int64(s);
}

int compare_numeric_text(std::string_view a, std::string_view b) {
    // Numeric identifiers may be longer than 64 bits: compare without leading zeros by length,
    // then digit by digit.
    a.remove_prefix(std::min(a.find_first_not_of('0'), a.size()));
    b.remove_prefix(std::min(b.find_first_not_of('0'), b.size()));
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    const int c = a.compare(b);
    return (c > 0) - (c < 0);
}

int compare_int(std::int64_t a, std::int64_t b) { return (a > b) - (a < b); }

}  // namespace

int compare_prerelease(std::string_view a, std::string_view b) {
    while (true) {
        const std::size_t da = a.find('.');
        const std::size_t db = b.find('.');
        const std::string_view ia = a.substr(0, da);
        const std::string_view ib = b.substr(0, db);
        const bool na = all_digits(ia);
        const bool nb = all_digits(ib);
        int c = 0;
        if (na && nb) {
            c = compare_numeric_text(ia, ib);
        } else if (na != nb) {
            c = na ? -1 : 1;  // numeric identifiers sort before alphanumeric ones
        } else {
            const int r = ia.compare(ib);
            c = (r > 0) - (r < 0);
        }
        if (c != 0) return c;
        const bool more_a = da != std::string_view::npos;
        const bool more_b = db != std::string_view::npos;
        if (!more_a || !more_b) return more_a == more_b ? 0 : (more_a ? 1 : -1);
        a.remove_prefix(da + 1);
        b.remove_prefix(db + 1);
    }
}

std::optional<SemVer> parse_semver(std::string_view text) {
    SemVer v;
    std::string_view rest = text;
    const std::size_t plus = rest.find('+');
    if (plus != std::string_view::npos) {
        const std::string_view build = rest.substr(plus + 1);
        if (!is_dotted(build, false)) return std::nullopt;
        v.build = std::string(build);
        rest = rest.substr(0, plus);
    }
    const std::size_t dash = rest.find('-');
    if (dash != std::string_view::npos) {
        const std::string_view pre = rest.substr(dash + 1);
        if (!is_dotted(pre, true)) return std::nullopt;
        v.prerelease = std::string(pre);
        rest = rest.substr(0, dash);
    }
    const std::size_t dot1 = rest.find('.');
    if (dot1 == std::string_view::npos) return std::nullopt;
    const std::size_t dot2 = rest.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos) return std::nullopt;
    const auto major = parse_core_number(rest.substr(0, dot1));
    const auto minor = parse_core_number(rest.substr(dot1 + 1, dot2 - dot1 - 1));
    const auto patch = parse_core_number(rest.substr(dot2 + 1));
    if (!major || !minor || !patch) return std::nullopt;
    v.major = *major;
    v.minor = *minor;
    v.patch = *patch;
    return v;
}

int compare_semver(const SemVer& a, const SemVer& b) {
    if (int c = compare_int(a.major, b.major)) return c;
    if (int c = compare_int(a.minor, b.minor)) return c;
    if (int c = compare_int(a.patch, b.patch)) return c;
    if (a.prerelease.has_value() != b.prerelease.has_value()) return a.prerelease ? -1 : 1;
    if (!a.prerelease) return 0;
    return compare_prerelease(*a.prerelease, *b.prerelease);
}

std::string prerelease_sort_key(std::string_view prerelease) {
    std::string key;
    std::size_t start = 0;
    while (start <= prerelease.size()) {
        const std::size_t dot = prerelease.find('.', start);
        std::string_view id = prerelease.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (all_digits(id)) {
            id.remove_prefix(std::min(id.find_first_not_of('0'), id.size() - 1));
            key.push_back('\x01');
            key.push_back(static_cast<char>((id.size() >> 8) & 0xFF));  // longer numbers are larger
            key.push_back(static_cast<char>(id.size() & 0xFF));
            key.append(id);
        } else {
            key.push_back('\x02');
            key.append(id);
            key.push_back('\x00');
        }
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    key.push_back('\x00');  // the end of the list sorts before any further identifier
    return key;
}

std::string to_string(const SemVer& v) {
    std::string out;
    json::append_int(out, v.major);
    out.push_back('.');
    json::append_int(out, v.minor);
    out.push_back('.');
    json::append_int(out, v.patch);
    if (v.prerelease) out.append("-").append(*v.prerelease);
    if (v.build) out.append("+").append(*v.build);
    return out;
}

void append_json(std::string& out, const SemVer& v) {
    out.append("{\"major\":");
    json::append_int(out, v.major);
    out.append(",\"minor\":");
    json::append_int(out, v.minor);
    out.append(",\"patch\":");
    json::append_int(out, v.patch);
    out.append(",\"prerelease\":");
    json::append_optional(out, v.prerelease);
    out.append(",\"build\":");
    json::append_optional(out, v.build);
    out.push_back('}');
}

}  // namespace rspcat
