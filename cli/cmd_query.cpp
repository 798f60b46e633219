// rspcat images, latest, show, subset, seen and parse: questions to the catalog (and the parser).
#include <iostream>

#include "common.hpp"

namespace rspcat::cli {

namespace {

struct ImagesArgs {
    CollectionArgs collection;
    FormatArg format;
    bool all_arch = false, hide_aliased = false, hide_resolved_aliases = false;
};

int run_images(const Globals& globals, const ImagesArgs& args) {
    const Output output = args.format.output();
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    const ListOptions options{!args.all_arch, args.hide_aliased, args.hide_resolved_aliases};
    ImagePrinter printer(std::cout, output);
    catalog.for_each_image(spec, options, [&](const Image& image) { printer.add(image); });
    printer.finish();
    return 0;
}

struct LatestArgs {
    CollectionArgs collection;
    FormatArg format;
    std::string type;
};

int run_latest(const Globals& globals, const LatestArgs& args) {
    const Output output = args.format.output();
    const auto type = image_type_from_name(args.type);
    if (!type) {
        throw UsageError("TYPE '" + args.type +
                         "' is not one of alias, release, weekly, daily, candidate, experimental, unknown");
    }
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    print_image(std::cout, catalog.latest(spec, *type), output);
    return 0;
}

struct ShowArgs {
    CollectionArgs collection;
    FormatArg format;
    std::string what;
};

int run_show(const Globals& globals, const ShowArgs& args) {
    const Output output = args.format.output();
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    const bool by_digest = args.what.starts_with("sha256:");
    const std::string what = by_digest ? digest_arg(catalog, "DIGEST", args.what) : args.what;
    const auto image = by_digest ? catalog.image_for_digest(spec, what) : catalog.image_for_tag(spec, what);
    if (!image) {
        throw CatalogError(std::string("no image with ") + (by_digest ? "digest " : "tag ") + what +
                           (spec.cycle ? " in cycle " + std::to_string(*spec.cycle) : ""));
    }
    print_image(std::cout, image, output);
    return 0;
}

struct SubsetArgs {
    CollectionArgs collection;
    FormatArg format;
    SubsetOptions options;
    bool all_arch = false;
};

int run_subset(const Globals& globals, const SubsetArgs& given) {
    SubsetArgs args = given;
    const Output output = args.format.output();
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    args.options.remove_arch_specific = !args.all_arch;
    print_images(std::cout, catalog.subset(spec, args.options), output);
    return 0;
}

struct SeenArgs {
    std::string digest, node;
    std::int64_t size = 0;
    CLI::Option* size_option = nullptr;
};

int run_seen(const Globals& globals, const SeenArgs& args) {
    if (globals.read_only) throw UsageError("seen writes to the catalog; it cannot run with --read-only");
    check_digest_syntax("DIGEST", args.digest);
    Catalog catalog = open_for_query(globals);
    const std::string digest = digest_arg(catalog, "DIGEST", args.digest);
    const std::optional<std::int64_t> size = *args.size_option ? std::optional(args.size) : std::nullopt;
    // A digest no image has is most likely a typo or a different registry: say so, and fail.
    if (!catalog.mark_seen(digest, args.node, size, now_utc())) {
        throw CatalogError("no current image has digest " + digest + "; nothing was recorded");
    }
    return 0;
}

struct ParseArgs {
    std::vector<std::string> tags;
    bool alias = false;
    FormatArg format;
};

int run_parse(const Globals&, const ParseArgs& args) {
    const Output output = args.format.output();
    std::vector<Tag> parsed;
    for (const auto& tag : args.tags) parsed.push_back(args.alias ? parse_alias_tag(tag) : parse_tag(tag));
    print_tags(std::cout, parsed, output);
    return 0;
}

}  // namespace

void add_query_commands(Commands& commands) {
    {
        auto [command, args] = commands.add<ImagesArgs>("images", "List current images in menu order", run_images);
        args->collection.add_to(command);
        args->format.add_to(command);
        command->add_flag("--all-arch", args->all_arch, "Include architecture-specific images");
        command->add_flag("--hide-aliased", args->hide_aliased, "Hide images that an alias tag points to");
        command->add_flag("--hide-resolved-aliases", args->hide_resolved_aliases,
                          "Hide alias images whose target is listed");
    }
    {
        auto [command, args] = commands.add<LatestArgs>("latest", "Show the newest image of a type", run_latest);
        command->add_option("type", args->type,
                            "alias, release, weekly, daily, candidate (release-candidate), experimental or unknown")
            ->required();
        args->collection.add_to(command);
        args->format.add_to(command);
    }
    {
        auto [command, args] =
            commands.add<ShowArgs>("show", "Show the image with a tag, or the image for a digest", run_show);
        command->add_option("what", args->what, "TAG, or sha256:DIGEST (or its first 12 or more hex digits)")->required();
        args->collection.add_to(command);
        args->format.add_to(command);
    }
    {
        auto [command, args] = commands.add<SubsetArgs>(
            "subset", "The newest releases, weeklies and dailies, plus named tags", run_subset);
        command->add_option("--releases", args->options.releases, "How many releases")->transform(whole_number());
        command->add_option("--weeklies", args->options.weeklies, "How many weeklies")->transform(whole_number());
        command->add_option("--dailies", args->options.dailies, "How many dailies")->transform(whole_number());
        command->add_option("--include", args->options.include, "A tag to include when present (repeatable)")
            ->allow_extra_args(false);
        command->add_flag("--all-arch", args->all_arch, "Count architecture-specific images too");
        args->collection.add_to(command);
        args->format.add_to(command);
    }
    {
        auto [command, args] = commands.add<SeenArgs>("seen", "Record that a node has the image with a digest", run_seen);
        command->add_option("digest", args->digest, "sha256:DIGEST (or its first 12 or more hex digits)")->required();
        command->add_option("node", args->node, "Node name")->required()->check(not_empty());
        args->size_option = command->add_option("--size", args->size, "Image size in bytes seen on the node")
                                ->transform(whole_number());
    }
    {
        auto [command, args] = commands.add<ParseArgs>("parse", "Parse tags (no catalog needed)", run_parse);
        command->add_option("tags", args->tags, "Tags to parse")->required();
        command->add_flag("--alias", args->alias, "Parse as alias tags");
        args->format.add_to(command);
    }
}

}  // namespace rspcat::cli
