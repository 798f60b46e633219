// Byte-level helpers shared by the hand-written parsers. Only '0'-'9' are digits and only
// ASCII letters are letters, whatever the locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rspcat::detail {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
constexpr bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// End of the run of digits that starts at `from` (== from when there is none).
inline std::size_t digits_end(std::string_view s, std::size_t from) {
    while (from < s.size() && is_digit(s[from])) ++from;
    return from;
}

inline bool all_digits(std::string_view s) {
    return !s.empty() && digits_end(s, 0) == s.size();
}

// The value of a non-empty run of digits (leading zeros allowed), or nullopt when it does not
// fit in a signed 64-bit integer.
inline std::optional<std::int64_t> to_int64(std::string_view digits) {
    constexpr std::int64_t max = INT64_MAX;
    std::int64_t value = 0;
    for (char c : digits) {
        const int d = c - '0';
        if (value > (max - d) / 10) return std::nullopt;
        value = value * 10 + d;
    }
    return value;
}

}  // namespace rspcat::detail
