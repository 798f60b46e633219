// rspcat sync: a repository listed straight from its registry (Docker Registry HTTP API v2) and
// ingested as one full snapshot, with what each new digest is (size, creation time, platforms)
// read from its manifest. Nothing is written unless every tag was resolved and every new digest read.
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <iostream>
#include <sstream>

#include "cmd_sync_gar.hpp"
#include "common.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::cli {

namespace {

struct SyncArgs {
    std::string url, repository, credentials, username;
    bool password_stdin = false;
    std::vector<std::string> aliases;
    int concurrency = 4;
    bool insecure = false;
    bool quiet = false;
    std::size_t max_pages = registry::default_max_pages;
    std::size_t max_tags = registry::default_max_tags;
    std::int64_t timeout_seconds = registry::default_request_timeout.count() / 1000;
    std::int64_t deadline_seconds = registry::default_deadline.count() / 1000;  // 0: none
    SnapshotGuardArgs guards;
    GarSyncArgs gar;  // --gar: Google Artifact Registry instead of --url
};

// Largest --timeout and --deadline: a day and thirty days, far beyond any use, well within
// what libcurl's millisecond timeouts hold.
constexpr std::int64_t max_timeout_seconds = 24 * 3600;
constexpr std::int64_t max_deadline_seconds = 30 * 24 * 3600;

// The option that raises the limit a sync ran into, for its error message.
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

// `[#######.............]  120/300 tags` (or images) on standard error, redrawn in place; only when standard
// error is a terminal, so that logs and pipes get no control characters.
class ProgressBar {
   public:
    explicit ProgressBar(bool quiet, std::string unit = "tags")
        : enabled_(!quiet && ::isatty(STDERR_FILENO) == 1), unit_(std::move(unit)) {}
    ~ProgressBar() { finish(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;

    void update(std::size_t done, std::size_t total) {
        if (!enabled_ || total == 0) return;
        constexpr std::size_t width = 30;
        const std::size_t filled = done * width / total;
        const std::size_t percent = done * 100 / total;
        if (drawn_ && percent == last_percent_ && done != total) return;  // nothing visible changed
        std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/"
                  << total << " " << unit_ << std::flush;
        drawn_ = true;
        last_percent_ = percent;
    }

    void finish() {
        if (drawn_) std::cerr << "\n";
        drawn_ = false;
    }

   private:
    bool enabled_;
    std::string unit_;
    bool drawn_ = false;
    std::size_t last_percent_ = 0;
};

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

// Who the sync authenticates as: --username with --password-stdin, else what Docker's and
// containers' credential files say (see registry::resolve_credentials and docs/cli.md).
std::optional<registry::Credentials> sync_credentials(const SyncArgs& args, const std::string& authority) {
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

registry::SyncOptions sync_options(const SyncArgs& args) {
    registry::SyncOptions options;
    const auto url = registry::parse_base_url(args.url);
    if (!url) throw UsageError("--url '" + args.url + "' is not http://HOST[:PORT] or https://HOST[:PORT]");
    options.url = *url;
    options.repository = repository_arg(args.repository);
    options.concurrency = args.concurrency;
    options.insecure = args.insecure;
    options.max_pages = args.max_pages;
    options.max_tags = args.max_tags;
    options.request_timeout = std::chrono::seconds(args.timeout_seconds);
    options.deadline.reset();
    if (args.deadline_seconds != 0) options.deadline = std::chrono::seconds(args.deadline_seconds);
    options.credentials = sync_credentials(args, url->authority);
    return options;
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

int run_sync(const Globals& globals, const SyncArgs& args) {
    if (!args.gar.repository.empty()) {
        std::optional<std::chrono::milliseconds> deadline;
        if (args.deadline_seconds != 0) deadline = std::chrono::seconds(args.deadline_seconds);
        return run_gar_sync(globals, args.gar,
                            SyncSettings{args.aliases, args.guards, args.quiet, args.insecure, args.max_pages,
                                         std::chrono::seconds(args.timeout_seconds), deadline});
    }
    if (args.url.empty()) throw UsageError("--url is required (or --gar, for Google Artifact Registry)");
    if (args.repository.empty()) throw UsageError("--repository is required with --url");
    if (globals.read_only) throw UsageError("sync writes to the catalog; it cannot run with --read-only");
    registry::SyncOptions options = sync_options(args);
    // An existing catalog is opened first, so that one that cannot be written fails before the
    // network work; a new one is created only once there is something to write.
    std::optional<Catalog> catalog;
    if (std::filesystem::exists(globals.db)) catalog.emplace(open_for_write(globals));
    const std::string source = options.url.text() + "/" + options.repository;
    const Timestamp taken_at = now_utc();
    std::optional<registry::RegistrySession> session;  // one authentication for both steps
    registry::RegistryListing listing;
    std::vector<ManifestDetails> new_manifests;
    try {
        {
            ProgressBar progress(args.quiet);
            options.on_progress = [&](std::size_t done, std::size_t total) { progress.update(done, total); };
            session.emplace(options);
            listing = session->read_listing();
        }
        for (const std::string& tag : listing.vanished_tags) {
            std::cerr << "rspcat sync: warning: " << source << ": tag '" << tag
                      << "' was listed but is gone (HTTP 404 on its manifest): deleted meanwhile, left out\n";
        }
        const auto [known, unknown] = split_by_known_manifests(catalog ? &*catalog : nullptr, listing.rows);
        ProgressBar progress(args.quiet, "images");
        new_manifests = session->fetch_manifest_details(
            unknown, [&](std::size_t done, std::size_t total) { progress.update(done, total); });
        set_sizes(listing.rows, known, new_manifests);
    } catch (const registry::RegistryError& e) {
        throw registry::RegistryError(std::string(e.what()) + raising_option(e) + "; nothing was written");
    }
    std::vector<ListingRow>& rows = listing.rows;
    if (!catalog) catalog.emplace(open_for_write(globals));
    // The registry as `ingest --registry` names it: the URL's HOST[:PORT], the host lower-cased.
    const std::string registry_name = registry::registry_name(options.url.authority).value_or(options.url.authority);
    IngestSpec spec{{registry_name, options.repository}, args.aliases, taken_at, source, false};
    spec.manifests = std::move(new_manifests);
    args.guards.apply(spec);
    std::size_t next = 0;
    const IngestSummary summary = args.guards.guarded([&] {
        return catalog->ingest(spec, [&]() -> std::optional<ListingRow> {
            if (next == rows.size()) return std::nullopt;
            return std::move(rows[next++]);
        });
    });
    // On standard error, as ingest's: sync prints no results.
    if (!args.quiet) {
        std::cerr << source << ": snapshot " << format_timestamp(taken_at) << ": " << count(summary.rows, "tag", "tags")
                  << " (" << summary.added << " new, " << summary.moved << " moved, " << summary.removed
                  << " removed";
        if (!listing.vanished_tags.empty()) std::cerr << ", " << listing.vanished_tags.size() << " gone before their HEAD";
        std::cerr << "); " << count(spec.manifests.size(), "new image", "new images") << " read\n";
    }
    return 0;
}

}  // namespace

void add_sync_commands(Commands& commands) {
    auto [command, args] = commands.add<SyncArgs>(
        "sync",
        "List a repository from its registry (Docker Registry HTTP API v2, or Google Artifact Registry's API) and "
        "ingest it as one snapshot",
        run_sync);
    command->add_option("--url", args->url, "The registry: https://HOST[:PORT] (or http://); or --gar")
        ->check(not_empty());
    command->add_option("--repository", args->repository, "With --url: repository path, e.g. lsstsqre/sciplat-lab")
        ->check(not_empty());
    command->add_option("--alias", args->aliases, "A tag to treat as an alias tag (repeatable; remembered)")
        ->allow_extra_args(false);
    args->guards.add_to(command);
    command->add_option("--concurrency", args->concurrency, "HEAD requests at once")
        ->check(CLI::Range(1, registry::max_concurrency))
        ->capture_default_str();
    auto* credentials = command->add_option(
        "--credentials", args->credentials,
        "A Docker config.json (or containers auth.json) to take the credentials from, instead of the "
        "default files (~/.docker/config.json and others: see ENVIRONMENT in rspcat(1))");
    credentials->check(not_empty());
    command->add_option("--username", args->username, "Authenticate as this user, with the password on standard input")
        ->check(not_empty())
        ->excludes(credentials);
    command->add_flag("--password-stdin", args->password_stdin, "Read the password of --username from standard input")
        ->excludes(credentials);
    command->add_flag("--insecure", args->insecure, "Do not verify the registry's TLS certificate");
    command->add_flag("-q,--quiet", args->quiet, "Print no progress bar and no summary (errors are still printed)");
    command->add_option("--max-pages", args->max_pages, "Fail when the registry links more pages of tags than this")
        ->transform(whole_number())
        ->check(positive())
        ->capture_default_str();
    command->add_option("--max-tags", args->max_tags, "Fail when the registry lists more tags than this")
        ->transform(whole_number())
        ->check(positive())
        ->capture_default_str();
    command->add_option("--timeout", args->timeout_seconds, "Seconds each request may take, from connecting to the last byte")
        ->transform(whole_number())
        ->check(CLI::Range(std::int64_t{1}, max_timeout_seconds))
        ->capture_default_str();
    command->add_option("--deadline", args->deadline_seconds, "Seconds the whole sync may take (0: no deadline)")
        ->transform(whole_number())
        ->check(CLI::Range(std::int64_t{0}, max_deadline_seconds))
        ->capture_default_str();
    add_gar_sync_options(command, args->gar);
}

}  // namespace rspcat::cli
