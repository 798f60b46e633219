// rspcat: the command-line tool over the catalog. Exit codes: 0 success, 1 failure, 2 usage.
#include <SQLiteCpp/Exception.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "output.hpp"
#include "rspcat/catalog.hpp"
#include "rspcat/version.hpp"

namespace rspcat::cli {

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// A mistake in how rspcat was called, found after parsing (exit 2).
class UsageError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

struct Globals {
    std::string db = "rspcat.db";
    bool read_only = false;
};

// --registry, --repository and --cycle, shared by the query commands.
struct CollectionArgs {
    std::string registry;
    std::string repository;
    std::int64_t cycle = 0;
    CLI::Option* cycle_option = nullptr;

    void add_to(CLI::App* command, bool with_cycle = true) {
        command->add_option("--registry", registry, "Registry host (needed when the catalog holds several)");
        command->add_option("--repository", repository, "Repository path, e.g. lsstsqre/sciplat-lab");
        if (with_cycle) {
            cycle_option = command->add_option("--cycle", cycle, "Restrict the collection to this SAL cycle")
                               ->check(CLI::NonNegativeNumber);
        }
    }

    CollectionSpec spec() const {
        if (registry.empty() != repository.empty()) {
            throw UsageError("--registry and --repository go together");
        }
        CollectionSpec spec;
        if (!registry.empty()) spec.repository = RepositoryName{registry, repository};
        if (cycle_option && *cycle_option) spec.cycle = cycle;
        return spec;
    }
};

struct FormatArg {
    std::string name = "table";
    void add_to(CLI::App* command) {
        command->add_option("--format", name, "Output format")
            ->check(CLI::IsMember({"table", "json", "csv"}))
            ->capture_default_str();
    }
    Format format() const { return name == "json" ? Format::json : name == "csv" ? Format::csv : Format::table; }
};

Timestamp parse_time_arg(const std::string& option, const std::string& text) {
    const auto t = parse_timestamp(text);
    if (!t) throw UsageError(option + ": '" + text + "' is not an ISO 8601 time (e.g. 2025-06-05T12:00:00Z)");
    return *t;
}

// Queries need an existing catalog: a missing file is an error, not an empty catalog.
Catalog open_for_query(const Globals& globals) {
    if (globals.db != ":memory:" && !std::filesystem::exists(globals.db)) {
        throw CatalogError("no catalog at " + globals.db + " (create one with `rspcat ingest`, or pass --db)");
    }
    return Catalog(globals.db, globals.read_only ? Catalog::Mode::read_only : Catalog::Mode::read_write);
}

// ---- ingest ---------------------------------------------------------------------------------

struct IngestArgs {
    std::string registry, repository, file = "-", format = "tsv", at;
    std::vector<std::string> aliases;
    bool merge = false;
};

void print_summary(const std::string& source, const std::string& at, const IngestSummary& s, bool merge) {
    std::cout << source << ": " << (merge ? "merged " : "snapshot ") << at << ": " << s.rows << " tags ("
              << s.added << " new, " << s.moved << " moved, " << s.removed << " removed)\n";
}

int run_ingest(const Globals& globals, const IngestArgs& args) {
    if (globals.read_only) throw UsageError("ingest writes to the catalog; it cannot run with --read-only");
    std::ifstream file;
    std::istream* in = &std::cin;
    if (args.file != "-") {
        if (std::filesystem::is_directory(args.file)) throw CatalogError("cannot read " + args.file + ": is a directory");
        file.open(args.file, std::ios::binary);
        if (!file) throw CatalogError("cannot read " + args.file + ": " + std::strerror(errno));
        in = &file;
    }
    TsvListingReader reader(*in, args.file);
    IngestSpec spec{{args.registry, args.repository}, args.aliases, now_utc(), args.file, args.merge};
    if (reader.is_history()) {
        if (!args.at.empty()) throw UsageError(args.file + " is a history file: each snapshot has its own time; drop --at");
        if (args.merge) throw UsageError(args.file + " is a history file of full snapshots; drop --merge");
    } else if (!args.at.empty()) {
        spec.taken_at = parse_time_arg("--at", args.at);
    }
    Catalog catalog(globals.db);
    Catalog::Writer writer = catalog.writer();
    std::vector<std::pair<std::string, IngestSummary>> done;
    if (reader.is_history()) {
        while (const auto at = reader.next_snapshot()) {
            spec.taken_at = *at;
            done.emplace_back(format_timestamp(*at), writer.ingest(spec, [&] { return reader.next_row(); }));
        }
    } else {
        done.emplace_back(format_timestamp(spec.taken_at), writer.ingest(spec, [&] { return reader.next_row(); }));
    }
    writer.commit();
    for (const auto& [at, summary] : done) print_summary(args.file, at, summary, args.merge);
    return 0;
}

// ---- queries --------------------------------------------------------------------------------

struct ImagesArgs {
    CollectionArgs collection;
    FormatArg format;
    bool all_arch = false, hide_aliased = false, hide_resolved_aliases = false;
};

int run_images(const Globals& globals, const ImagesArgs& args) {
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    const ListOptions options{!args.all_arch, args.hide_aliased, args.hide_resolved_aliases};
    print_images(std::cout, catalog.images(spec, options), args.format.format());
    return 0;
}

struct LatestArgs {
    CollectionArgs collection;
    FormatArg format;
    std::string type;
};

int run_latest(const Globals& globals, const LatestArgs& args) {
    const auto type = image_type_from_name(args.type);
    if (!type) {
        throw UsageError("TYPE '" + args.type +
                         "' is not one of alias, release, weekly, daily, candidate, experimental, unknown");
    }
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    print_image(std::cout, catalog.latest(spec, *type), args.format.format());
    return 0;
}

struct ShowArgs {
    CollectionArgs collection;
    FormatArg format;
    std::string what;
};

int run_show(const Globals& globals, const ShowArgs& args) {
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    const bool by_digest = args.what.starts_with("sha256:");
    const auto image = by_digest ? catalog.image_for_digest(spec, args.what) : catalog.image_for_tag(spec, args.what);
    if (!image) {
        throw CatalogError(std::string("no image with ") + (by_digest ? "digest " : "tag ") + args.what +
                           (spec.cycle ? " in cycle " + std::to_string(*spec.cycle) : ""));
    }
    print_image(std::cout, image, args.format.format());
    return 0;
}

struct SubsetArgs {
    CollectionArgs collection;
    FormatArg format;
    SubsetOptions options;
    bool all_arch = false;
};

int run_subset(const Globals& globals, SubsetArgs args) {
    const CollectionSpec spec = args.collection.spec();
    const Catalog catalog = open_for_query(globals);
    args.options.remove_arch_specific = !args.all_arch;
    print_images(std::cout, catalog.subset(spec, args.options), args.format.format());
    return 0;
}

struct SeenArgs {
    std::string digest, node;
    std::int64_t size = 0;
    CLI::Option* size_option = nullptr;
};

int run_seen(const Globals& globals, const SeenArgs& args) {
    if (globals.read_only) throw UsageError("seen writes to the catalog; it cannot run with --read-only");
    if (!is_sha256_digest(args.digest)) {
        throw UsageError("DIGEST '" + args.digest + "' is not sha256: followed by 64 lower-case hex digits");
    }
    Catalog catalog = open_for_query(globals);
    const std::optional<std::int64_t> size = *args.size_option ? std::optional(args.size) : std::nullopt;
    if (!catalog.mark_seen(args.digest, args.node, size, now_utc())) {
        std::cerr << "rspcat: no image has digest " << args.digest << "; nothing recorded\n";
    }
    return 0;
}

struct ParseArgs {
    std::vector<std::string> tags;
    bool alias = false;
    FormatArg format;
};

int run_parse(const ParseArgs& args) {
    std::vector<Tag> parsed;
    for (const auto& tag : args.tags) parsed.push_back(args.alias ? parse_alias_tag(tag) : parse_tag(tag));
    print_tags(std::cout, parsed, args.format.format());
    return 0;
}

int run(int argc, char** argv) {
    CLI::App app{"rspcat: a catalog of Rubin Science Platform container images on SQLite", "rspcat"};
    app.set_version_flag("--version", std::string(project_version));
    app.require_subcommand(1);
    Globals globals;
    app.add_option("--db", globals.db, "Catalog file")->envname("RSPCAT_DB")->capture_default_str();
    app.add_flag("--read-only", globals.read_only, "Open the catalog read-only");
    app.footer("Exit status: 0 on success, 1 on failure, 2 on a usage error. See README.md.");

    IngestArgs ingest;
    auto* ingest_cmd = app.add_subcommand("ingest", "Ingest a registry listing (tag<TAB>digest[<TAB>size] lines, or a "
                                                    "history file with a snapshot_at column) as one transaction");
    ingest_cmd->add_option("--registry", ingest.registry, "Registry host")->required();
    ingest_cmd->add_option("--repository", ingest.repository, "Repository path")->required();
    ingest_cmd->add_option("--alias", ingest.aliases, "A tag to treat as an alias tag (repeatable; remembered)")
        ->allow_extra_args(false);
    ingest_cmd->add_option("--at", ingest.at, "The listing's time, ISO 8601 UTC (default: now)");
    ingest_cmd->add_flag("--merge", ingest.merge, "Add or replace rows instead of replacing the whole listing");
    ingest_cmd->add_option("--format", ingest.format, "Listing format")->check(CLI::IsMember({"tsv"}))->capture_default_str();
    ingest_cmd->add_option("file", ingest.file, "Listing file, or - for standard input")->capture_default_str();

    ImagesArgs images;
    auto* images_cmd = app.add_subcommand("images", "List current images in menu order");
    images.collection.add_to(images_cmd);
    images.format.add_to(images_cmd);
    images_cmd->add_flag("--all-arch", images.all_arch, "Include architecture-specific images");
    images_cmd->add_flag("--hide-aliased", images.hide_aliased, "Hide images that an alias tag points to");
    images_cmd->add_flag("--hide-resolved-aliases", images.hide_resolved_aliases,
                         "Hide alias images whose target is listed");

    LatestArgs latest;
    auto* latest_cmd = app.add_subcommand("latest", "Show the newest image of a type");
    latest_cmd->add_option("type", latest.type,
                           "alias, release, weekly, daily, candidate (release-candidate), experimental or unknown")
        ->required();
    latest.collection.add_to(latest_cmd);
    latest.format.add_to(latest_cmd);

    ShowArgs show;
    auto* show_cmd = app.add_subcommand("show", "Show the image with a tag, or the image for a digest");
    show_cmd->add_option("what", show.what, "TAG or sha256:DIGEST")->required();
    show.collection.add_to(show_cmd);
    show.format.add_to(show_cmd);

    SubsetArgs subset;
    auto* subset_cmd = app.add_subcommand("subset", "The newest releases, weeklies and dailies, plus named tags");
    subset_cmd->add_option("--releases", subset.options.releases, "How many releases")->check(CLI::NonNegativeNumber);
    subset_cmd->add_option("--weeklies", subset.options.weeklies, "How many weeklies")->check(CLI::NonNegativeNumber);
    subset_cmd->add_option("--dailies", subset.options.dailies, "How many dailies")->check(CLI::NonNegativeNumber);
    subset_cmd->add_option("--include", subset.options.include, "A tag to include when present (repeatable)")
        ->allow_extra_args(false);
    subset_cmd->add_flag("--all-arch", subset.all_arch, "Count architecture-specific images too");
    subset.collection.add_to(subset_cmd);
    subset.format.add_to(subset_cmd);

    SeenArgs seen;
    auto* seen_cmd = app.add_subcommand("seen", "Record that a node has the image with a digest");
    seen_cmd->add_option("digest", seen.digest, "sha256:DIGEST")->required();
    seen_cmd->add_option("node", seen.node, "Node name")->required();
    seen.size_option = seen_cmd->add_option("--size", seen.size, "Image size in bytes seen on the node")
                           ->check(CLI::NonNegativeNumber);

    ParseArgs parse;
    auto* parse_cmd = app.add_subcommand("parse", "Parse tags (no catalog needed)");
    parse_cmd->add_option("tags", parse.tags, "Tags to parse")->required();
    parse_cmd->add_flag("--alias", parse.alias, "Parse as alias tags");
    parse.format.add_to(parse_cmd);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // CLI11 reports an unknown command only as a missing one; name it.
        if (argc > 1 && app.get_subcommands().empty() && !app.remaining().empty()) {
            std::cerr << "rspcat: unknown command '" << app.remaining().front()
                      << "'; run rspcat --help for the commands\n";
            return exit_usage;
        }
        const int code = app.exit(e);
        return code == 0 ? 0 : exit_usage;
    }

    try {
        if (*ingest_cmd) return run_ingest(globals, ingest);
        if (*images_cmd) return run_images(globals, images);
        if (*latest_cmd) return run_latest(globals, latest);
        if (*show_cmd) return run_show(globals, show);
        if (*subset_cmd) return run_subset(globals, subset);
        if (*seen_cmd) return run_seen(globals, seen);
        if (*parse_cmd) return run_parse(parse);
    } catch (const UsageError& e) {
        std::cerr << "rspcat: " << e.what() << "\n";
        return exit_usage;
    } catch (const InputError& e) {
        std::cerr << "rspcat: " << e.what() << "; nothing was written\n";
        return exit_failure;
    } catch (const CatalogError& e) {
        std::cerr << "rspcat: " << e.what() << "\n";
        return exit_failure;
    } catch (const SQLite::Exception& e) {
        std::cerr << "rspcat: " << globals.db << ": " << e.what() << "\n";
        return exit_failure;
    } catch (const std::exception& e) {
        std::cerr << "rspcat: " << e.what() << "\n";
        return exit_failure;
    }
    return exit_usage;
}

}  // namespace

}  // namespace rspcat::cli

int main(int argc, char** argv) { return rspcat::cli::run(argc, argv); }
