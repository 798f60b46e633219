// `rspcat sync --gar`: an image listed from Google Artifact Registry's REST API and ingested as
// one full snapshot, as `ingest --format gar` ingests the same DockerImage objects. cmd_sync.cpp
// adds these options to `sync` and hands over when --gar is given.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"

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

}  // namespace rspcat::cli
