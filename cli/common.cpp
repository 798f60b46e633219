#include "common.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "rspcat/registry.hpp"

namespace rspcat::cli {

void CollectionArgs::add_repository_to(CLI::App* command) {
    command->add_option("--registry", registry, "Registry host (needed when the catalog holds several)")
        ->check(not_empty());
    command->add_option("--repository", repository, "Repository path, e.g. lsstsqre/sciplat-lab")->check(not_empty());
}

void CollectionArgs::add_to(CLI::App* command, const std::string& at_help) {
    add_repository_to(command);
    cycle_option = command->add_option("--cycle", cycle, "Restrict the collection to this SAL cycle")
                       ->transform(whole_number());
    command->add_option("--at", at, at_help)->check(not_empty());
}

Timestamp CollectionArgs::time() const { return at.empty() ? now_utc() : parse_time_arg("--at", at); }

CollectionSpec CollectionArgs::spec() const {
    if (registry.empty() != repository.empty()) throw UsageError("--registry and --repository go together");
    CollectionSpec spec;
    if (!registry.empty()) spec.repository = RepositoryName{registry_to_look_up(registry), repository};
    if (cycle_option && *cycle_option) spec.cycle = cycle;
    if (!at.empty()) spec.at = parse_time_arg("--at", at);
    return spec;
}

void FormatArg::add_to(CLI::App* command, std::vector<std::string> formats, bool headers) {
    command->add_option("--format", name, "Output format")->check(CLI::IsMember(formats))->capture_default_str();
    if (headers) {
        no_headers_option =
            command->add_flag("--no-headers", no_headers, "Leave out the header row of table and csv output");
    }
}

Output FormatArg::output() const {
    const Format format = name == "json" ? Format::json : name == "csv" ? Format::csv : Format::table;
    if (no_headers && format == Format::json) throw UsageError("--no-headers is for table and csv output, not json");
    return {format, !no_headers};
}

CLI::Validator whole_number() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            constexpr std::string_view max = "9223372036854775807";
            const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
                return c >= '0' && c <= '9';
            });
            if (!digits) return "'" + text + "' is not a whole number";
            // Leading zeros go: CLI11 would read `0020` as octal (16), and cycles are written so.
            text.erase(0, std::min(text.find_first_not_of('0'), text.size() - 1));
            if (text.size() > max.size() || (text.size() == max.size() && text > max)) {
                return "'" + text + "' is too large";
            }
            return {};
        },
        "NUMBER");
}

CLI::Validator positive() {
    return CLI::Validator([](std::string& text) -> std::string { return text == "0" ? "must be at least 1" : ""; },
                          "POSITIVE");
}

CLI::Validator not_empty() {
    return CLI::Validator([](std::string& text) -> std::string { return text.empty() ? "must not be empty" : ""; }, "");
}

CLI::Validator names_separated_by_commas() {
    return CLI::Validator(
        [](std::string& text) -> std::string {
            const bool empty_name = text.empty() || text.front() == ',' || text.back() == ',' ||
                                    text.find(",,") != std::string::npos;
            return empty_name ? "'" + text + "' holds an empty name (NAME,NAME,...)" : "";
        },
        "");
}

Timestamp parse_time_arg(const std::string& option, const std::string& text) {
    const auto t = parse_timestamp(text);
    if (!t) throw UsageError(option + ": '" + text + "' is not an ISO 8601 time (e.g. 2025-06-05T12:00:00Z)");
    return *t;
}

bool too_far_ahead(Timestamp at) { return at > now_utc() + future_tolerance; }

std::string future_time_advice() {
    return "is more than " + std::to_string(future_tolerance.count()) + " minutes in the future (now " +
           format_timestamp(now_utc()) +
           "): a snapshot at that time would refuse every later ingest until then; pass --allow-future if it is "
           "right";
}

std::string registry_arg(const std::string& text) {
    if (const auto name = registry::registry_name(text)) return *name;
    std::string message = "--registry '" + text + "' is not a registry's HOST[:PORT]";
    // A URL: suggest its host and port.
    if (const std::size_t scheme = text.find("://"); scheme != std::string::npos) {
        std::string rest = text.substr(scheme + 3);
        rest = rest.substr(0, rest.find('/'));
        if (const auto name = registry::registry_name(rest)) {
            throw UsageError(message + " (give no scheme: --registry " + *name + ")");
        }
    }
    throw UsageError(message + " (a host name or IP address, and an optional port, with no scheme or path)");
}

std::string registry_to_look_up(const std::string& text) { return registry::registry_name(text).value_or(text); }

std::string repository_arg(const std::string& text) {
    if (registry::is_repository_name(text)) return text;
    std::string message =
        "--repository '" + text + "' is not a registry repository name (lower-case components joined by /)";
    std::string lower = text;
    for (char& c : lower) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower != text && registry::is_repository_name(lower)) message += "; did you mean '" + lower + "'?";
    throw UsageError(message);
}

