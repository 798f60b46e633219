#include "registry_delete.hpp"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>

#include "cmd_sync_gar.hpp"
#include "rspcat/gar.hpp"

namespace rspcat::cli {

namespace {

std::int64_t known_bytes(const std::vector<PlannedDeletion>& plan) {
    std::int64_t bytes = 0;
    for (const auto& deletion : plan) bytes += deletion.size.value_or(0);
    return bytes;
}

// Deleting is not undoable: a person at a terminal says yes; a script says --yes.
void confirm(const std::string& question, bool yes) {
    if (yes) return;
    if (::isatty(STDIN_FILENO) != 1) {
        throw UsageError("deleting from the registry cannot be undone: pass --yes to confirm (standard input is not a "
                         "terminal to ask on)");
    }
    std::cerr << question << " [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "yes") throw CatalogError("not confirmed; nothing was deleted");
}

// What differs between the registry now and what the plan was made from, one line each.
std::vector<std::string> differences(const std::vector<ListingRow>& listing, const std::vector<PlannedDeletion>& plan,
                                     const std::map<std::string, std::string>& must_hold) {
    std::map<std::string, std::string> now;
    for (const ListingRow& row : listing) now[row.tag] = row.digest;
    std::vector<std::string> lines;
    for (const auto& [tag, digest] : must_hold) {
        const auto found = now.find(tag);
        if (found == now.end()) {
            lines.push_back(tag + " is gone from the registry (the catalog has it on " + digest + ")");
        } else if (found->second != digest) {
            lines.push_back(tag + " points to " + found->second + " in the registry, to " + digest + " in the catalog");
        }
    }
    for (const PlannedDeletion& deletion : plan) {
        const std::set<std::string> planned(deletion.tags.begin(), deletion.tags.end());
        for (const auto& [tag, digest] : now) {
            if (digest == deletion.digest && !planned.count(tag)) {
                lines.push_back(tag + " now points to " + digest + ", which the plan deletes");
            }
        }
    }
    return lines;
}

// What the catalog read of the manifests of `digests` (only a synced repository has them).
std::map<std::string, ManifestDetails> manifests_of(const Catalog& catalog, const std::vector<std::string>& digests) {
    std::map<std::string, ManifestDetails> out;
    for (ManifestDetails& details : catalog.manifests(digests)) {
        const std::string digest = details.digest;
        out.emplace(digest, std::move(details));
    }
    return out;
}

// Indexes before the images they reference: a run stopped half-way then leaves no index whose
// platform images are gone.
std::vector<PlannedDeletion> indexes_first(const Catalog& catalog, const std::vector<PlannedDeletion>& plan) {
    std::vector<std::string> digests;
    for (const auto& deletion : plan) digests.push_back(deletion.digest);
    const auto manifests = manifests_of(catalog, digests);
    std::vector<PlannedDeletion> ordered = plan;
    std::stable_partition(ordered.begin(), ordered.end(), [&](const PlannedDeletion& deletion) {
        const auto found = manifests.find(deletion.digest);
        return found != manifests.end() && !found->second.platforms.empty();
    });
    return ordered;
}

// A planned digest that an index which stays references as one of its platforms, by what the
// catalog read of the registry's current digests: deleting it would break that index.
std::vector<std::string> entries_of_staying_indexes(const Catalog& catalog, const std::vector<ListingRow>& in_registry,
                                                    const std::vector<PlannedDeletion>& plan) {
    std::set<std::string> planned;
    for (const auto& deletion : plan) planned.insert(deletion.digest);
    std::map<std::string, std::vector<std::string>> tags_on;
    for (const ListingRow& row : in_registry) tags_on[row.digest].push_back(row.tag);
    std::vector<std::string> digests;
    for (const auto& [digest, tags] : tags_on) {
        if (!planned.count(digest)) digests.push_back(digest);
    }
    std::vector<std::string> lines;
    for (const auto& [digest, details] : manifests_of(catalog, digests)) {
        for (const Platform& platform : details.platforms) {
            if (planned.count(platform.digest)) {
                lines.push_back(platform.digest + " is the " + platform_name(platform) + " image of index " + digest +
                                " (" + join(tags_on[digest], ",") + "), which stays");
            }
        }
    }
    return lines;
}

void print_deleted(const std::vector<PlannedDeletion>& deleted, const std::string& failed_digest) {
    Table table;
    table.columns = {"action", "digest", "size", "tags"};
    for (const auto& deletion : deleted) {
        table.rows.push_back({"deleted", deletion.digest, deletion.size ? human_size(*deletion.size) : "",
                              join(deletion.tags, ",")});
    }
    if (!failed_digest.empty()) table.rows.push_back({"failed", failed_digest, "", ""});
    table.print(std::cout, Output{});
}

// Where the digests are deleted: what the registry holds now, the delete, and the sync after.
class DeletionTarget {
   public:
    virtual ~DeletionTarget() = default;
    virtual std::vector<ListingRow> current_tags() = 0;
    virtual void delete_digest(const std::string& digest) = 0;
    // A snapshot of the repository after the deletions; returns its summary for standard error.
    virtual std::string sync(const Globals& globals, std::optional<Catalog>& catalog, bool quiet) = 0;
};

class DockerTarget : public DeletionTarget {
   public:
    DockerTarget(const RegistryArgs& args, const RepositoryName& repository)
        : options_(args.options(repository.repository, repository.registry)), session_(options_) {}
    std::vector<ListingRow> current_tags() override { return session_.read_listing().rows; }
    void delete_digest(const std::string& digest) override { session_.delete_manifest(digest); }
    std::string sync(const Globals& globals, std::optional<Catalog>& catalog, bool quiet) override {
        IngestSpec spec;  // no guards: the removals are the deletions just made
        return sync_summary(sync_snapshot(globals, catalog, session_, options_, spec, nullptr, quiet));
    }

