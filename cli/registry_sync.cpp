#include "registry_sync.hpp"

#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace rspcat::cli {

namespace {

// Largest --timeout and --deadline: a day and thirty days, far beyond any use, well within
// what libcurl's millisecond timeouts hold.
constexpr std::int64_t max_timeout_seconds = 24 * 3600;
constexpr std::int64_t max_deadline_seconds = 30 * 24 * 3600;

// `--password-stdin`: standard input, less one line end, as `docker login --password-stdin`
// reads it.
std::string password_from_stdin() {
    std::ostringstream text;
    text << std::cin.rdbuf();
    if (std::cin.bad()) throw CatalogError("cannot read the password from standard input");
    std::string password = text.str();
    if (password.ends_with('\n')) password.pop_back();
    if (password.ends_with('\r')) password.pop_back();
    if (password.empty()) throw UsageError("--password-stdin: standard input holds no password");
    return password;
}

// Who to authenticate as: --username with --password-stdin, else what Docker's and containers'
// credential files say (see registry::resolve_credentials and docs/cli.md).
std::optional<registry::Credentials> credentials_for(const RegistryArgs& args, const std::string& authority) {
    if (!args.username.empty()) {
        if (!args.password_stdin) throw UsageError("--username needs --password-stdin (a password is never an argument)");
        registry::Credentials credentials;
        credentials.username = args.username;
        credentials.password = password_from_stdin();
        credentials.source = "--username and --password-stdin";
        return credentials;
    }
    if (args.password_stdin) throw UsageError("--password-stdin needs --username");
    registry::CredentialLookup lookup = registry::credential_lookup_from_environment();
    if (!args.credentials.empty()) lookup.config_file = args.credentials;
    return registry::resolve_credentials(authority, lookup);
}

// The listing's distinct digests: those whose manifests the catalog has read already, and the
// others, which the sync reads. Digests are immutable, so a known one is never read again.
std::pair<std::vector<ManifestDetails>, std::vector<std::string>> split_by_known_manifests(
    const Catalog* catalog, const std::vector<ListingRow>& rows) {
    std::vector<std::string> digests;
    std::set<std::string> seen;
    for (const ListingRow& row : rows) {
        if (seen.insert(row.digest).second) digests.push_back(row.digest);
    }
    std::vector<ManifestDetails> known = catalog ? catalog->manifests(digests) : std::vector<ManifestDetails>{};
    std::set<std::string> known_digests;
    for (const ManifestDetails& details : known) known_digests.insert(details.digest);
    std::vector<std::string> unknown;
    for (const std::string& digest : digests) {
        if (!known_digests.count(digest)) unknown.push_back(digest);
    }
    return {std::move(known), std::move(unknown)};
}

// Each row's size: its digest's, as the registry's manifest gives it.
void set_sizes(std::vector<ListingRow>& rows, const std::vector<ManifestDetails>& known,
               const std::vector<ManifestDetails>& fetched) {
    std::map<std::string, std::int64_t> sizes;
    for (const auto* list : {&known, &fetched}) {
        for (const ManifestDetails& details : *list) sizes[details.digest] = details.size;
    }
    for (ListingRow& row : rows) {
        if (const auto found = sizes.find(row.digest); found != sizes.end()) row.size = found->second;
    }
}

}  // namespace

CLI::Option* RegistryArgs::add_to(CLI::App* command, const std::string& url_help) {
    command->add_option("--url", url, url_help)->check(not_empty());
    command->add_option("--concurrency", concurrency, "Requests at once")
        ->check(CLI::Range(1, registry::max_concurrency))
        ->capture_default_str();
    auto* credentials_option = command->add_option(
        "--credentials", credentials,
        "A Docker config.json (or containers auth.json) to take the credentials from, instead of the "
        "default files (~/.docker/config.json and others: see ENVIRONMENT in rspcat(1))");
    credentials_option->check(not_empty());
    command->add_option("--username", username, "Authenticate as this user, with the password on standard input")
        ->check(not_empty())
        ->excludes(credentials_option);
    command->add_flag("--password-stdin", password_stdin, "Read the password of --username from standard input")
        ->excludes(credentials_option);
    command->add_flag("--insecure", insecure, "Do not verify the registry's TLS certificate");
    command->add_option("--max-pages", max_pages, "Fail when the registry links more pages of tags than this")
        ->transform(whole_number())
        ->check(positive())
        ->capture_default_str();
    command->add_option("--max-tags", max_tags, "Fail when the registry lists more tags than this")
        ->transform(whole_number())
        ->check(positive())
        ->capture_default_str();
    command->add_option("--timeout", timeout_seconds, "Seconds each request may take, from connecting to the last byte")
        ->transform(whole_number())
        ->check(CLI::Range(std::int64_t{1}, max_timeout_seconds))
        ->capture_default_str();
    command->add_option("--deadline", deadline_seconds, "Seconds all the requests may take (0: no deadline)")
        ->transform(whole_number())
        ->check(CLI::Range(std::int64_t{0}, max_deadline_seconds))
        ->capture_default_str();
    return credentials_option;
}

