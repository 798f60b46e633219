// rspcat ingest: registry listings into the catalog, one transaction per run.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "common.hpp"
#include "rspcat/json_listing.hpp"

namespace rspcat::cli {

namespace {

struct IngestArgs {
    std::string registry, repository, file = "-", format = "tsv", at;
    std::vector<std::string> aliases;
    bool merge = false;
    bool allow_future = false;
    bool quiet = false;
    SnapshotGuardArgs guards;
};

// The spec of an ingest, with --registry and --repository checked and normalised, its guards
// set, and --at read (and refused when it is too far ahead), if given.
IngestSpec ingest_spec(const IngestArgs& args) {
    IngestSpec spec{{registry_arg(args.registry), repository_arg(args.repository)}, args.aliases, now_utc(),
                    args.file, args.merge};
    args.guards.apply(spec);
    if (!args.at.empty()) {
        spec.taken_at = parse_time_arg("--at", args.at);
        if (!args.allow_future && too_far_ahead(spec.taken_at)) {
            throw UsageError("--at " + format_timestamp(spec.taken_at) + " " + future_time_advice());
        }
    }
    return spec;
}

// On standard error, as progress is: ingest has no results to print, and scripts that run it
// quietly pass -q.
void print_summary(const std::string& source, const std::string& at, const IngestSummary& s, bool merge) {
    std::cerr << source << ": " << (merge ? "merged " : "snapshot ") << at << ": " << ingest_counts(s) << "\n";
}

// The listing file, or standard input for `-`.
class ListingInput {
   public:
    explicit ListingInput(const std::string& name) {
        if (name == "-") return;
        if (std::filesystem::is_directory(name)) throw CatalogError("cannot read " + name + ": is a directory");
        file_.open(name, std::ios::binary);
        if (!file_) throw CatalogError("cannot read " + name + ": " + std::strerror(errno));
    }
    std::istream& stream() { return file_.is_open() ? file_ : std::cin; }

   private:
    std::ifstream file_;
};

// GAR, gcloud and docker-json documents: one snapshot (or merge) each.
int ingest_json(const Globals& globals, const IngestArgs& args, const IngestSpec& spec, JsonListingFormat format,
                std::istream& in) {
    const RepositoryName& name = spec.repository;
    JsonListingReader reader(in, args.file, format, {name.registry, name.repository});
    if (reader.skipped_entries() > 0) {
        std::cerr << "rspcat: " << args.file << ": skipped " << reader.skipped_entries()
                  << (reader.skipped_entries() == 1 ? " entry" : " entries") << " of other images than "
                  << name.registry << "/" << name.repository << "\n";
    }
    Catalog catalog = open_for_write(globals);
    const IngestSummary summary =
        args.guards.guarded([&] { return catalog.ingest(spec, [&] { return reader.next_row(); }); });
    if (!args.quiet) print_summary(args.file, format_timestamp(spec.taken_at), summary, args.merge);
    return 0;
}

int run_ingest(const Globals& globals, const IngestArgs& args) {
    if (globals.read_only) throw UsageError("ingest writes to the catalog; it cannot run with --read-only");
    if (args.file == "-" && ::isatty(STDIN_FILENO) == 1) {
        throw UsageError("ingest would read a listing from the terminal: pass FILE, or pipe a listing in "
                         "(… | rspcat ingest … -)");
    }
    IngestSpec spec = ingest_spec(args);
    ListingInput input(args.file);
    std::istream& in = input.stream();
    if (const auto format = json_listing_format_from_name(args.format)) return ingest_json(globals, args, spec, *format, in);
    TsvListingReader reader(in, args.file);
    if (reader.is_history()) {
        if (!args.at.empty()) throw UsageError(args.file + " is a history file: each snapshot has its own time; drop --at");
        if (args.merge) throw UsageError(args.file + " is a history file of full snapshots; drop --merge");
    }
    Catalog catalog = open_for_write(globals);
    Catalog::Writer writer = catalog.writer();
    std::vector<std::pair<std::string, IngestSummary>> done;
    args.guards.guarded([&] {
        if (!reader.is_history()) {
            done.emplace_back(format_timestamp(spec.taken_at), writer.ingest(spec, [&] { return reader.next_row(); }));
            return;
        }
        // Each snapshot is guarded on its own, against the state the snapshots before it left.
        while (const auto at = reader.next_snapshot()) {
            if (!args.allow_future && too_far_ahead(*at)) {
                const auto first = reader.next_row();  // every snapshot of a history file has a row
                throw InputError(args.file + ":" + std::to_string(first ? first->line : 0) + ": snapshot time " +
                                 format_timestamp(*at) + " " + future_time_advice());
            }
            spec.taken_at = *at;
            done.emplace_back(format_timestamp(*at), writer.ingest(spec, [&] { return reader.next_row(); }));
        }
    });
    writer.commit();
    if (!args.quiet) {
        for (const auto& [at, summary] : done) print_summary(args.file, at, summary, args.merge);
    }
    return 0;
}

}  // namespace

void add_ingest_commands(Commands& commands) {
    auto [command, args] = commands.add<IngestArgs>(
        "ingest",
        "Ingest a registry listing (tag<TAB>digest[<TAB>size] lines, a history file with a snapshot_at "
        "column, or a GAR, gcloud or docker-json document) as one transaction",
        run_ingest);
    command->add_option("--registry", args->registry, "Registry host")->required()->check(not_empty());
    command->add_option("--repository", args->repository, "Repository path")->required()->check(not_empty());
    command->add_option("--alias", args->aliases, "A tag to treat as an alias tag (repeatable; remembered)")
        ->allow_extra_args(false);
    command->add_option("--at", args->at, "The listing's time, ISO 8601 UTC (default: now)")->check(not_empty());
    command->add_flag("--merge", args->merge, "Add or replace rows instead of replacing the whole listing");
    args->guards.add_to(command);
    command->add_flag("--allow-future", args->allow_future,
                      "Accept a snapshot time (--at, or a history file's) more than " +
                          std::to_string(future_tolerance.count()) + " minutes in the future");
    command
        ->add_option("--format", args->format,
                     "Listing format: tsv, gar (Artifact Registry DockerImage objects), gcloud (gcloud artifacts "
                     "docker images list --include-tags --format=json) or docker-json (tag: digest object)")
        ->check(CLI::IsMember({"tsv", "gar", "gcloud", "docker-json"}))
        ->capture_default_str();
    command->add_flag("-q,--quiet", args->quiet, "Print no summary (warnings and errors are still printed)");
    command->add_option("file", args->file, "Listing file, or - for standard input")->capture_default_str();
}

}  // namespace rspcat::cli