   private:
    registry::SyncOptions options_;
    registry::RegistrySession session_;
};

class GarTarget : public DeletionTarget {
   public:
    GarTarget(const DeleteArgs& args, const RepositoryName& repository) {
        options_ = gar_options_for_catalog(repository, args.gar_api, args.registry.insecure,
                                           std::chrono::seconds(args.registry.timeout_seconds),
                                           args.registry.deadline_seconds != 0
                                               ? std::optional<std::chrono::milliseconds>(
                                                     std::chrono::seconds(args.registry.deadline_seconds))
                                               : std::nullopt);
        options_.max_pages = args.registry.max_pages;
        options_.token = gar_token(args.token_file);
    }
    std::vector<ListingRow> current_tags() override { return registry::fetch_gar_listing(options_); }
    void delete_digest(const std::string& digest) override { registry::delete_gar_image(options_, digest); }
    std::string sync(const Globals& globals, std::optional<Catalog>& catalog, bool /*quiet*/) override {
        IngestSpec spec;
        return gar_sync_snapshot(globals, catalog, options_, spec, nullptr);
    }

   private:
    registry::GarOptions options_;
};

std::unique_ptr<DeletionTarget> target_for(const DeleteArgs& args, const RepositoryName& repository) {
    if (is_gar_registry(repository.registry)) {
        const RegistryArgs& docker = args.registry;
        if (!docker.url.empty() || !docker.credentials.empty() || !docker.username.empty() || docker.password_stdin) {
            throw UsageError("--url, --credentials, --username and --password-stdin are for Docker registries; " +
                             repository.registry + " is Artifact Registry's (--gar-api, --token-file)");
        }
        return std::make_unique<GarTarget>(args, repository);
    }
    if (!args.gar_api.empty() || !args.token_file.empty()) {
        throw UsageError("--gar-api and --token-file are for Artifact Registry images (a LOCATION-docker.pkg.dev "
                         "registry); " + repository.registry + " is a Docker registry");
    }
    return std::make_unique<DockerTarget>(args.registry, repository);
}

}  // namespace

void DeleteArgs::add_to(CLI::App* command, const std::string& what) {
    command->add_flag("--yes", yes, "Do not ask before deleting (needed when standard input is not a terminal)");
    command->add_option("--limit", limit, "Delete at most this many digests in this run (" + what + ")")
        ->transform(whole_number())
        ->check(positive());
    command->add_flag("-q,--quiet", quiet, "Print no progress bar and no summary (errors are still printed)");
    registry.add_to(command, "The registry: https://HOST[:PORT] or http://; default https:// and the catalog's registry");
    command->add_option("--gar-api", gar_api,
                        "For an Artifact Registry image: the API's base URL (default $RSPCAT_GAR_API, else "
                        "https://artifactregistry.googleapis.com)")
        ->check(not_empty());
    command->add_option("--token-file", token_file,
                        "For an Artifact Registry image: read the OAuth2 access token from this file's first line")
        ->check(not_empty());
}

int apply_deletions(const Globals& globals, std::optional<Catalog>& catalog, const RepositoryName& repository,
                    const std::vector<PlannedDeletion>& whole_plan, const std::map<std::string, std::string>& must_hold,
                    const DeleteArgs& args, const DeletionOrigin& origin) {
    std::vector<PlannedDeletion> plan = indexes_first(*catalog, whole_plan);
    if (args.limit > 0 && plan.size() > args.limit) plan.resize(args.limit);
    const std::string name = repository.registry + "/" + repository.repository;
    if (plan.empty()) {
        if (!args.quiet) std::cerr << "nothing to delete from " << name << "\n";
        return 0;
    }
    // The connection first, so that its usage errors come before the question.
    const std::unique_ptr<DeletionTarget> target = target_for(args, repository);
    if (!args.yes) {
        for (const PlannedDeletion& deletion : plan) {
            std::cerr << "  " << deletion.digest << "  " << (deletion.size ? human_size(*deletion.size) : "?") << "  "
                      << join(deletion.tags, ",") << "\n";
        }
    }
    confirm("Delete " + count(plan.size(), "digest", "digests") + " (" + human_size(known_bytes(plan)) + ") from " +
                name + "?",
            args.yes);

    // Immediately before deleting: does the registry still hold what the plan was made from?
    std::vector<ListingRow> in_registry;
    try {
        in_registry = target->current_tags();
    } catch (const registry::RegistryError& e) {
        throw registry::RegistryError(std::string(e.what()) + raising_option(e) + "; nothing was deleted");
    }
    std::vector<std::string> changed = differences(in_registry, plan, must_hold);
    for (const auto& line : entries_of_staying_indexes(*catalog, in_registry, plan)) changed.push_back(line);
    if (!changed.empty()) {
        std::string text;
        for (const auto& line : changed) text += "\n  " + line;
        throw CatalogError("the registry no longer matches the plan for " + name +
                           " (it changed since the catalog's last snapshot, or the plan would break an image that "
                           "stays); nothing was deleted: run rspcat sync and plan again:" + text);
    }

    std::vector<PlannedDeletion> deleted;
    std::optional<std::string> failure;
    std::string failed_digest;
    for (const PlannedDeletion& deletion : plan) {
        // Whatever stops the run, what was deleted before it is still reported and journalled.
        try {
            target->delete_digest(deletion.digest);
            deleted.push_back(deletion);
        } catch (const std::exception& e) {
            failure = e.what();
            failed_digest = deletion.digest;
            break;
        }
    }
    print_deleted(deleted, failed_digest);

    // The journal before the sync: what was deleted is gone whatever happens to the sync.
    const Timestamp now = now_utc();
    std::vector<Deletion> journal;
    for (const PlannedDeletion& deletion : deleted) {
        journal.push_back(Deletion{0, repository, deletion.digest, deletion.tags, deletion.size, now, origin.command,
                                   origin.policy_file, origin.policy_sha256});
    }
    std::optional<std::string> journal_failure;
    try {
        catalog->record_deletions(journal);
    } catch (const std::exception& e) {
        journal_failure = e.what();
        std::vector<std::string> digests;
        for (const auto& deletion : deleted) digests.push_back(deletion.digest);
        std::cerr << "rspcat: deleted from the registry but not journalled (" << e.what()
                  << "): " << join(digests, ",") << "\n";
    }

    std::optional<std::string> sync_failure;
    std::string synced;
    if (!deleted.empty()) {
        try {
            synced = target->sync(globals, catalog, args.quiet);
        } catch (const std::exception& e) {
            sync_failure = e.what();
        }
    }
    if (!args.quiet) {
        std::cerr << "deleted " << deleted.size() << " of " << count(plan.size(), "digest", "digests") << " ("
                  << human_size(known_bytes(deleted)) << ") from " << name;
        if (whole_plan.size() > plan.size()) std::cerr << "; " << whole_plan.size() - plan.size() << " left by --limit";
        std::cerr << "\n" << synced;
    }
    if (sync_failure) {
        std::cerr << "rspcat: the snapshot after the deletions failed: " << *sync_failure << "; run rspcat sync\n";
    }
    if (failure) {
        std::vector<std::string> left;
        for (std::size_t i = deleted.size(); i < plan.size(); ++i) left.push_back(plan[i].digest);
        throw registry::RegistryError(*failure + "; deleted " + std::to_string(deleted.size()) +
                                      ", not deleted: " + join(left, ","));
    }
    return sync_failure || journal_failure ? 1 : 0;
}

}  // namespace rspcat::cli