registry::SyncOptions RegistryArgs::options(const std::string& repository,
                                            const std::optional<std::string>& catalog_registry) const {
    registry::SyncOptions options;
    const std::string given = url.empty() && catalog_registry ? "https://" + *catalog_registry : url;
    const auto base = registry::parse_base_url(given);
    if (!base) throw UsageError("--url '" + given + "' is not http://HOST[:PORT] or https://HOST[:PORT]");
    if (catalog_registry && registry::registry_name(base->authority) != catalog_registry) {
        throw UsageError("--url " + given + " is not the catalog's registry " + *catalog_registry +
                         ": the plan is that registry's");
    }
    options.url = *base;
    options.repository = repository_arg(repository);
    options.concurrency = concurrency;
    options.insecure = insecure;
    options.max_pages = max_pages;
    options.max_tags = max_tags;
    options.request_timeout = std::chrono::seconds(timeout_seconds);
    options.deadline.reset();
    if (deadline_seconds != 0) options.deadline = std::chrono::seconds(deadline_seconds);
    options.credentials = credentials_for(*this, base->authority);
    return options;
}

std::string raising_option(const registry::RegistryError& error) {
    const auto* limit = dynamic_cast<const registry::RegistryLimitError*>(&error);
    if (!limit) return "";
    switch (limit->limit) {
        case registry::RegistryLimitError::Limit::pages: return " (raise it with --max-pages)";
        case registry::RegistryLimitError::Limit::tags: return " (raise it with --max-tags)";
        case registry::RegistryLimitError::Limit::request_timeout: return " (raise it with --timeout)";
        case registry::RegistryLimitError::Limit::deadline: return " (raise it with --deadline)";
    }
    return "";
}

ProgressBar::ProgressBar(bool quiet, std::string unit)
    : enabled_(!quiet && ::isatty(STDERR_FILENO) == 1), unit_(std::move(unit)) {}

void ProgressBar::update(std::size_t done, std::size_t total) {
    if (!enabled_ || total == 0) return;
    constexpr std::size_t width = 30;
    const std::size_t filled = done * width / total;
    const std::size_t percent = done * 100 / total;
    if (drawn_ && percent == last_percent_ && done != total) return;  // nothing visible changed
    std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/" << total
              << " " << unit_ << std::flush;
    drawn_ = true;
    last_percent_ = percent;
}

void ProgressBar::finish() {
    if (drawn_) std::cerr << "\n";
    drawn_ = false;
}

SyncResult sync_snapshot(const Globals& globals, std::optional<Catalog>& catalog, registry::RegistrySession& session,
                         const registry::SyncOptions& options, IngestSpec spec, const SnapshotGuardArgs* guards,
                         bool quiet, bool read_manifests) {
    SyncResult result;
    result.source = options.url.text() + "/" + options.repository;
    result.taken_at = now_utc();
    registry::RegistryListing listing;
    try {
        {
            ProgressBar progress(quiet);
            listing = session.read_listing([&](std::size_t done, std::size_t total) { progress.update(done, total); });
        }
        for (const std::string& tag : listing.vanished_tags) {
            std::cerr << "rspcat: warning: " << result.source << ": tag '" << tag
                      << "' was listed but is gone (HTTP 404 on its manifest): deleted meanwhile, left out\n";
        }
        auto [known, unknown] = split_by_known_manifests(catalog ? &*catalog : nullptr, listing.rows);
        if (!read_manifests) unknown.clear();
        ProgressBar progress(quiet, "images");
        spec.manifests =
            session.fetch_manifest_details(unknown, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
        set_sizes(listing.rows, known, spec.manifests);
    } catch (const registry::RegistryError& e) {
        throw registry::RegistryError(std::string(e.what()) + raising_option(e) + "; nothing was written");
    }
    result.vanished = listing.vanished_tags.size();
    result.new_images = spec.manifests.size();
    if (!catalog) catalog.emplace(open_for_write(globals));
    // The registry as `ingest --registry` names it: the URL's HOST[:PORT], the host lower-cased.
    spec.repository = {registry::registry_name(options.url.authority).value_or(options.url.authority), options.repository};
    spec.taken_at = result.taken_at;
    spec.source = result.source;
    spec.merge = false;
    std::vector<ListingRow>& rows = listing.rows;
    std::size_t next = 0;
    auto ingest = [&] {
        return catalog->ingest(spec, [&]() -> std::optional<ListingRow> {
            if (next == rows.size()) return std::nullopt;
            return std::move(rows[next++]);
        });
    };
    result.summary = guards ? guards->guarded(ingest) : ingest();
    return result;
}

std::string sync_summary(const SyncResult& result) {
    const IngestSummary& summary = result.summary;
    std::string text = result.source + ": snapshot " + format_timestamp(result.taken_at) + ": " + ingest_counts(summary);
    if (result.vanished > 0) text += ", " + count(result.vanished, "tag", "tags") + " gone before their HEAD";
    return text + "; " + count(result.new_images, "new image", "new images") + " read\n";
}

}  // namespace rspcat::cli
