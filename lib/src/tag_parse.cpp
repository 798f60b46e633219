// The tag grammar of SPEC 1.2 and the alias parse of 1.3, written as plain byte scanning.
//
// The SPEC states the grammar as backtracking regular expressions. Each matcher here takes the
// first match such an engine would find, and explains why that match is unique where it is:
// digit runs are always maximal (what may follow a number never starts with a digit), and the
// only '-' that can start the architecture part is the tag's last one.
#include <date/date.h>
#include <date/iso_week.h>

#include <algorithm>
#include <array>

#include "digits.hpp"
#include "rspcat/tag.hpp"

namespace rspcat {

namespace {

using detail::digits_end;
using detail::is_lower_alnum;
using detail::to_int64;
using sv = std::string_view;
constexpr auto npos = sv::npos;

// The optional parts that follow a release, weekly or daily prefix, as written.
struct Suffix {
    std::optional<sv> cycle;
    std::optional<sv> cycle_build;
    std::optional<sv> rsp_build;
    std::optional<sv> extra;
    std::optional<sv> arch;
};

// `-` then one or more of [a-z0-9], running to the end of `s`.
bool is_arch_part(sv s) {
    return s.size() >= 2 && s[0] == '-' && std::all_of(s.begin() + 1, s.end(), is_lower_alnum);
}

// Where the architecture part of `s` starts, if `s` ends in one.
std::size_t arch_start(sv s) {
    const std::size_t dash = s.rfind('-');
    return dash != npos && is_arch_part(s.substr(dash)) ? dash : npos;
}

bool take_literal(sv s, std::size_t& p, sv literal) {
    if (s.substr(p).substr(0, literal.size()) != literal) return false;
    p += literal.size();
    return true;
}

std::optional<sv> take_digits(sv s, std::size_t& p) {
    const std::size_t end = digits_end(s, p);
    if (end == p) return std::nullopt;
    const sv digits = s.substr(p, end - p);
    p = end;
    return digits;
}

// C = `_c` N `.` N
bool take_cycle(sv s, std::size_t& p, Suffix& out) {
    std::size_t q = p;
    if (!take_literal(s, q, "_c")) return false;
    const auto cycle = take_digits(s, q);
    if (!cycle || !take_literal(s, q, ".")) return false;
    const auto build = take_digits(s, q);
    if (!build) return false;
    out.cycle = cycle;
    out.cycle_build = build;
    p = q;
    return true;
}

// B = `_rsp` N
bool take_rsp_build(sv s, std::size_t& p, Suffix& out) {
    std::size_t q = p;
    if (!take_literal(s, q, "_rsp")) return false;
    const auto build = take_digits(s, q);
    if (!build) return false;
    out.rsp_build = build;
    p = q;
    return true;
}

// R? A? then the end of the tag.
bool match_rest_and_arch(sv s, Suffix& out) {
    if (s.size() >= 2 && s[0] == '_') {
        // R is shortest-first, so it stops at the first place where A? can finish the tag:
        // before the architecture part when there is one that leaves R non-empty.
        const std::size_t dash = arch_start(s);
        if (dash != npos && dash >= 2) {
            out.extra = s.substr(1, dash - 1);
            out.arch = s.substr(dash + 1);
        } else {
            out.extra = s.substr(1);
        }
        return true;
    }
    if (s.empty()) return true;
    if (is_arch_part(s)) {
        out.arch = s.substr(1);
        return true;
    }
    return false;
}

// C? B? R? A? $, trying C and B present before absent, as a backtracking engine would.
std::optional<Suffix> match_suffix(sv s) {
    for (const bool want_cycle : {true, false}) {
        for (const bool want_build : {true, false}) {
            Suffix out;
            std::size_t p = 0;
            if (want_cycle && !take_cycle(s, p, out)) continue;
            if (want_build && !take_rsp_build(s, p, out)) continue;
            if (match_rest_and_arch(s.substr(p), out)) return out;
        }
    }
    return std::nullopt;
}

// Converts the suffix's numbers and appends its display parts; false when a number does not fit
// in 64 bits, which makes the whole rule fail.
bool apply_suffix(Tag& tag, const Suffix& s) {
    if (s.cycle) {
        tag.cycle = to_int64(*s.cycle);
        tag.cycle_build = to_int64(*s.cycle_build);
        if (!tag.cycle || !tag.cycle_build) return false;
        tag.display_name.append(" (SAL Cycle ").append(*s.cycle);
        tag.display_name.append(", Build ").append(*s.cycle_build).append(")");
    }
    if (s.rsp_build) {
        tag.rsp_build = to_int64(*s.rsp_build);
        if (!tag.rsp_build) return false;
        tag.display_name.append(" (RSP Build ").append(*s.rsp_build).append(")");
    }
    if (s.extra) {
        tag.extra = std::string(*s.extra);
        tag.display_name.append(" [").append(*s.extra).append("]");
    }
    if (s.arch) {
        tag.architecture = std::string(*s.arch);
        tag.display_name.append(" [").append(*s.arch).append("]");
    }
    return true;
}

void append_number(std::string& out, std::int64_t n) { out.append(std::to_string(n)); }

// Rules 1 and 2: `r` MAJ `_` MIN `_` PAT [`_rc` N] C B R A
std::optional<Tag> parse_release(sv text, bool candidate) {
    std::size_t p = 0;
    if (!take_literal(text, p, "r")) return std::nullopt;
    const auto major = take_digits(text, p);
    if (!major || !take_literal(text, p, "_")) return std::nullopt;
    const auto minor = take_digits(text, p);
    if (!minor || !take_literal(text, p, "_")) return std::nullopt;
    const auto patch = take_digits(text, p);
    if (!patch) return std::nullopt;
    std::optional<sv> rc;
    if (candidate) {
        const std::size_t rc_start = p + 1;
        if (!take_literal(text, p, "_rc") || !take_digits(text, p)) return std::nullopt;
        rc = text.substr(rc_start, p - rc_start);
    }
    const auto suffix = match_suffix(text.substr(p));
    if (!suffix) return std::nullopt;

    const auto maj = to_int64(*major), min = to_int64(*minor), pat = to_int64(*patch);
    if (!maj || !min || !pat) return std::nullopt;
    Tag tag;
    tag.type = candidate ? ImageType::candidate : ImageType::release;
    tag.version = SemVer{*maj, *min, *pat, rc ? std::optional<std::string>(*rc) : std::nullopt, {}};
    tag.display_name = candidate ? "Release Candidate r" : "Release r";
    append_number(tag.display_name, *maj);
    tag.display_name.push_back('.');
    append_number(tag.display_name, *min);
    tag.display_name.push_back('.');
    append_number(tag.display_name, *pat);
    if (rc) tag.display_name.append("-").append(*rc);
    if (!apply_suffix(tag, *suffix)) return std::nullopt;
    return tag;
}

// Rule 3: `r` D D D and nothing else (`r170` is 17.0.0).
std::optional<Tag> parse_old_release(sv text) {
    if (text.size() != 4 || text[0] != 'r' || digits_end(text, 1) != 4) return std::nullopt;
    Tag tag;
    tag.type = ImageType::release;
    const std::int64_t major = (text[1] - '0') * 10 + (text[2] - '0');
    const std::int64_t minor = text[3] - '0';
    tag.version = SemVer{major, minor, 0, {}, {}};
    tag.display_name = "Release r";
    append_number(tag.display_name, major);
    tag.display_name.push_back('.');
    append_number(tag.display_name, minor);
    tag.display_name.append(".0");
    return tag;
}

// Years that a tag may name: Python's datetime range, which nublado's dates come from.
std::optional<std::int64_t> valid_year(sv digits) {
    const auto year = to_int64(digits);
    if (!year || *year < 1 || *year > 9999) return std::nullopt;
    return year;
}

// Rule 4: `w_` YEAR `_` WEEK C B R A; the week must exist in that ISO year.
std::optional<Tag> parse_weekly(sv text) {
    std::size_t p = 0;
    if (!take_literal(text, p, "w_")) return std::nullopt;
    const auto year_text = take_digits(text, p);
    if (!year_text || !take_literal(text, p, "_")) return std::nullopt;
    const auto week_text = take_digits(text, p);
    if (!week_text) return std::nullopt;
    const auto suffix = match_suffix(text.substr(p));
    if (!suffix) return std::nullopt;

    const auto year = valid_year(*year_text);
    const auto week = to_int64(*week_text);
    if (!year || !week || *week < 1 || *week > 53) return std::nullopt;
    const iso_week::year_weeknum_weekday thursday{
        iso_week::year{static_cast<int>(*year)}, iso_week::weeknum{static_cast<unsigned>(*week)},
        iso_week::thu};
    if (!thursday.ok()) return std::nullopt;  // week 53 exists only in long ISO years

    Tag tag;
    tag.type = ImageType::weekly;
    tag.version = SemVer{*year, *week, 0, {}, {}};
    tag.date = std::chrono::sys_days{date::sys_days{thursday}.time_since_epoch()};
    tag.display_name.append("Weekly ").append(*year_text).append("_").append(*week_text);
    if (!apply_suffix(tag, *suffix)) return std::nullopt;
    return tag;
}

// Rule 5: `d_` YEAR `_` MONTH `_` DAY C B R A; the day must exist.
std::optional<Tag> parse_daily(sv text) {
    std::size_t p = 0;
    if (!take_literal(text, p, "d_")) return std::nullopt;
    const auto year_text = take_digits(text, p);
    if (!year_text || !take_literal(text, p, "_")) return std::nullopt;
    const auto month_text = take_digits(text, p);
    if (!month_text || !take_literal(text, p, "_")) return std::nullopt;
    const auto day_text = take_digits(text, p);
    if (!day_text) return std::nullopt;
    const auto suffix = match_suffix(text.substr(p));
    if (!suffix) return std::nullopt;

    const auto year = valid_year(*year_text);
    const auto month = to_int64(*month_text);
    const auto day = to_int64(*day_text);
    if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1 || *day > 31) {
        return std::nullopt;
    }
    const date::year_month_day ymd{date::year{static_cast<int>(*year)},
                                   date::month{static_cast<unsigned>(*month)},
                                   date::day{static_cast<unsigned>(*day)}};
    if (!ymd.ok()) return std::nullopt;

