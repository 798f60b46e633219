// rspcat delete and deletions: deleting tagged images from the registry by hand, as nublado's
// `images delete` does, and the journal of every deletion rspcat made.
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "common.hpp"
#include "registry_delete.hpp"

namespace rspcat::cli {

namespace {

struct DeleteCommandArgs {
    RepositoryArgs repository;
    std::vector<std::string> tags;
    bool force = false;
    DeleteArgs deletion;
};

// Each named tag's digest, once, with every tag the catalog has on it. A digest that carries a
// tag not named is refused unless --force: deleting it would take that tag down too.
std::vector<PlannedDeletion> plan_tag_deletions(const std::vector<Image>& images, const std::vector<std::string>& tags,
                                                bool force, const std::string& name) {
    std::map<std::string, const Image*> by_tag;
    std::map<std::string, std::vector<std::string>> tags_on;
    for (const Image& image : images) {
        by_tag[image.tag.tag] = &image;
        tags_on[image.digest].push_back(image.tag.tag);
    }
    const std::set<std::string> named(tags.begin(), tags.end());
    std::vector<PlannedDeletion> plan;
    std::set<std::string> planned;
    for (const std::string& tag : tags) {
        const auto found = by_tag.find(tag);
        if (found == by_tag.end()) throw CatalogError("no tag " + tag + " in " + name + "; nothing was deleted");
        const Image& image = *found->second;
        if (!planned.insert(image.digest).second) continue;
        std::vector<std::string> others;
        for (const auto& other : tags_on[image.digest]) {
            if (!named.count(other)) others.push_back(other);
        }
        if (!others.empty() && !force) {
            throw CatalogError(tag + "'s digest " + image.digest + " also carries " + join(others, ", ") +
                               ": deleting it would delete them too; name them as well, or pass --force. "
                               "Nothing was deleted");
        }
        plan.push_back({image.digest, tags_on[image.digest], image.size});
    }
    return plan;
}

int run_delete(const Globals& globals, const DeleteCommandArgs& args) {
    if (globals.read_only) throw UsageError("delete writes to the catalog; it cannot run with --read-only");
    std::optional<Catalog> catalog;
    catalog.emplace(open_for_query(globals));  // one that exists: a mistyped --db is no new catalog
    const std::optional<RepositoryName> named = args.repository.name();
    const std::vector<Image> images = catalog->images(CollectionSpec{named}, {.hide_arch_specific = false});
    if (images.empty()) throw CatalogError("the repository has no current images; nothing was deleted");
    const RepositoryName repository{images.front().registry, images.front().repository};
    const std::string name = repository.registry + "/" + repository.repository;
    const std::vector<PlannedDeletion> plan = plan_tag_deletions(images, args.tags, args.force, name);
    std::map<std::string, std::string> must_hold;
    for (const auto& deletion : plan) {
        for (const auto& tag : deletion.tags) must_hold[tag] = deletion.digest;
    }
    return apply_deletions(globals, catalog, repository, plan, must_hold, args.deletion,
                           DeletionOrigin{"delete", std::nullopt, std::nullopt});
}

struct DeletionsArgs {
    RepositoryArgs repository;
    FormatArg format;
    std::int64_t limit = 0;
    CLI::Option* limit_option = nullptr;
};

int run_deletions(const Globals& globals, const DeletionsArgs& args) {
    const Output output = args.format.output();
    const Catalog catalog = open_for_query(globals);
    const auto deletions =
        catalog.deletions(args.repository.name(), *args.limit_option ? std::optional<std::int64_t>(args.limit) : std::nullopt);
    auto or_null = [](const std::optional<std::string>& text) { return text ? nlohmann::json(*text) : nlohmann::json(); };
    if (output.format == Format::json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& d : deletions) {
            out.push_back({{"id", d.id},
                           {"registry", d.repository.registry},
                           {"repository", d.repository.repository},
                           {"deleted_at", format_timestamp(d.deleted_at)},
                           {"digest", d.digest},
                           {"size", d.size ? nlohmann::json(*d.size) : nlohmann::json()},
                           {"tags", d.tags},
                           {"command", d.command},
                           {"policy_file", or_null(d.policy_file)},
                           {"policy_sha256", or_null(d.policy_sha256)}});
        }
        std::cout << out.dump(1) << '\n';
        return 0;
    }
    Table table;
    table.columns = {"deleted_at", "registry", "repository", "digest", "size", "tags", "command", "policy_file", "policy_sha256"};
    for (const auto& d : deletions) {
        const std::string tags = join(d.tags, " ");
        const bool people = output.format == Format::table;
        table.rows.push_back({format_timestamp(d.deleted_at), d.repository.registry, d.repository.repository, d.digest,
                              d.size ? (people ? human_size(*d.size) : std::to_string(*d.size)) : "", tags, d.command,
                              d.policy_file.value_or(""), d.policy_sha256.value_or("")});
    }
    table.print(std::cout, output);
    return 0;
}

}  // namespace

void add_delete_commands(Commands& commands) {
    {
        auto [command, args] = commands.add<DeleteCommandArgs>(
            "delete",
            "Delete tagged images from the registry by digest, refusing a digest that other tags still carry", run_delete);
        command->add_option("tags", args->tags, "Tags whose digests to delete")->required();
        command->add_flag("--force", args->force, "Delete a digest even when tags not named carry it (they go too)");
        args->repository.add_to(command);
        args->deletion.add_to(command, "in the order named");
    }
    {
        auto [command, args] = commands.add<DeletionsArgs>(
            "deletions", "The digests that prune --apply and delete deleted from registries, newest first", run_deletions);
        args->repository.add_to(command);
        args->limit_option = command->add_option("--limit", args->limit, "List at most this many (the newest)")
                                 ->transform(whole_number())
                                 ->check(positive());
        args->format.add_to(command);
    }
}

}  // namespace rspcat::cli
