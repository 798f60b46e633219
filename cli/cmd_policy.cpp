// rspcat filter, prune and menu: what a deployment's policy shows, could delete, and offers.
#include <algorithm>
#include <fstream>
#include <map>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common.hpp"
#include "registry_delete.hpp"
#include "rspcat/prune.hpp"

namespace rspcat::cli {

namespace {

const char* at_help =
    "The time to judge ages from, and to see the catalog as it was then (ISO 8601; default now)";

// --policy FILE, FILE#KEY.PATH or - (standard input), and --policy-key KEY.PATH.
struct PolicyArgs {
    std::string policy;
    std::string key;

    void add_to(CLI::App* command, const std::string& help, bool required) {
        CLI::Option* policy_option =
            command
                ->add_option("--policy", policy,
                             help + "; FILE#KEY.PATH or --policy-key for one inside a larger document, - for "
                                    "standard input")
                ->check(not_empty());
        if (required) policy_option->required();
        command
            ->add_option("--policy-key", key,
                         "KEY.PATH: the policy sits at this key of the --policy document (a deployment's values "
                         "file: controller.config.dropdownMenu)")
            ->check(not_empty())
            ->needs(policy_option);
    }

    // The policy, read by the library's rules (docs/model.md §4): the CLI only picks the text.
    // `source`, when given, gets the file's name and the SHA-256 of its bytes (the deletion
    // journal's record of which policy deleted what).
    FilterPolicy read(DeletionOrigin* source = nullptr) const {
        PolicyReference reference = parse_policy_reference(policy);
        if (!key.empty()) {
            if (!reference.key_path.empty()) {
                throw UsageError("--policy " + policy + " names a key path after '#', and --policy-key names "
                                 "another: give one");
            }
            reference = {policy, key};
        }
        // What the journal records is what was parsed: the same bytes, read once.
        auto record = [&](const std::string& bytes) {
            if (!source) return;
            source->policy_file = reference.key_path.empty() ? reference.file : reference.file + "#" + reference.key_path;
            source->policy_sha256 = registry::sha256_digest(bytes);
        };
        if (reference.file != "-") {
            const std::string bytes = read_policy_file(reference.file);
            record(bytes);
            return parse_policy(bytes, reference.file, policy_format_of(reference.file), reference.key_path);
        }
        std::ostringstream text;
        text << std::cin.rdbuf();
        if (std::cin.bad()) throw CatalogError("cannot read the policy from standard input");
        record(text.str());
        // YAML, which also reads JSON: standard input has no name to tell them apart.
        return parse_policy(text.str(), "standard input", PolicyFormat::yaml, reference.key_path);
    }
};

// " in cycle N" when the collection is one cycle's, for messages.
std::string in_cycle(const CollectionSpec& spec) {
    return spec.cycle ? " of cycle " + std::to_string(*spec.cycle) : "";
}

struct FilterArgs {
    CollectionArgs collection;
    FormatArg format;
    PolicyArgs policy;
    bool all_arch = false, invert = false;
};

int run_filter(const Globals& globals, const FilterArgs& args) {
    const Output output = args.format.output();
    const CollectionSpec spec = args.collection.spec();
    const FilterPolicy policy = args.policy.read();
    const Catalog catalog = open_for_query(globals);
    const FilterOptions options{args.collection.time(), !args.all_arch, args.invert};
    ImagePrinter printer(std::cout, output);
    catalog.for_each_filtered(spec, policy, options, [&](const Image& image) { printer.add(image); });
    printer.finish();
    return 0;
}

struct PruneArgs {
    CollectionArgs collection;
    FormatArg format;
    PolicyArgs policy;
    std::vector<std::string> keep;
    bool apply = false;
    DeleteArgs deletion;  // with --apply
};

// The plan on `out`; for a table, its totals on `summary` (standard error), so that the rows
// can be read alone.
void print_plan(std::ostream& out, std::ostream& summary, const PrunePlan& plan, const Output& output) {
    if (output.format == Format::json) {
        out << to_json(plan) << '\n';
        return;
    }
    Table table;
    table.columns = {"action", "digest", "size", "tags", "kept_by"};
    for (const auto& d : plan.deletions) {
        std::string tags;
        for (const auto& t : d.tags) tags += (tags.empty() ? "" : ",") + t;
        table.rows.push_back({"delete", d.digest, d.size ? human_size(*d.size) : "", tags, ""});
    }
    for (const auto& p : plan.protections) {
        std::string tags, kept;
        for (const auto& t : p.tags) tags += (tags.empty() ? "" : ",") + t;
        for (const auto& t : p.kept_by) kept += (kept.empty() ? "" : ",") + t;
        table.rows.push_back({"keep", p.digest, "", tags, kept});
    }
    table.print(out, output);
    summary << count(plan.deletions.size(), "digest", "digests") << " to delete (" << human_size(plan.bytes) << "), "
            << plan.protections.size() << " protected. Nothing was deleted: this is a plan.\n";
}

// Every tag the plan depends on, with its digest now: those it deletes, those it protects, and
// those that protect them. `prune --apply` checks the registry against them.
std::map<std::string, std::string> tags_of_plan(const PrunePlan& plan, const std::vector<Image>& images) {
    std::map<std::string, std::string> digest_of;
    for (const Image& image : images) digest_of[image.tag.tag] = image.digest;
    std::map<std::string, std::string> tags;
    auto add = [&](const std::vector<std::string>& names) {
        for (const auto& name : names) {
            if (const auto found = digest_of.find(name); found != digest_of.end()) tags[name] = found->second;
        }
    };
    for (const auto& deletion : plan.deletions) add(deletion.tags);
    for (const auto& protection : plan.protections) {
        add(protection.tags);
        add(protection.kept_by);
    }
    return tags;
}

int apply_prune(const Globals& globals, const PruneArgs& args, const PrunePlan& plan, const std::vector<Image>& images,
                const DeletionOrigin& origin, std::optional<Catalog>& catalog) {
    const RepositoryName repository{images.empty() ? "" : images.front().registry,
                                    images.empty() ? "" : images.front().repository};
    std::vector<PlannedDeletion> deletions;
    for (const auto& deletion : plan.deletions) deletions.push_back({deletion.digest, deletion.tags, deletion.size});
    return apply_deletions(globals, catalog, repository, deletions, tags_of_plan(plan, images), args.deletion, origin);
}

int run_prune(const Globals& globals, const PruneArgs& args) {
    const Output output = args.format.output();
    const CollectionSpec spec = args.collection.spec();
    if (args.apply && spec.at) throw UsageError("--apply deletes by the catalog's current state: it takes no --at");
    if (args.apply && output.format != Format::table) {
        throw UsageError("--apply prints a table of what it deleted; `rspcat deletions --format json` lists them as JSON");
    }
    if (args.apply && globals.read_only) throw UsageError("--apply writes to the catalog; it cannot run with --read-only");
    DeletionOrigin origin{"prune", std::nullopt, std::nullopt};
    const FilterPolicy policy = args.policy.read(args.apply ? &origin : nullptr);
    std::optional<Catalog> catalog;
    catalog.emplace(open_for_query(globals));  // --apply too: it needs a catalog that exists
    const std::vector<Image> images = catalog->images(spec, {.hide_arch_specific = false});
    // A --keep that names no tag protects nothing: most likely a typo, and the plan would then
    // delete what the operator meant to keep.
    for (const auto& tag : args.keep) {
        if (std::none_of(images.begin(), images.end(), [&](const Image& i) { return i.tag.tag == tag; })) {
            throw CatalogError("--keep " + tag + ": no such tag in the collection" + in_cycle(spec) +
                               "; no plan was made");
        }
    }
    const PrunePlan plan = plan_prune(images, policy, args.collection.time(), args.keep);
    if (args.apply) return apply_prune(globals, args, plan, images, origin, catalog);
    print_plan(std::cout, std::cerr, plan, output);
    return 0;
}

struct MenuArgs {
    CollectionArgs collection;
    FormatArg format;
    MenuOptions options;
    PolicyArgs policy;
    std::vector<std::string> nodes;
};

void print_menu(std::ostream& out, const Menu& menu, Format format) {
    if (format == Format::json) {
        nlohmann::json doc = {{"menu", nlohmann::json::array()}, {"dropdown", nlohmann::json::array()}};
        for (const auto& image : menu.menu) {
            doc["menu"].push_back({{"reference", image.reference_with_digest()}, {"name", image.tag.display_name}});
        }
        for (const auto& image : menu.dropdown) {
            doc["dropdown"].push_back({{"reference", image.reference_with_digest()}, {"name", image.tag.display_name}});
        }
        out << doc.dump(2) << '\n';
        return;
    }
    out << "Menu:\n";
    for (const auto& image : menu.menu) out << "  " << image.tag.display_name << "  (" << image.tag.tag << ")\n";
    out << "Dropdown:\n";
    for (const auto& image : menu.dropdown) out << "  " << image.tag.display_name << "  (" << image.tag.tag << ")\n";
}

int run_menu(const Globals& globals, const MenuArgs& given) {
    MenuArgs args = given;
    const Format format = args.format.format();
    const CollectionSpec spec = args.collection.spec();
    if (!args.policy.policy.empty()) args.options.policy = args.policy.read();
    for (const auto& list : args.nodes) {
        for (std::size_t start = 0; start <= list.size();) {
            const std::size_t comma = std::min(list.find(',', start), list.size());
            if (comma > start) args.options.nodes.push_back(list.substr(start, comma - start));
            start = comma + 1;
        }
    }
    args.options.age_basis = args.collection.time();
    const Catalog catalog = open_for_query(globals);
    // A menu without its recommended image, or without a pinned one, is not what was asked for.
    if (!catalog.image_for_tag(spec, args.options.recommended)) {
        throw CatalogError("--recommended " + args.options.recommended + ": no such tag in the collection" +
                           in_cycle(spec));
    }
    for (const auto& pin : args.options.pins) {
        if (!catalog.image_for_tag(spec, pin)) {
            throw CatalogError("--pin " + pin + ": no such tag in the collection" + in_cycle(spec));
        }
    }
    const Menu menu = catalog.menu(spec, args.options);
    print_menu(std::cout, menu, format);
    return 0;
}

}  // namespace

void add_policy_commands(Commands& commands) {
    {
        auto [command, args] = commands.add<FilterArgs>(
            "filter", "The images a filter policy keeps (or, with --invert, does not keep), in menu order", run_filter);
        args->policy.add_to(command, "Policy file, JSON or YAML (nublado's dropdownMenu format)", true);
        command->add_flag("--all-arch", args->all_arch, "Keep architecture-specific images in");
        command->add_flag("--invert", args->invert,
                          "List the images the policy does not keep, tag by tag. Not a delete list: registries "
                          "delete by digest, and a digest listed here can still carry a kept tag, an alias or an "
                          "architecture-specific build; use prune, which counts builds and protects shared digests");
        args->collection.add_to(command, at_help);
        args->format.add_to(command);
    }
    {
        auto [command, args] = commands.add<PruneArgs>(
            "prune",
            "Plan which digests the registry could delete under a policy; with --apply, delete them from the registry",
            run_prune);
        args->policy.add_to(command, "Policy file, JSON or YAML", true);
        command->add_option("--keep", args->keep, "A tag whose digest must stay (repeatable)")->allow_extra_args(false);
        args->collection.add_to(command, at_help);
        args->format.add_to(command, {"table", "json"});
        command->add_flag("--apply", args->apply,
                          "Delete the planned digests from the registry (Docker Registry HTTP API v2), after checking "
                          "that it still holds what the catalog says; then journal them and sync");
        args->deletion.add_to(command, "with --apply");
    }
    {
        auto [command, args] = commands.add<MenuArgs>("menu", "The spawner menu and dropdown, as nublado builds them",
                                                      run_menu);
        command->add_option("--recommended", args->options.recommended, "The recommended tag, listed first")
            ->required();
        command->add_option("--releases", args->options.releases, "How many releases to prepull")
            ->transform(whole_number());
        command->add_option("--weeklies", args->options.weeklies, "How many weeklies to prepull")
            ->transform(whole_number());
        command->add_option("--dailies", args->options.dailies, "How many dailies to prepull")
            ->transform(whole_number());
        command->add_option("--pin", args->options.pins, "A tag to prepull as well (repeatable)")
            ->allow_extra_args(false);
        command->add_option("--nodes", args->nodes, "NODE,... : list only images seen on all these nodes")
            ->allow_extra_args(false)
            ->check(names_separated_by_commas());
        args->policy.add_to(command, "Policy file for the dropdown (default: every image)", false);
        args->collection.add_to(command, at_help);
        args->format.add_to(command, {"table", "json"}, false);
    }
}

}  // namespace rspcat::cli
