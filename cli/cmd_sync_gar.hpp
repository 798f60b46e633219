// `rspcat sync --gar`: an image listed from Google Artifact Registry's REST API and ingested as
// one full snapshot, as `ingest --format gar` ingests the same DockerImage objects. cmd_sync.cpp
// adds these options to `sync` and hands over when --gar is given.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "rspcat/gar.hpp"

namespace rspcat::cli {

struct GarSyncArgs {
    std::string repository;  // --gar projects/P/locations/L/repositories/R
    std::string image;       // --image NAME
    std::string api;         // --gar-api URL, else $RSPCAT_GAR_API, else Google's
    std::string token_file;  // --token-file FILE
};

// What `sync --gar` shares with the Docker form of sync.
struct SyncSettings {
    const std::vector<std::string>& aliases;
    const SnapshotGuardArgs& guards;
    bool quiet = false;
    bool insecure = false;
    std::size_t max_pages = 0;
    std::chrono::milliseconds request_timeout{0};
    std::optional<std::chrono::milliseconds> deadline;
};

// --gar, --image, --gar-api and --token-file, and which Docker options they exclude. After the
// Docker options have been added.
void add_gar_sync_options(CLI::App* command, GarSyncArgs& args);

int run_gar_sync(const Globals& globals, const GarSyncArgs& args, const SyncSettings& settings);

// Whether the catalog files `registry`'s images as Artifact Registry's (`LOCATION-docker.pkg.dev`).
bool is_gar_registry(const std::string& registry);
// The options for an image the catalog holds as LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE
// (a CatalogError for another name), at --gar-api `api` (else $RSPCAT_GAR_API, else Google's).
registry::GarOptions gar_options_for_catalog(const RepositoryName& repository, const std::string& api, bool insecure,
                                             std::chrono::milliseconds request_timeout,
                                             std::optional<std::chrono::milliseconds> deadline);
// The access token: --token-file's first line when given, else the environment's sources.
std::string gar_token(const std::string& token_file);
// Lists the image and ingests it as one full snapshot (the spec's repository, time and source
// filled in here), opening `catalog` from `globals` when empty; returns the summary line.
std::string gar_sync_snapshot(const Globals& globals, std::optional<Catalog>& catalog,
                              const registry::GarOptions& options, IngestSpec spec, const SnapshotGuardArgs* guards);

}  // namespace rspcat::cli
