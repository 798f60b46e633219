// Policies: reading nublado's format with errors that name the key and the value, durations,
// and the filter itself (model.md §4).
#include "rspcat/policy.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "digits.hpp"
#include "json_input.hpp"
#include "policy_document.hpp"

namespace rspcat {

namespace {

using nlohmann::json;
using std::chrono::seconds;

struct Unit {
    std::string_view names[5];
    seconds length;
};

// In the only order they may appear, each with its spellings.
constexpr Unit duration_units[] = {
    {{"weeks", "week", "w"}, seconds{7 * 24 * 3600}},
    {{"days", "day", "d"}, seconds{24 * 3600}},
    {{"hours", "hour", "hr", "h"}, seconds{3600}},
    {{"minutes", "minute", "mins", "min", "m"}, seconds{60}},
    {{"seconds", "second", "secs", "sec", "s"}, seconds{1}},
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

// Adds `count` × `unit` to `total`, failing on overflow.
bool add_units(seconds& total, std::string_view digits, seconds unit) {
    const auto count = detail::to_int64(digits);
    if (!count || *count > (INT64_MAX - total.count()) / unit.count()) return false;
    total += *count * unit;
    return true;
}

// `3w`, `5w4d`, `4h 3minutes`, `2 weeks`
std::optional<seconds> parse_human_duration(std::string_view s) {
    seconds total{0};
    std::size_t next_unit = 0;
    std::size_t p = 0;
    bool any = false;
    while (p < s.size()) {
        const std::size_t digits_start = p;
        p = detail::digits_end(s, p);
        if (p == digits_start) return std::nullopt;
        const std::string_view digits = s.substr(digits_start, p - digits_start);
        while (p < s.size() && is_space(s[p])) ++p;
        const std::size_t word_start = p;
        while (p < s.size() && detail::is_letter(s[p])) ++p;
        const std::string_view word = s.substr(word_start, p - word_start);
        bool matched = false;
        for (; next_unit < std::size(duration_units) && !matched; ++next_unit) {
            const Unit& unit = duration_units[next_unit];
            matched = std::find(std::begin(unit.names), std::end(unit.names), word) != std::end(unit.names) &&
                      !word.empty();
            if (matched && !add_units(total, digits, unit.length)) return std::nullopt;
        }
        if (!matched) return std::nullopt;
        any = true;
        while (p < s.size() && is_space(s[p])) ++p;
    }
    return any ? std::optional(total) : std::nullopt;
}

// ISO 8601 durations with weeks, days, hours, minutes and seconds: `P3W`, `P1DT12H`, `PT90M`.
std::optional<seconds> parse_iso_duration(std::string_view s) {
    if (s.size() < 3 || s[0] != 'P') return std::nullopt;
    seconds total{0};
    bool in_time = false, any = false;
    // Designators allowed, in order: W D before T; H M S after it.
    std::string_view allowed = "WD";
    std::size_t p = 1;
    while (p < s.size()) {
        if (s[p] == 'T') {
            if (in_time) return std::nullopt;
            in_time = true;
            allowed = "HMS";
            ++p;
            if (p == s.size()) return std::nullopt;
            continue;
        }
        const std::size_t start = p;
        p = detail::digits_end(s, p);
        if (p == start || p == s.size()) return std::nullopt;
        const std::size_t at = allowed.find(s[p]);
        if (at == std::string_view::npos) return std::nullopt;  // years, months, fractions, order
        const char designator = s[p++];
        allowed.remove_prefix(at + 1);
        const seconds unit = designator == 'W'   ? seconds{7 * 24 * 3600}
                             : designator == 'D' ? seconds{24 * 3600}
                             : designator == 'H' ? seconds{3600}
                             : designator == 'M' ? seconds{60}
                                                 : seconds{1};
        if (!add_units(total, s.substr(start, p - 1 - start), unit)) return std::nullopt;
        any = true;
    }
    return any ? std::optional(total) : std::nullopt;
}

constexpr std::string_view block_keys = "number, age, cutoffDate, cutoffVersion, cutoffBuild";
constexpr std::string_view type_keys = "release, weekly, daily, releaseCandidate, experimental";

// A value for an error message, short and printable. Lists and mappings are named, not
// written out: dump() recurses, so a deeply nested hostile document would exhaust the stack, and
// it throws on text that is not UTF-8.
std::string shown(const json& value) {
    if (value.is_array()) return "a list";
    if (value.is_object()) return "a mapping";
    std::string text = value.is_string() ? "'" + value.get<std::string>() + "'"
                                         : value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    return text;
}

// A key in camelCase or snake_case, as nublado accepts both.
std::string camel_case(const std::string& key) {
    std::string out;
    bool upper = false;
    for (char c : key) {
        if (c == '_') {
            upper = true;
            continue;
        }
        out.push_back(upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
        upper = false;
    }
    return out;
}

// `prefix.key`, or `key` at the top.
std::string joined(const std::string& prefix, const std::string& key) { return prefix.empty() ? key : prefix + "." + key; }

class PolicyReader {
   public:
    // `prefix` is the key path of the policy in its document, which every error names first.
    PolicyReader(std::string source, std::string prefix) : source_(std::move(source)), prefix_(std::move(prefix)) {}

    FilterPolicy read(const json& document) {
        FilterPolicy policy;
        // `null` (or an empty value under a key path) is no policy: refused, not read as "keep
        // everything", so that a policy that went missing does not let a prune plan everything.
        if (!document.is_object()) {
            fail(prefix_, "the policy must be a mapping of image types to filters, not " + shown(document) +
                              " (an empty mapping, {}, keeps every image)");
        }
        std::array<bool, image_type_count> seen{};
        for (const auto& [key, value] : document.items()) {
            const std::string name = camel_case(key);
            std::optional<ImageType> type;
            if (name == "release") type = ImageType::release;
            if (name == "weekly") type = ImageType::weekly;
            if (name == "daily") type = ImageType::daily;
            if (name == "releaseCandidate") type = ImageType::candidate;
            if (name == "experimental") type = ImageType::experimental;
            const std::string path = joined(prefix_, key);
            if (!type) fail(path, "unknown key (expected " + std::string(type_keys) + ")");
            auto& slot = seen[static_cast<std::size_t>(*type)];
            if (slot) fail(path, "given twice (camelCase and snake_case name the same key)");
            slot = true;
            if (!value.is_null()) policy.blocks[static_cast<std::size_t>(*type)] = read_block(path, value);
        }
        return policy;
    }

   private:
    [[noreturn]] void fail(const std::string& path, const std::string& message) const {
        throw PolicyError(source_ + ": " + (path.empty() ? "" : path + ": ") + message);
    }

    std::int64_t non_negative_integer(const std::string& path, const json& value) const {
        std::optional<std::int64_t> number;
        if (value.is_number_integer()) {
            number = value.get<std::int64_t>();
        } else if (value.is_number_unsigned()) {
            fail(path, shown(value) + " is too large");
        } else if (value.is_string() && detail::all_digits(value.get<std::string>())) {
            number = detail::to_int64(value.get<std::string>());
            if (!number) fail(path, shown(value) + " is too large");
        } else if (value.is_string() && value.get<std::string>().starts_with('-')) {
            fail(path, shown(value) + " is negative");
        } else {
            fail(path, shown(value) + " is not a whole number");
        }
        if (*number < 0) fail(path, shown(value) + " is negative");
        return *number;
    }

    ImageFilter read_block(const std::string& type_key, const json& block) const {
        if (!block.is_object()) fail(type_key, "expected a mapping of " + std::string(block_keys) + ", not " + shown(block));
        ImageFilter filter;
        std::vector<std::string> seen;
        for (const auto& [key, value] : block.items()) {
            const std::string path = type_key + "." + key;
            const std::string name = camel_case(key);
            if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
                fail(path, "given twice (camelCase and snake_case name the same key)");
            }
            seen.push_back(name);
            if (value.is_null()) continue;  // an explicit null is the same as leaving it out
            if (name == "number") {
                filter.number = non_negative_integer(path, value);
            } else if (name == "age") {
                if (value.is_string()) {
                    filter.age = parse_duration(value.get<std::string>());
                    if (!filter.age) fail(path, shown(value) + " is not a duration (e.g. 3w, 5w4d, 4h 3minutes, P1DT12H)");
                } else {
                    filter.age = seconds{non_negative_integer(path, value)};
                }
            } else if (name == "cutoffDate") {
                if (value.is_string()) filter.cutoff_date = parse_timestamp(value.get<std::string>());
                if (!filter.cutoff_date) fail(path, shown(value) + " is not an ISO 8601 date or date-time");
            } else if (name == "cutoffVersion") {
                if (value.is_string()) filter.cutoff_version = parse_semver(value.get<std::string>());
                if (!filter.cutoff_version) fail(path, shown(value) + " is not a semantic version (e.g. 29.0.0)");
            } else if (name == "cutoffBuild") {
                filter.cutoff_build = non_negative_integer(path, value);
            } else {
                fail(path, "unknown key (expected " + std::string(block_keys) + ")");
            }
        }
        return filter;
    }

    std::string source_;
    std::string prefix_;
};

// The keys of a key path (`controller.config.dropdownMenu`); none for an empty path.
std::vector<std::string> key_path_keys(std::string_view key_path, const std::string& source) {
    std::vector<std::string> keys;
    if (key_path.empty()) return keys;
    for (std::size_t start = 0;;) {
        const std::size_t dot = std::min(key_path.find('.', start), key_path.size());
        if (dot == start) {
            throw PolicyError(source + ": " + detail::quoted(key_path) +
                              " is not a key path (keys joined by dots, none of them empty)");
        }
        keys.emplace_back(key_path.substr(start, dot - start));
        if (dot == key_path.size()) return keys;
        start = dot + 1;
    }
}

// The keys of a mapping for an error message, the first few.
std::string some_keys(const json& mapping) {
    std::string out;
    std::size_t count = 0;
    for (const auto& item : mapping.items()) {
        if (++count > 8) return out + ", …";
        out += (out.empty() ? "" : ", ") + detail::printable(item.key(), 40);
    }
    return out.empty() ? "no keys" : "keys " + out;
}

bool is_blank(std::string_view text) { return trim(text).empty(); }

// Text with nothing but YAML comments, blank lines and document markers.
bool only_comments(std::string_view text) {
    for (std::size_t start = 0; start < text.size();) {
        const std::size_t end = std::min(text.find('\n', start), text.size());
        const std::string_view line = trim(text.substr(start, end - start));
        if (!line.empty() && line.front() != '#' && line != "---" && line != "...") return false;
        start = end + 1;
    }
    return true;
}

// What the text around a JSON syntax error looks like: the rest of its line from a little before.
std::string json_excerpt_at(std::string_view text, std::size_t line, std::size_t column) {
    std::size_t start = 0;
    for (std::size_t l = 1; l < line && start < text.size(); ++l) {
        const std::size_t nl = text.find('\n', start);
        start = nl == std::string_view::npos ? text.size() : nl + 1;
    }
    const std::size_t at = std::min(start + column - 1, text.size());
    const std::size_t from = at - std::min<std::size_t>(at - start, 20);
    const std::size_t end = std::min(text.find('\n', from), text.size());
    return std::string(trim(text.substr(from, std::min<std::size_t>(end - from, 40))));
}

}  // namespace

FilterPolicy read_policy_document(const json& document, const std::string& source, std::string_view key_path) {
    const json* at = &document;
    std::string walked;
    for (const std::string& key : key_path_keys(key_path, source)) {
        const std::string where = "no policy at " + detail::printable(key_path, 200) + ": ";
        const std::string here = walked.empty() ? "the document" : detail::printable(walked, 200);
        if (!at->is_object()) throw PolicyError(source + ": " + where + here + " is " + shown(*at) + ", not a mapping");
        const auto found = at->find(key);
        if (found == at->end()) {
            throw PolicyError(source + ": " + where + here + " has no key " + detail::quoted(key) + " (it has " +
                              some_keys(*at) + ")");
        }
        walked = joined(walked, key);
        at = &*found;
    }
    return PolicyReader(source, std::string(key_path)).read(*at);
}

void check_not_empty(std::string_view text, const std::string& source, bool comments) {
    constexpr std::string_view what = "a policy is a mapping of image types to filters ({} keeps every image)";
    if (is_blank(text)) throw PolicyError(source + ": the document is empty; " + std::string(what));
    if (comments && only_comments(text)) {
        throw PolicyError(source + ": the document holds only comments; " + std::string(what));
    }
}

json policy_json_document(std::string_view text, const std::string& source, const std::function<std::string()>& hint) {
    check_not_empty(text, source, false);
    try {
        return detail::parse_json_input(text, detail::DuplicateKeys::refuse);
    } catch (const detail::JsonInputError& e) {
        // Nested too deep, a key given twice, a number out of every C++ type's range.
        if (e.line == 0) throw PolicyError(source + ": " + e.what());
        std::string message = source + ": not valid JSON at line " + std::to_string(e.line) + ", column " +
                              std::to_string(e.column);
        if (e.at_end) {
            message += ": the text ends before the document does";
        } else {
            const std::string near = json_excerpt_at(text, e.line, e.column);
            if (!near.empty()) message += " (near " + detail::quoted(near) + ")";
        }
        if (hint) message += hint();
        throw PolicyError(message);
    }
}

namespace {

// basis − age, saturated. An age may be any count of seconds up to 2^63 − 1 (`106751991167300d`
// is one), so for a basis before 1970 the difference can lie before the earliest Timestamp: such
// an age reaches back past every date and cuts nothing off (nullopt). Refusing it instead would
// need a limit that depends on the basis, which the policy reader does not know.
std::optional<Timestamp> age_cutoff(Timestamp basis, seconds age) {
    if (age > seconds::zero() && basis < Timestamp::min() + age) return std::nullopt;
    if (age < seconds::zero() && basis > Timestamp::max() + age) return Timestamp::max();
    return basis - age;
}

// The oldest date a block keeps: the later of basis − age and cutoffDate.
std::optional<Timestamp> date_cutoff(const ImageFilter& filter, Timestamp basis) {
    std::optional<Timestamp> cutoff;
    if (filter.age) cutoff = age_cutoff(basis, *filter.age);
    if (filter.cutoff_date && (!cutoff || *cutoff < *filter.cutoff_date)) cutoff = filter.cutoff_date;
    return cutoff;
}

bool passes_conditions(const Tag& tag, const ImageFilter& filter, const std::optional<Timestamp>& oldest) {
    if (filter.cutoff_build && tag.rsp_build && *tag.rsp_build != 0 && *tag.rsp_build < *filter.cutoff_build) {
        return false;
    }
    if (oldest && tag.date && Timestamp{*tag.date} < *oldest) return false;
    if (filter.cutoff_version && tag.version && compare_semver(*tag.version, *filter.cutoff_version) < 0) {
        return false;
    }
    return true;
}

}  // namespace

PolicyError::~PolicyError() = default;

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    const std::string_view s = trim(text);
    if (detail::all_digits(s)) {
        const auto value = detail::to_int64(s);
        return value ? std::optional(seconds{*value}) : std::nullopt;
    }
    if (!s.empty() && s[0] == 'P') return parse_iso_duration(s);
    return parse_human_duration(s);
}

FilterPolicy parse_policy_json(std::string_view text, const std::string& source, std::string_view key_path) {
    return read_policy_document(policy_json_document(text, source), source, key_path);
}

std::string to_json(const FilterPolicy& policy) {
    static constexpr std::pair<ImageType, const char*> names[] = {
        {ImageType::release, "release"},
        {ImageType::weekly, "weekly"},
        {ImageType::daily, "daily"},
        {ImageType::candidate, "releaseCandidate"},
        {ImageType::experimental, "experimental"},
    };
    json out = json::object();
    for (const auto& [type, name] : names) {
        const auto& block = policy.block(type);
        if (!block) continue;
        json b = json::object();
        if (block->number) b["number"] = *block->number;
        if (block->age) b["age"] = block->age->count();
        if (block->cutoff_date) b["cutoffDate"] = format_timestamp(*block->cutoff_date);
        if (block->cutoff_version) b["cutoffVersion"] = to_string(*block->cutoff_version);
        if (block->cutoff_build) b["cutoffBuild"] = *block->cutoff_build;
        out[name] = b;
    }
    return out.dump();
}

PolicySelector::PolicySelector(const FilterPolicy& policy, const FilterOptions& options)
    : policy_(policy), options_(options) {
    for (std::size_t t = 0; t < oldest_.size(); ++t) {
        if (policy_.blocks[t]) oldest_[t] = date_cutoff(*policy_.blocks[t], options_.age_basis);
    }
}

bool PolicySelector::selects(const Image& image) {
    if (options_.remove_arch_specific && image.tag.architecture) return false;
    const auto t = static_cast<std::size_t>(image.tag.type);
    const auto& block = policy_.blocks[t];
    if (!block) return !options_.invert;  // types without a block keep everything: nothing to invert
    const bool kept = passes_conditions(image.tag, *block, oldest_[t]) &&
                      (block->number.value_or(0) == 0 || kept_counts_[t] < *block->number);
    kept_counts_[t] += kept;
    return kept != options_.invert;
}

std::vector<Image> apply_policy(const std::vector<Image>& images, const FilterPolicy& policy,
                                const FilterOptions& options) {
    PolicySelector selector(policy, options);
    std::vector<Image> selected;
    for (const Image& image : images) {
        if (selector.selects(image)) selected.push_back(image);
    }
    return selected;
}

}  // namespace rspcat
