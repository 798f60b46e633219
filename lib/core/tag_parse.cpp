// The tag grammar of model.md §1.2 and the alias parse of 1.3, written as plain byte scanning.
//
// docs/model.md states the grammar as backtracking regular expressions. Each matcher here takes the
// first match such an engine would find, and explains why that match is unique where it is:
// digit runs are always maximal (what may follow a number never starts with a digit), and the
// only '-' that can start the architecture part is the tag's last one.
//
// The grammar parse has two steps. parse_tag_view() matches the rules and reads each field as a
// view into the text; it copies and allocates nothing, because the SQL accessors and the rsp_tag
// collation run it millions of times for a field or two. parse_tag() then makes a Tag of it,
// building the display name and the date.
#include <date/date.h>
#include <date/iso_week.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "digits.hpp"
#include "json_text.hpp"
#include "rspcat/tag.hpp"

namespace rspcat {

namespace {

using detail::is_digit;
using detail::is_lower_alnum;
using detail::to_int64;
using sv = std::string_view;
constexpr auto npos = sv::npos;

// `literal` at `p`: moves `p` past it. A byte loop: the literals are a few bytes long.
bool take(sv s, std::size_t& p, sv literal) {
    if (s.size() - p < literal.size()) return false;
    for (std::size_t i = 0; i < literal.size(); ++i) {
        if (s[p + i] != literal[i]) return false;
    }
    p += literal.size();
    return true;
}

// The run of digits at `p`, which is maximal as every digit run of the grammar is; empty when
// there is none.
sv take_digits(sv s, std::size_t& p) {
    const std::size_t start = p;
    p = detail::digits_end(s, p);
    return s.substr(start, p - start);
}

// The value of a run of digits, or nullopt when it does not fit in 64 bits: then the rule that
// reads it fails as a whole, once it has matched (model.md §1.2).
std::optional<TagNumber> number(sv digits) {
    if (digits.size() <= 18) {  // cannot overflow: no need to check each digit
        std::int64_t value = 0;
        for (const char c : digits) value = value * 10 + (c - '0');
        return TagNumber{value, digits};
    }
    const auto value = to_int64(digits);
    return value ? std::optional<TagNumber>(TagNumber{*value, digits}) : std::nullopt;
}

// Where the optional parts that follow a release, weekly or daily prefix are: C ends at
// `cycle_end` (0 when there is no C), B at `build_end` (== cycle_end when there is no B), and R
// and A follow. Positions rather than values, so that nothing is copied until a rule has matched.
// match_suffix() sets it (so it has no initialisers: clearing it costs more than the parse of a
// short suffix).
struct Suffix {
    std::size_t cycle_end;
    std::size_t build_end;
    std::optional<sv> extra;
    std::optional<sv> arch;
};

// `-` then one or more of [a-z0-9], running to the end of `s`.
bool is_arch_part(sv s) {
    return s.size() >= 2 && s[0] == '-' &&
           std::all_of(s.begin() + 1, s.end(), [](char c) { return is_lower_alnum(c); });
}

// Where the architecture part of `s` starts, if `s` ends in one.
std::size_t arch_start(sv s) {
    const std::size_t dash = s.rfind('-');
    return dash != npos && is_arch_part(s.substr(dash)) ? dash : npos;
}

// The end of C = `_c` N `.` N at `p`, or npos when there is none.
std::size_t cycle_end(sv s, std::size_t p) {
    if (!take(s, p, "_c")) return npos;
    const std::size_t dot = detail::digits_end(s, p);
    if (dot == p || dot == s.size() || s[dot] != '.') return npos;
    const std::size_t end = detail::digits_end(s, dot + 1);
    return end == dot + 1 ? npos : end;
}

// The end of B = `_rsp` N at `p`, or npos when there is none.
std::size_t rsp_build_end(sv s, std::size_t p) {
    if (!take(s, p, "_rsp")) return npos;
    const std::size_t end = detail::digits_end(s, p);
    return end == p ? npos : end;
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

// B? R? A? $ from `start`, B tried present before absent: where the rest begins, or npos.
std::size_t match_after_cycle(sv s, std::size_t start, Suffix& out) {
    const std::size_t with_build = rsp_build_end(s, start);
    if (with_build != npos && match_rest_and_arch(s.substr(with_build), out)) return with_build;
    if (match_rest_and_arch(s.substr(start), out)) return start;
    return npos;
}

// C? B? R? A? $, trying C and B present before absent, as a backtracking engine would. Sets
// every member of `out` when it matches.
bool match_suffix(sv s, Suffix& out) {
    out.extra = out.arch = std::nullopt;
    out.cycle_end = out.build_end = 0;
    if (s.empty()) return true;  // the common case: nothing after the prefix
    for (const std::size_t start : {cycle_end(s, 0), std::size_t{0}}) {
        if (start == npos) continue;  // no C
        if (const std::size_t rest = match_after_cycle(s, start, out); rest != npos) {
            out.cycle_end = start;
            out.build_end = rest;
            return true;
        }
    }
    return false;
}

// Sets `out` to the number `digits` (in place: no copy to read back); false when it does not
// fit in 64 bits.
bool read_number(sv digits, std::optional<TagNumber>& out) {
    const auto n = number(digits);
    if (!n) return false;
    out.emplace(TagNumber{n->value, n->text});
    return true;
}

// Reads the suffix `s` that match_suffix() matched into the view; false when one of its numbers
// does not fit in 64 bits, which makes the whole rule fail. A failed rule leaves the view's suffix
// fields unset, as they were.
bool apply_suffix(TagView& tag, sv s, const Suffix& suffix) {
    bool fits = true;
    if (suffix.cycle_end != 0) {  // `_c` N `.` N
        std::size_t p = 2;
        fits = read_number(take_digits(s, p), tag.cycle);
        ++p;
        fits = fits && read_number(take_digits(s, p), tag.cycle_build);
    }
    if (suffix.build_end != suffix.cycle_end) {  // `_rsp` N
        std::size_t p = suffix.cycle_end + 4;
        fits = fits && read_number(take_digits(s, p), tag.rsp_build);
    }
    if (!fits) {
        tag.cycle = tag.cycle_build = tag.rsp_build = std::nullopt;
        return false;
    }
    tag.extra = suffix.extra;
    tag.architecture = suffix.arch;
    return true;
}

// Rules 1 and 2: `r` MAJ `_` MIN `_` PAT [`_rc` N] C B R A. They share everything up to PAT.
bool parse_release(sv text, TagView& tag) {
    std::size_t p = 0;
    if (!take(text, p, "r")) return false;
    const sv major = take_digits(text, p);
    if (major.empty() || !take(text, p, "_")) return false;
    const sv minor = take_digits(text, p);
    if (minor.empty() || !take(text, p, "_")) return false;
    const sv patch = take_digits(text, p);
    if (patch.empty()) return false;
    const auto maj = number(major), min = number(minor), pat = number(patch);
    if (!maj || !min || !pat) return false;  // both rules fail

    // Rule 1, a candidate: `_rc` N, then the suffix. When that fails, rule 2 reads the `_rc…`
    // as part of the suffix.
    std::size_t rc_end = p;
    if (take(text, rc_end, "_rc") && !take_digits(text, rc_end).empty()) {
        Suffix suffix;
        if (match_suffix(text.substr(rc_end), suffix) && apply_suffix(tag, text.substr(rc_end), suffix)) {
            tag.type = ImageType::candidate;
            tag.version.emplace(TagVersion{*maj, *min, *pat, text.substr(p + 1, rc_end - p - 1)});
            return true;
        }
    }
    Suffix suffix;
    if (!match_suffix(text.substr(p), suffix) || !apply_suffix(tag, text.substr(p), suffix)) return false;
    tag.type = ImageType::release;
    tag.version.emplace(TagVersion{*maj, *min, *pat, std::nullopt});
    return true;
}

// Rule 3: `r` D D D and nothing else (`r170` is 17.0.0).
bool parse_old_release(sv text, TagView& tag) {
    if (text.size() != 4 || text[0] != 'r' || detail::digits_end(text, 1) != 4) return false;
    tag.type = ImageType::release;
    const std::int64_t major = (text[1] - '0') * 10 + (text[2] - '0');
    tag.version.emplace(TagVersion{TagNumber{major, text.substr(1, 2)}, TagNumber{text[3] - '0', text.substr(3, 1)},
                                   TagNumber{}, std::nullopt});
    return true;
}

// Years that a tag may name: Python's datetime range, which nublado's dates come from.
bool valid_year(const std::optional<TagNumber>& year) { return year && year->value >= 1 && year->value <= 9999; }

// Rule 4: `w_` YEAR `_` WEEK C B R A; the week must exist in that ISO year.
bool parse_weekly(sv text, TagView& tag) {
    std::size_t p = 0;
    if (!take(text, p, "w_")) return false;
    const sv year_digits = take_digits(text, p);
    if (year_digits.empty() || !take(text, p, "_")) return false;
    const sv week_digits = take_digits(text, p);
    if (week_digits.empty()) return false;
    Suffix suffix;
    if (!match_suffix(text.substr(p), suffix)) return false;

    const auto year = number(year_digits), week = number(week_digits);
    if (!valid_year(year) || !week || week->value < 1 || week->value > 53) return false;
    if (week->value == 53) {  // every ISO year has 52 weeks; only long ones have a 53rd
        const iso_week::year_weeknum_weekday thursday{iso_week::year{static_cast<int>(year->value)},
                                                      iso_week::weeknum{53u}, iso_week::thu};
        if (!thursday.ok()) return false;
    }
    if (!apply_suffix(tag, text.substr(p), suffix)) return false;
    tag.type = ImageType::weekly;
    tag.version.emplace(TagVersion{*year, *week, TagNumber{}, std::nullopt});
    return true;
}

// Rule 5: `d_` YEAR `_` MONTH `_` DAY C B R A; the day must exist.
bool parse_daily(sv text, TagView& tag) {
    std::size_t p = 0;
    if (!take(text, p, "d_")) return false;
    const sv year_digits = take_digits(text, p);
    if (year_digits.empty() || !take(text, p, "_")) return false;
    const sv month_digits = take_digits(text, p);
    if (month_digits.empty() || !take(text, p, "_")) return false;
    const sv day_digits = take_digits(text, p);
    if (day_digits.empty()) return false;
    Suffix suffix;
    if (!match_suffix(text.substr(p), suffix)) return false;

    const auto year = number(year_digits), month = number(month_digits), day = number(day_digits);
    if (!valid_year(year) || !month || !day) return false;
    if (month->value < 1 || month->value > 12 || day->value < 1 || day->value > 31) return false;
    if (day->value > 28) {  // every month has 28 days; the rest depend on the month and the year
        const date::year_month_day ymd{date::year{static_cast<int>(year->value)},
                                       date::month{static_cast<unsigned>(month->value)},
                                       date::day{static_cast<unsigned>(day->value)}};
        if (!ymd.ok()) return false;
    }
    if (!apply_suffix(tag, text.substr(p), suffix)) return false;
    tag.type = ImageType::daily;
    tag.version.emplace(TagVersion{*year, *month, *day, std::nullopt});
    return true;
}

// BASE `_c` N A with the shortest BASE, as used by rule 7 and the alias parse.
struct CycleShape {
    sv base;
    sv cycle;
    std::optional<sv> arch;
};

// `dash` is arch_start(text), which both shapes need.
std::optional<CycleShape> match_cycle_shape(sv text, std::size_t dash) {
    // The cycle's digits end either where the architecture part starts or at the end of the
    // tag; the former gives the shorter base, so it is tried first.
    for (const std::size_t end : {dash, text.size()}) {
        if (end == npos) continue;
        std::size_t start = end;
        while (start > 0 && is_digit(text[start - 1])) --start;
        if (start == end || start < 2 || text.substr(start - 2, 2) != "_c") continue;
        CycleShape shape{text.substr(0, start - 2), text.substr(start, end - start), std::nullopt};
        if (end == dash) shape.arch = text.substr(end + 1);
        return shape;
    }
    return std::nullopt;
}

// BASE A with the shortest BASE: rule 8 and the alias parse's fallback. Always matches.
CycleShape match_plain_shape(sv text, std::size_t dash) {
    if (dash == npos) return {text, {}, std::nullopt};
    return {text.substr(0, dash), {}, text.substr(dash + 1)};
}

// Rules 7 and 8.
void parse_unknown(sv text, TagView& tag) {
    tag.type = ImageType::unknown;
    const std::size_t dash = arch_start(text);
    if (const auto shape = match_cycle_shape(text, dash)) {
        if (const auto cycle = to_int64(shape->cycle)) {
            tag.base = shape->base;
            tag.cycle = TagNumber{*cycle, shape->cycle};
            tag.architecture = shape->arch;
            return;
        }
    }
    const CycleShape shape = match_plain_shape(text, dash);
    tag.base = shape.base;
    tag.architecture = shape.arch;
}

// Every rule but 6, in order. Rules 1 to 5 each start with their own letter, so the first byte
// says which of them can match at all.
void parse_without_exp(sv text, TagView& tag) {
    switch (text.empty() ? '\0' : text[0]) {
        case 'r':
            if (parse_release(text, tag) || parse_old_release(text, tag)) return;
            break;
        case 'w':
            if (parse_weekly(text, tag)) return;
            break;
        case 'd':
            if (parse_daily(text, tag)) return;
            break;
        default: break;
    }
    parse_unknown(text, tag);
}

std::optional<std::string> copy(const std::optional<sv>& text) {
    return text ? std::optional<std::string>(std::in_place, *text) : std::nullopt;
}

std::optional<std::int64_t> value(const std::optional<TagNumber>& n) {
    return n ? std::optional<std::int64_t>(n->value) : std::nullopt;
}

void append_arch(Tag& tag, const std::optional<sv>& arch) {
    if (!arch) return;
    tag.architecture = std::string(*arch);
    tag.display_name.append(" [").append(*arch).append("]");
}

void append_number(std::string& out, std::int64_t n) { json::append_int(out, n); }

// At least the length of the display name, and not much more: the text the name adds to the
// parts of the tag it shows, part by part. So a long name grows its string once, and a short one
// stays in the string's own buffer.
std::size_t display_name_bound(const TagView& tag) {
    std::size_t bound = tag.tag.size() + 13 * tag.experimental_depth;  // `Experimental `
    switch (tag.inner_type) {
        case ImageType::release:
        case ImageType::candidate: bound += 18; break;  // `r` → `Release Candidate r`
        case ImageType::weekly: bound += 5; break;      // `w_` → `Weekly `
        case ImageType::daily: bound += 4; break;       // `d_` → `Daily `
        default: bound += tag.cycle ? 11 : 0; break;    // `_c` → ` (SAL Cycle )`
    }
    if (tag.cycle_build) bound += 18;  // `_c.` → ` (SAL Cycle , Build )`
    if (tag.rsp_build) bound += 9;     // `_rsp` → ` (RSP Build )`
    if (tag.extra) bound += 2;         // `_` → ` []`
    if (tag.architecture) bound += 2;  // `-` → ` []`
    return bound;
}

// The display name (model.md §1.2), appended to `out`.
void write_display_name(std::string& out, const TagView& tag) {
    using namespace std::string_view_literals;
    for (std::size_t i = 0; i < tag.experimental_depth; ++i) out.append("Experimental "sv);
    switch (tag.inner_type) {
        case ImageType::release:
        case ImageType::candidate:
            // Releases show their numbers as integers (`r021_00_01` is r21.0.1).
            out.append(tag.inner_type == ImageType::candidate ? "Release Candidate r"sv : "Release r"sv);
            append_number(out, tag.version->major.value);
            out.push_back('.');
            append_number(out, tag.version->minor.value);
            out.push_back('.');
            append_number(out, tag.version->patch.value);
            if (tag.version->prerelease) {
                out.push_back('-');
                out.append(*tag.version->prerelease);
            }
            break;
        case ImageType::weekly:
            out.append("Weekly "sv);
            out.append(tag.version->major.text);
            out.push_back('_');
            out.append(tag.version->minor.text);
            break;
        case ImageType::daily:
            out.append("Daily "sv);
            out.append(tag.version->major.text);
            out.push_back('_');
            out.append(tag.version->minor.text);
            out.push_back('_');
            out.append(tag.version->patch.text);
            break;
        default:  // rules 7 and 8: the base, and rule 7's cycle
            out.append(tag.base.value_or(sv()));
            if (tag.cycle) {
                out.append(" (SAL Cycle "sv);
                out.append(tag.cycle->text);
                out.push_back(')');
            }
            break;
    }
    if (tag.cycle && tag.cycle_build) {  // rule 7's cycle has no build
        out.append(" (SAL Cycle "sv);
        out.append(tag.cycle->text);
        out.append(", Build "sv);
        out.append(tag.cycle_build->text);
        out.push_back(')');
    }
    if (tag.rsp_build) {
        out.append(" (RSP Build "sv);
        out.append(tag.rsp_build->text);
        out.push_back(')');
    }
    for (const auto* part : {&tag.extra, &tag.architecture}) {
        if (!*part) continue;
        out.append(" ["sv);
        out.append(**part);
        out.push_back(']');
    }
}

}  // namespace

TagView parse_tag_view(std::string_view input) {
    TagView tag;
    tag.tag = input.empty() ? sv("latest") : input;
    // Rule 6 parses what follows `exp_` as a tag of its own. Peel the prefixes in a loop rather
    // than recursing, so that deep `exp_exp_…` nesting costs no stack.
    constexpr sv exp_prefix = "exp_";
    sv inner = tag.tag;
    while (inner.size() > exp_prefix.size() && inner.starts_with(exp_prefix)) {
        inner.remove_prefix(exp_prefix.size());
        ++tag.experimental_depth;
    }
    parse_without_exp(inner, tag);
    tag.inner_type = tag.type;
    if (tag.experimental_depth > 0) tag.type = ImageType::experimental;
    return tag;
}

SemVer to_semver(const TagVersion& version) {
    return SemVer{version.major.value, version.minor.value, version.patch.value, copy(version.prerelease),
                  std::nullopt};
}

void append_display_name(std::string& out, const TagView& tag) {
    out.reserve(out.size() + display_name_bound(tag));
    write_display_name(out, tag);
}

std::optional<std::chrono::sys_days> tag_date(const TagView& tag) {
    if (tag.inner_type == ImageType::weekly) {
        // The Thursday of that ISO week (parse_weekly checked that the week exists).
        const date::sys_days thursday = iso_week::year_weeknum_weekday{
            iso_week::year{static_cast<int>(tag.version->major.value)},
            iso_week::weeknum{static_cast<unsigned>(tag.version->minor.value)}, iso_week::thu};
        return std::chrono::sys_days{thursday.time_since_epoch()};
    }
    if (tag.inner_type == ImageType::daily) {
        const date::year_month_day ymd{date::year{static_cast<int>(tag.version->major.value)},
                                       date::month{static_cast<unsigned>(tag.version->minor.value)},
                                       date::day{static_cast<unsigned>(tag.version->patch.value)}};
        return std::chrono::sys_days{date::sys_days{ymd}.time_since_epoch()};
    }
    return std::nullopt;
}

Tag parse_tag(std::string_view input) {
    const TagView view = parse_tag_view(input);
    Tag tag;
    tag.tag.assign(view.tag);
    tag.type = view.type;
    append_display_name(tag.display_name, view);
    if (view.version) tag.version = to_semver(*view.version);
    tag.base = copy(view.base);
    tag.cycle = value(view.cycle);
    tag.cycle_build = value(view.cycle_build);
    tag.rsp_build = value(view.rsp_build);
    tag.architecture = copy(view.architecture);
    tag.extra = copy(view.extra);
    tag.date = tag_date(view);
    return tag;
}

Tag parse_alias_tag(std::string_view text) {
    Tag tag;
    tag.tag = std::string(text);
    tag.type = ImageType::alias;
    std::optional<sv> arch;
    const std::size_t dash = arch_start(text);
    const auto with_cycle = match_cycle_shape(text, dash);
    const auto cycle = with_cycle ? to_int64(with_cycle->cycle) : std::nullopt;
    if (cycle) {
        tag.base = std::string(with_cycle->base);
        tag.cycle = cycle;
        tag.display_name = title_case(with_cycle->base);
        tag.display_name.append(" (SAL Cycle ").append(with_cycle->cycle).append(")");
        arch = with_cycle->arch;
    } else {
        const CycleShape shape = match_plain_shape(text, dash);
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
