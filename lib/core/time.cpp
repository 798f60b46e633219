#include "rspcat/time.hpp"

#include <date/date.h>

#include "digits.hpp"

namespace rspcat {

namespace {

// Reads exactly `width` digits at `p`.
std::optional<int> fixed_digits(std::string_view s, std::size_t& p, std::size_t width) {
    if (p + width > s.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = 0; i < width; ++i) {
        if (!detail::is_digit(s[p + i])) return std::nullopt;
        value = value * 10 + (s[p + i] - '0');
    }
    p += width;
    return value;
}

bool take(std::string_view s, std::size_t& p, char c) {
    if (p >= s.size() || s[p] != c) return false;
    ++p;
    return true;
}

}  // namespace

std::optional<Timestamp> parse_timestamp(std::string_view s) {
    std::size_t p = 0;
    const auto year = fixed_digits(s, p, 4);
    if (!year || !take(s, p, '-')) return std::nullopt;
    const auto month = fixed_digits(s, p, 2);
    if (!month || !take(s, p, '-')) return std::nullopt;
    const auto day = fixed_digits(s, p, 2);
    if (!day) return std::nullopt;
    const date::year_month_day ymd{date::year{*year}, date::month{static_cast<unsigned>(*month)},
                                   date::day{static_cast<unsigned>(*day)}};
    if (!ymd.ok()) return std::nullopt;
    std::chrono::seconds time_of_day{0};
    std::chrono::seconds offset{0};
    if (p < s.size()) {
        if (s[p] != 'T' && s[p] != 't' && s[p] != ' ') return std::nullopt;
        ++p;
        const auto hour = fixed_digits(s, p, 2);
        if (!hour || !take(s, p, ':')) return std::nullopt;
        const auto minute = fixed_digits(s, p, 2);
        if (!minute) return std::nullopt;
        int second = 0;
        if (take(s, p, ':')) {
            const auto sec = fixed_digits(s, p, 2);
            if (!sec) return std::nullopt;
            second = *sec;
            if (take(s, p, '.') || take(s, p, ',')) {
                const std::size_t start = p;
                p = detail::digits_end(s, p);
                if (p == start) return std::nullopt;
            }
        }
        if (*hour > 23 || *minute > 59 || second > 59) return std::nullopt;
        time_of_day = std::chrono::hours{*hour} + std::chrono::minutes{*minute} + std::chrono::seconds{second};
        if (p < s.size()) {
            if (s[p] == 'Z' || s[p] == 'z') {
                ++p;
            } else if (s[p] == '+' || s[p] == '-') {
                const int sign = s[p] == '-' ? -1 : 1;
                ++p;
                const auto oh = fixed_digits(s, p, 2);
                if (!oh) return std::nullopt;
                take(s, p, ':');
                const auto om = fixed_digits(s, p, 2);
                if (!om || *oh > 23 || *om > 59) return std::nullopt;
                offset = sign * (std::chrono::hours{*oh} + std::chrono::minutes{*om});
            }
        }
    }
    if (p != s.size()) return std::nullopt;
    const auto days = date::sys_days{ymd}.time_since_epoch();
    return Timestamp{std::chrono::duration_cast<std::chrono::seconds>(days) + time_of_day - offset};
}

std::string format_timestamp(Timestamp t) {
    const auto day = std::chrono::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999) {
        // %Y rather than %F: date's %F pads year -1 as `00-1`; %Y writes `-0001`.
        return date::format("%Y-%m-%dT%H:%M:%SZ", t);
    }
    // Written by hand: date::format goes through a locale-aware stream, which was a sixth of
    // `rspcat history` on a timeline of thousands of entries.
    const date::hh_mm_ss<std::chrono::seconds> time{t - day};
    std::string text = "0000-00-00T00:00:00Z";
    auto put = [&text](std::size_t end, unsigned value, int width) {
        for (int i = 0; i < width; ++i, value /= 10) text[end - static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
    };
    put(3, static_cast<unsigned>(year), 4);
    put(6, static_cast<unsigned>(ymd.month()), 2);
    put(9, static_cast<unsigned>(ymd.day()), 2);
    put(12, static_cast<unsigned>(time.hours().count()), 2);
    put(15, static_cast<unsigned>(time.minutes().count()), 2);
    put(18, static_cast<unsigned>(time.seconds().count()), 2);
    return text;
}

Timestamp now_utc() { return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()); }

}  // namespace rspcat
