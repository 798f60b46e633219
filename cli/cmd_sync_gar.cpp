#include "cmd_sync_gar.hpp"
#include "registry_sync.hpp"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "rspcat/gar.hpp"

namespace rspcat::cli {

namespace {

// The API's base URL: --gar-api, else $RSPCAT_GAR_API (for tests and proxies), else Google's.
std::string gar_api(const std::string& given) {
    if (!given.empty()) return given;
    if (const char* api = std::getenv("RSPCAT_GAR_API"); api != nullptr && *api != '\0') return api;
    return registry::default_gar_api;
}

// The options every GAR call takes, beyond the repository and the image.
void set_connection(registry::GarOptions& options, const std::string& api, bool insecure,
                    std::chrono::milliseconds request_timeout, std::optional<std::chrono::milliseconds> deadline) {
    options.api = gar_api(api);
    if (!registry::parse_base_url(options.api)) {
        throw UsageError("--gar-api '" + options.api + "' is not http://HOST[:PORT] or https://HOST[:PORT]");
    }
    options.insecure = insecure;
    options.request_timeout = request_timeout;
    options.deadline = deadline;
}

registry::GarOptions gar_options(const GarSyncArgs& args, const SyncSettings& settings) {
    registry::GarOptions options;
    const auto repository = registry::parse_gar_repository(args.repository);
    if (!repository) {
        throw UsageError("--gar '" + args.repository + "' is not projects/PROJECT/locations/LOCATION/repositories/REPOSITORY");
    }
    options.repository = *repository;
    if (args.image.empty()) throw UsageError("--gar needs --image NAME (the image in that repository)");
    options.image = args.image;
    // Checked here, as --repository is, so that a bad name is a usage error before any request.
    if (!registry::is_repository_name(options.repository.catalog_repository(args.image))) {
        throw UsageError("--image '" + args.image + "' is not an image name (lower-case components joined by /)");
    }
    set_connection(options, args.api, settings.insecure, settings.request_timeout, settings.deadline);
    options.max_pages = settings.max_pages;
    return options;
}

}  // namespace

bool is_gar_registry(const std::string& registry) { return registry.ends_with("-docker.pkg.dev"); }

registry::GarOptions gar_options_for_catalog(const RepositoryName& repository, const std::string& api, bool insecure,
                                             std::chrono::milliseconds request_timeout,
                                             std::optional<std::chrono::milliseconds> deadline) {
    // LOCATION-docker.pkg.dev and PROJECT/REPOSITORY/IMAGE, as sync --gar files them.
    const std::string& path = repository.repository;
    const std::size_t first = path.find('/');
    const std::size_t second = first == std::string::npos ? first : path.find('/', first + 1);
    const std::string location = repository.registry.substr(0, repository.registry.size() - std::string("-docker.pkg.dev").size());
    const auto parsed = second == std::string::npos
                            ? std::nullopt
                            : registry::parse_gar_repository("projects/" + path.substr(0, first) + "/locations/" + location +
                                                             "/repositories/" + path.substr(first + 1, second - first - 1));
    if (!parsed) {
        throw CatalogError(repository.registry + "/" + path +
                           " is not an Artifact Registry image (LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE)");
    }
    registry::GarOptions options;
    options.repository = *parsed;
    options.image = path.substr(second + 1);
    set_connection(options, api, insecure, request_timeout, deadline);
    return options;
}

std::string gar_token(const std::string& token_file) {
    registry::GarTokenLookup lookup = registry::gar_token_lookup_from_environment();
    if (!token_file.empty()) lookup.token_file = token_file;
    return registry::resolve_gar_token(lookup);
}

std::string gar_sync_snapshot(const Globals& globals, std::optional<Catalog>& catalog,
                              const registry::GarOptions& options, IngestSpec spec, const SnapshotGuardArgs* guards) {
    const std::string registry = options.repository.registry();
    const std::string repository = options.repository.catalog_repository(options.image);
    const std::string source = options.api + "/v1/" + options.repository.path() + " image " + options.image;
    const Timestamp taken_at = now_utc();
    std::vector<ListingRow> rows;
    try {
        rows = registry::fetch_gar_listing(options);
    } catch (const registry::RegistryLimitError& e) {
        throw registry::RegistryLimitError(std::string(e.what()) + raising_option(e) + "; nothing was written", e.limit);
    } catch (const registry::RegistryError& e) {
        throw registry::RegistryError(std::string(e.what()) + "; nothing was written");
    }  // an InputError reaches main(), which adds "; nothing was written" to every one
    if (!catalog) catalog.emplace(open_for_write(globals));
    spec.repository = {registry, repository};
    spec.taken_at = taken_at;
    spec.source = source;
    spec.merge = false;
    std::size_t next = 0;
    auto ingest = [&] {
        return catalog->ingest(spec, [&]() -> std::optional<ListingRow> {
            if (next == rows.size()) return std::nullopt;
            return std::move(rows[next++]);
        });
    };
    const IngestSummary summary = guards ? guards->guarded(ingest) : ingest();
    return registry + "/" + repository + ": snapshot " + format_timestamp(taken_at) + ": " + ingest_counts(summary) + "\n";
}

void add_gar_sync_options(CLI::App* command, GarSyncArgs& args) {
    auto* gar = command->add_option("--gar", args.repository,
                                    "Google Artifact Registry repository to list instead of --url: "
                                    "projects/PROJECT/locations/LOCATION/repositories/REPOSITORY");
    gar->check(not_empty());
    for (const char* docker_only : {"--url", "--repository", "--credentials", "--username", "--password-stdin",
                                    "--concurrency", "--max-tags", "--skip-manifests"}) {
        gar->excludes(command->get_option(docker_only));
    }
    command->add_option("--image", args.image, "With --gar: the image (package) to list, e.g. sciplat-lab")
        ->check(not_empty())
        ->needs(gar);
    command->add_option("--gar-api", args.api,
                        "With --gar: the Artifact Registry API's base URL (default $RSPCAT_GAR_API, else "
                        "https://artifactregistry.googleapis.com)")
        ->check(not_empty())
        ->needs(gar);
    command->add_option("--token-file", args.token_file,
                        "With --gar: read the OAuth2 access token from this file's first line (default: "
                        "$GOOGLE_OAUTH_ACCESS_TOKEN, gcloud, the metadata server)")
        ->check(not_empty())
        ->needs(gar);
}

int run_gar_sync(const Globals& globals, const GarSyncArgs& args, const SyncSettings& settings) {
    if (globals.read_only) throw UsageError("sync writes to the catalog; it cannot run with --read-only");
    registry::GarOptions options = gar_options(args, settings);
    // As the Docker form: an existing catalog that cannot be written fails before the network.
    std::optional<Catalog> catalog;
    if (std::filesystem::exists(globals.db)) catalog.emplace(open_for_write(globals));
    try {
        options.token = gar_token(args.token_file);
    } catch (const registry::RegistryError& e) {
        throw registry::RegistryError(std::string(e.what()) + "; nothing was written");
    }  // an InputError reaches main(), which adds "; nothing was written" to every one
    IngestSpec spec;
    spec.aliases = settings.aliases;
    settings.guards.apply(spec);
    const std::string summary = gar_sync_snapshot(globals, catalog, options, spec, &settings.guards);
    if (!settings.quiet) std::cerr << summary;
    return 0;
}

}  // namespace rspcat::cli