    Tag tag;
    tag.type = ImageType::daily;
    tag.version = SemVer{*year, *month, *day, {}, {}};
    tag.date = std::chrono::sys_days{date::sys_days{ymd}.time_since_epoch()};
    tag.display_name.append("Daily ").append(*year_text).append("_").append(*month_text);
    tag.display_name.append("_").append(*day_text);
    if (!apply_suffix(tag, *suffix)) return std::nullopt;
    return tag;
}

// BASE `_c` N A with the shortest BASE, as used by rule 7 and the alias parse.
struct CycleShape {
    sv base;
    sv cycle;
    std::optional<sv> arch;
};

std::optional<CycleShape> match_cycle_shape(sv text) {
    // The cycle's digits end either where the architecture part starts or at the end of the
    // tag; the former gives the shorter base, so it is tried first.
    std::array<std::pair<std::size_t, bool>, 2> ends{};
    std::size_t count = 0;
    if (const std::size_t dash = arch_start(text); dash != npos) ends[count++] = {dash, true};
    ends[count++] = {text.size(), false};
    for (std::size_t i = 0; i < count; ++i) {
        const auto [end, with_arch] = ends[i];
        std::size_t start = end;
        while (start > 0 && detail::is_digit(text[start - 1])) --start;
        if (start == end || start < 2 || text.substr(start - 2, 2) != "_c") continue;
        CycleShape shape{text.substr(0, start - 2), text.substr(start, end - start), std::nullopt};
        if (with_arch) shape.arch = text.substr(end + 1);
        return shape;
    }
    return std::nullopt;
}

// BASE A with the shortest BASE: rule 8 and the alias parse's fallback. Always matches.
CycleShape match_plain_shape(sv text) {
    const std::size_t dash = arch_start(text);
    if (dash == npos) return {text, {}, std::nullopt};
    return {text.substr(0, dash), {}, text.substr(dash + 1)};
}

void append_arch(Tag& tag, const std::optional<sv>& arch) {
    if (!arch) return;
    tag.architecture = std::string(*arch);
    tag.display_name.append(" [").append(*arch).append("]");
}

// Rules 7 and 8.
Tag parse_unknown(sv text) {
    Tag tag;
    tag.type = ImageType::unknown;
    if (const auto shape = match_cycle_shape(text)) {
        if (const auto cycle = to_int64(shape->cycle)) {
            tag.base = std::string(shape->base);
            tag.cycle = cycle;
            tag.display_name.append(shape->base).append(" (SAL Cycle ").append(shape->cycle).append(")");
            append_arch(tag, shape->arch);
            return tag;
        }
    }
    const CycleShape shape = match_plain_shape(text);
    tag.base = std::string(shape.base);
    tag.display_name = std::string(shape.base);
    append_arch(tag, shape.arch);
    return tag;
}

// Every rule but 6, in order.
Tag parse_without_exp(sv text) {
    if (auto tag = parse_release(text, true)) return std::move(*tag);
    if (auto tag = parse_release(text, false)) return std::move(*tag);
    if (auto tag = parse_old_release(text)) return std::move(*tag);
    if (auto tag = parse_weekly(text)) return std::move(*tag);
    if (auto tag = parse_daily(text)) return std::move(*tag);
    return parse_unknown(text);
}

}  // namespace

