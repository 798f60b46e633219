// What the commands that talk to a Docker registry share: its connection options (sync, prune
// --apply, delete), the progress bar, and one sync of a repository into the catalog.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "common.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::cli {

// --url, --credentials, --username, --password-stdin, --insecure, --concurrency, --max-pages,
// --max-tags, --timeout, --deadline.
struct RegistryArgs {
    std::string url, credentials, username;
    bool password_stdin = false;
    bool insecure = false;
    int concurrency = 4;
    std::size_t max_pages = registry::default_max_pages;
    std::size_t max_tags = registry::default_max_tags;
    std::int64_t timeout_seconds = registry::default_request_timeout.count() / 1000;
    std::int64_t deadline_seconds = registry::default_deadline.count() / 1000;  // 0: none

    // `url_help` says what --url is to the command. Returns the --credentials option, which
    // other options may exclude.
    CLI::Option* add_to(CLI::App* command, const std::string& url_help);
    // The options for `repository` at --url, or, without --url, at https://`catalog_registry`
    // (the registry a catalog names). A usage error when --url names another registry than
    // `catalog_registry`: deleting there by this catalog's plan would delete the wrong images.
    registry::SyncOptions options(const std::string& repository,
                                  const std::optional<std::string>& catalog_registry = std::nullopt) const;
};

// The option that raises the limit a registry call ran into, for its error message.
std::string raising_option(const registry::RegistryError& error);

// `[#######.............]  120/300 tags` (or images) on standard error, redrawn in place; only
// when standard error is a terminal, so that logs and pipes get no control characters.
class ProgressBar {
   public:
    explicit ProgressBar(bool quiet, std::string unit = "tags");
    ~ProgressBar() { finish(); }
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    void update(std::size_t done, std::size_t total);
    void finish();

   private:
    bool enabled_;
    std::string unit_;
    bool drawn_ = false;
    std::size_t last_percent_ = 0;
};

struct SyncResult {
    std::string source;  // URL/REPOSITORY
    Timestamp taken_at;
    IngestSummary summary;
    std::size_t vanished = 0;    // tags gone between the tag list and their HEAD
    std::size_t new_images = 0;  // digests whose manifests were read
};

// Lists the repository through `session`, reads the digests the catalog has not read, and
// ingests one full snapshot as `spec` says (its repository, source, time and manifests are
// filled in here). `catalog` is opened (created) from `globals` when empty, only once there is
// something to write. A RegistryError ends in "; nothing was written".
// With `read_manifests` false, only the tag list and the HEADs are asked (sizes stay unknown for
// digests the catalog has not read).
SyncResult sync_snapshot(const Globals& globals, std::optional<Catalog>& catalog, registry::RegistrySession& session,
                         const registry::SyncOptions& options, IngestSpec spec, const SnapshotGuardArgs* guards,
                         bool quiet, bool read_manifests = true);

// `URL/REPO: snapshot TIME: N tags (A new, M moved, R removed); K new images read` and a newline.
std::string sync_summary(const SyncResult& result);

}  // namespace rspcat::cli
