// rspcat sync: a repository listed straight from its registry (Docker Registry HTTP API v2) and
// ingested as one full snapshot, with what each new digest is (size, creation time, platforms)
// read from its manifest. Nothing is written unless every tag was resolved and every new digest read.
#include <filesystem>
#include <iostream>

#include "cmd_sync_gar.hpp"
#include "common.hpp"
#include "registry_sync.hpp"

namespace rspcat::cli {

namespace {

struct SyncArgs {
    std::string repository;
    std::vector<std::string> aliases;
    bool quiet = false;
    bool skip_manifests = false;
    RegistryArgs registry;
    SnapshotGuardArgs guards;
    GarSyncArgs gar;  // --gar: Google Artifact Registry instead of --url
};

int run_sync(const Globals& globals, const SyncArgs& args) {
    if (!args.gar.repository.empty()) {
        std::optional<std::chrono::milliseconds> deadline;
        if (args.registry.deadline_seconds != 0) deadline = std::chrono::seconds(args.registry.deadline_seconds);
        return run_gar_sync(globals, args.gar,
                            SyncSettings{args.aliases, args.guards, args.quiet, args.registry.insecure,
                                         args.registry.max_pages, std::chrono::seconds(args.registry.timeout_seconds),
                                         deadline});
    }
    if (args.registry.url.empty()) throw UsageError("--url is required (or --gar, for Google Artifact Registry)");
    if (args.repository.empty()) throw UsageError("--repository is required with --url");
    if (globals.read_only) throw UsageError("sync writes to the catalog; it cannot run with --read-only");
    const registry::SyncOptions options = args.registry.options(args.repository);
    // An existing catalog is opened first, so that one that cannot be written fails before the
    // network work; a new one is created only once there is something to write.
    std::optional<Catalog> catalog;
    if (std::filesystem::exists(globals.db)) catalog.emplace(open_for_write(globals));
    registry::RegistrySession session(options);  // one authentication for the listing and the manifests
    IngestSpec spec;
    spec.aliases = args.aliases;
    args.guards.apply(spec);
    const SyncResult result =
        sync_snapshot(globals, catalog, session, options, spec, &args.guards, args.quiet, !args.skip_manifests);
    // On standard error, as ingest's: sync prints no results.
    if (!args.quiet) std::cerr << sync_summary(result);
    return 0;
}

}  // namespace

void add_sync_commands(Commands& commands) {
    auto [command, args] = commands.add<SyncArgs>(
        "sync",
        "List a repository from its registry (Docker Registry HTTP API v2, or Google Artifact Registry's API) and "
        "ingest it as one snapshot",
        run_sync);
    command->add_option("--repository", args->repository, "With --url: repository path, e.g. lsstsqre/sciplat-lab")
        ->check(not_empty());
    command->add_option("--alias", args->aliases, "A tag to treat as an alias tag (repeatable; remembered)")
        ->allow_extra_args(false);
    args->guards.add_to(command);
    args->registry.add_to(command, "The registry: https://HOST[:PORT] (or http://); or --gar");
    command->add_flag("-q,--quiet", args->quiet, "Print no progress bar and no summary (errors are still printed)");
    command->add_flag("--skip-manifests", args->skip_manifests,
                      "Read no manifests or configs, only tags and digests (for registries that count manifest GETs "
                      "against a pull rate limit, as Docker Hub does); new images get no size or creation time");
    add_gar_sync_options(command, args->gar);
}

}  // namespace rspcat::cli