void check_digest_syntax(const std::string& name, const std::string& text) {
    constexpr std::string_view scheme = "sha256:";
    const std::string_view digits = std::string_view(text).substr(std::min(text.size(), scheme.size()));
    const bool hex = std::all_of(digits.begin(), digits.end(),
                                 [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
    if (text.starts_with(scheme) && digits.size() >= min_digest_prefix && digits.size() <= 64 && hex) return;
    throw UsageError(name + " '" + text + "' is not sha256: followed by 64 lower-case hex digits, or by the first " +
                     std::to_string(min_digest_prefix) + " or more of them");
}

std::string digest_arg(const Catalog& catalog, const std::string& name, const std::string& text) {
    check_digest_syntax(name, text);
    if (is_sha256_digest(text)) return text;
    const std::vector<std::string> digests = catalog.digests_starting_with(text, 10);
    if (digests.size() == 1) return digests.front();
    if (digests.empty()) throw CatalogError("no digest in the catalog starts with " + text);
    std::string list;
    for (const auto& digest : digests) list += "\n  " + digest;
    throw CatalogError(name + " " + text + " is ambiguous: it starts " +
                       (digests.size() == 10 ? "10 or more digests, among them" : std::to_string(digests.size()) +
                                                                                      " digests") +
                       list + "\ngive more of its digits");
}

namespace {

// --max-removed: N tags or P% (0 to 100) of the current ones.
std::optional<RemovalLimit> parse_removal_limit(std::string text) {
    const bool percent = !text.empty() && text.back() == '%';
    if (percent) text.pop_back();
    if (!whole_number()(text).empty()) return std::nullopt;
    const std::int64_t value = std::stoll(text);
    if (percent && value > 100) return std::nullopt;
    return percent ? RemovalLimit::percentage(value) : RemovalLimit::tags(value);
}

}  // namespace

void SnapshotGuardArgs::add_to(CLI::App* command) {
    command->add_flag("--allow-empty", allow_empty,
                      "Ingest a full snapshot that lists no tags (which removes every current tag) instead of "
                      "refusing it");
    command
        ->add_option("--max-removed", max_removed,
                     "Refuse a full snapshot that would remove more than N of the repository's current tags, or "
                     "more than P% of them (100% allows any)")
        ->check(CLI::Validator(
            [](std::string& text) -> std::string {
                return parse_removal_limit(text) ? "" : "'" + text + "' is not N or P% (a whole percentage to 100)";
            },
            "N|P%"))
        ->capture_default_str();
}

void SnapshotGuardArgs::apply(IngestSpec& spec) const {
    spec.allow_empty = allow_empty;
    spec.max_removed = parse_removal_limit(max_removed);
}

std::string SnapshotGuardArgs::advice(IngestGuardError::Guard guard) {
    switch (guard) {
        case IngestGuardError::Guard::empty:
            return "; if the repository really has no tags, pass --allow-empty; nothing was written";
        case IngestGuardError::Guard::removed:
            return "; if that is right, pass --max-removed 100% (or a larger --max-removed N|P%); nothing was "
                   "written";
    }
    return "; nothing was written";
}

namespace {

std::chrono::milliseconds busy_timeout(const Globals& globals) {
    // At most a day: the SQLite busy handler counts milliseconds in an int.
    return std::chrono::seconds(std::min<std::int64_t>(globals.busy_timeout, 86400));
}

// Tells the user at a terminal, or in a cron mail, why rspcat seems stuck.
Catalog::LockWaitNotice lock_wait_notice(const Globals& globals) {
    return [db = globals.db, timeout = std::chrono::duration_cast<std::chrono::seconds>(busy_timeout(globals)).count()] {
        std::cerr << "rspcat: waiting for another process to release its lock on " << db << " (for up to "
                  << timeout << " s; --busy-timeout)\n";
    };
}

}  // namespace

Catalog open_for_query(const Globals& globals) {
    if (globals.db != ":memory:" && !std::filesystem::exists(globals.db)) {
        throw CatalogError("no catalog at " + globals.db + " (create one with `rspcat ingest`, or pass --db)");
    }
    Catalog catalog(globals.db, globals.read_only ? Catalog::Mode::read_only : Catalog::Mode::read_write,
                    busy_timeout(globals), lock_wait_notice(globals));
    for (const auto& warning : catalog.warnings()) std::cerr << "rspcat: warning: " << warning << "\n";
    return catalog;
}

Catalog open_for_write(const Globals& globals) {
    return Catalog(globals.db, Catalog::Mode::read_write, busy_timeout(globals), lock_wait_notice(globals));
}

void RepositoryArgs::add_to(CLI::App* command) {
    command->add_option("--registry", registry, "Registry host (needed when the catalog holds several)")->check(not_empty());
    command->add_option("--repository", repository, "Repository path, e.g. lsstsqre/sciplat-lab")->check(not_empty());
}

std::optional<RepositoryName> RepositoryArgs::name() const {
    if (registry.empty() != repository.empty()) throw UsageError("--registry and --repository go together");
    if (registry.empty()) return std::nullopt;
    return RepositoryName{registry_to_look_up(registry), repository};
}

std::string ingest_counts(const IngestSummary& summary) {
    std::string text = count(static_cast<std::size_t>(summary.rows), "tag", "tags") + " (" +
                       std::to_string(summary.added) + " new, " + std::to_string(summary.moved) + " moved, " +
                       std::to_string(summary.removed) + " removed";
    if (summary.unchanged_since) text += ", unchanged since " + format_timestamp(*summary.unchanged_since);
    return text + ")";
}

}  // namespace rspcat::cli
