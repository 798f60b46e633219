// Deleting digests from a repository's registry (a Docker registry, or Google Artifact Registry
// for an image the catalog files under `LOCATION-docker.pkg.dev`), as `prune --apply` and
// `delete` do: confirm, check that the registry still holds what the catalog says, delete,
// journal each deletion in the catalog, and sync so that the catalog's snapshot shows the result.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common.hpp"
#include "registry_sync.hpp"

namespace rspcat::cli {

struct PlannedDeletion {
    std::string digest;
    std::vector<std::string> tags;  // every tag on the digest, as the catalog has it
    std::optional<std::int64_t> size;
};

// --yes, --limit, -q and the registry connection options: a Docker registry's, and for
// Artifact Registry --gar-api and --token-file.
struct DeleteArgs {
    bool yes = false;
    std::size_t limit = 0;  // 0: no limit
    bool quiet = false;
    RegistryArgs registry;
    std::string gar_api, token_file;
    void add_to(CLI::App* command, const std::string& what);
};

// What the journal says of these deletions beyond their digests.
struct DeletionOrigin {
    std::string command;  // `prune` or `delete`
    std::optional<std::string> policy_file;
    std::optional<std::string> policy_sha256;
};

// Deletes `plan` (at most --limit of it, in order) from the registry of `repository`.
// `must_hold`: tag → digest for every tag the plan depends on (deleted, protected, kept); if the
// registry maps any of them otherwise, or a tag outside a deletion points to its digest, nothing
// is deleted and the differences are named. `catalog` is open for writing. Returns the exit status.
int apply_deletions(const Globals& globals, std::optional<Catalog>& catalog, const RepositoryName& repository,
                    const std::vector<PlannedDeletion>& plan, const std::map<std::string, std::string>& must_hold,
                    const DeleteArgs& args, const DeletionOrigin& origin);

}  // namespace rspcat::cli