Tag parse_tag(std::string_view input) {
    const sv text = input.empty() ? sv("latest") : input;
    // Rule 6 parses what follows `exp_` as a tag of its own. Peel the prefixes in a loop rather
    // than recursing, so that deep `exp_exp_…` nesting costs no stack.
    constexpr sv exp_prefix = "exp_";
    std::size_t depth = 0;
    sv inner = text;
    while (inner.size() > exp_prefix.size() && inner.starts_with(exp_prefix)) {
        inner.remove_prefix(exp_prefix.size());
        ++depth;
    }
    Tag tag = parse_without_exp(inner);
    if (depth > 0) {
        constexpr sv word = "Experimental ";
        std::string name;
        name.reserve(depth * word.size() + tag.display_name.size());
        for (std::size_t i = 0; i < depth; ++i) name.append(word);
        name.append(tag.display_name);
        tag.display_name = std::move(name);
        tag.type = ImageType::experimental;
    }
    tag.tag = std::string(text);
    return tag;
}

Tag parse_alias_tag(std::string_view text) {
    Tag tag;
    tag.tag = std::string(text);
    tag.type = ImageType::alias;
    std::optional<sv> arch;
    const auto with_cycle = match_cycle_shape(text);
    const auto cycle = with_cycle ? to_int64(with_cycle->cycle) : std::nullopt;
    if (cycle) {
        tag.base = std::string(with_cycle->base);
        tag.cycle = cycle;
        tag.display_name = title_case(with_cycle->base);
        tag.display_name.append(" (SAL Cycle ").append(with_cycle->cycle).append(")");
        arch = with_cycle->arch;
    } else {
        const CycleShape shape = match_plain_shape(text);
        tag.base = std::string(shape.base);
        tag.display_name = title_case(shape.base);
        arch = shape.arch;
    }
    append_arch(tag, arch);
    return tag;
}

std::string title_case(std::string_view text) {
    std::string out(text);
    bool after_letter = false;
    for (char& c : out) {
        if (c == '_') c = ' ';
        if (detail::is_letter(c)) {
            const bool upper = c >= 'A' && c <= 'Z';
            if (!after_letter && !upper) c = static_cast<char>(c - 'a' + 'A');
            if (after_letter && upper) c = static_cast<char>(c - 'A' + 'a');
            after_letter = true;
        } else {
            after_letter = false;
        }
    }
    return out;
}

}  // namespace rspcat
