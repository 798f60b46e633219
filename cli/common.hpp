// What the rspcat commands share: global options, collection and format arguments, errors, and
// the registry through which each command file adds its commands.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "output.hpp"
#include "rspcat/catalog.hpp"

namespace rspcat::cli {

// A mistake in how rspcat was called, found after parsing (exit 2).
class UsageError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
};

struct Globals {
    std::string db = "rspcat.db";
    bool read_only = false;
    std::int64_t busy_timeout = 30;  // seconds
};

// The commands of the tool: each command file adds its subcommands and what to run for each.
struct Commands {
    CLI::App& app;
    const Globals& globals;
    std::vector<std::pair<CLI::App*, std::function<int()>>> actions;

    // Adds a subcommand whose arguments live in a fresh `Args`, and what to run when chosen.
    template <typename Args>
    std::pair<CLI::App*, std::shared_ptr<Args>> add(const std::string& name, const std::string& description,
                                                     std::function<int(const Globals&, const Args&)> run) {
        auto args = std::make_shared<Args>();
        CLI::App* command = app.add_subcommand(name, description);
        actions.emplace_back(command, [run, args, &g = globals] { return run(g, *args); });
        return {command, args};
    }
};

// --registry, --repository, --cycle and --at, shared by the query commands.
struct CollectionArgs {
    std::string registry;
    std::string repository;
    std::int64_t cycle = 0;
    CLI::Option* cycle_option = nullptr;
    std::string at;

    // `at_help` says what --at means for the command (the listing as it was then, by default).
    void add_to(CLI::App* command, const std::string& at_help = "Show the catalog as it was at this time (ISO 8601)");
    // Only --registry and --repository: for commands that look at every time and whose answer
    // does not depend on a cycle (history, diff), so that they offer no option they would ignore.
    void add_repository_to(CLI::App* command);
    CollectionSpec spec() const;
    // The time --at names, or now.
    Timestamp time() const;
};

// --registry and --repository alone: these commands are about a repository, not a collection,
// so they take no --cycle and no --at.
struct RepositoryArgs {
    std::string registry;
    std::string repository;

    void add_to(CLI::App* command);
    std::optional<RepositoryName> name() const;
};

// --format, and --no-headers for the commands whose table has a header row.
struct FormatArg {
    std::string name = "table";
    bool no_headers = false;
    CLI::Option* no_headers_option = nullptr;

    // `menu` passes `headers = false`: its table is two lists under titles, with no header row.
    void add_to(CLI::App* command, std::vector<std::string> formats = {"table", "json", "csv"}, bool headers = true);
    // --no-headers with json is a usage error: JSON has no header row to leave out.
    Output output() const;
    Format format() const { return output().format; }
};

// A whole number of at most 2^63 - 1, given as digits, for ->transform(). CLI11 alone reads a
// number too large for 64 bits as the largest one, and one with a leading zero as octal.
CLI::Validator whole_number();
// After whole_number(): not 0.
CLI::Validator positive();

// For options that name something (a registry, a repository, a time, a node, a file): CLI11
// takes `--registry ''` as given, where an empty value would silently mean the option was left
// out, or name nothing. A usage error instead, naming the option.
CLI::Validator not_empty();

// For a comma-separated list of names (`--nodes a,b`): none of them empty.
CLI::Validator names_separated_by_commas();

Timestamp parse_time_arg(const std::string& option, const std::string& text);

// How far ahead of now a snapshot time may be without --allow-future: a few minutes of clock
// skew between machines, not a typo's years.
inline constexpr std::chrono::minutes future_tolerance{5};
// Whether a snapshot time is further ahead of now than future_tolerance.
bool too_far_ahead(Timestamp at);
// What to say about such a time after naming it: why it is refused and how to force it.
std::string future_time_advice();

// --registry of a command that writes: HOST[:PORT] with the host lower-cased
// (registry::registry_name, as sync stores the registry of its --url). A URL, a path or a
// malformed host is a usage error naming the option and, for a URL, the host to give instead.
std::string registry_arg(const std::string& text);
// --registry of a command that reads: as stored, HOST[:PORT] with the host lower-cased, when
// it is one; otherwise as given (it then names no repository, and the error says which exist).
std::string registry_to_look_up(const std::string& text);

// --repository of a command that writes: Docker's repository name grammar
// (registry::is_repository_name). A usage error otherwise, naming the lower-case form when that
// one is a repository name.
std::string repository_arg(const std::string& text);

// --allow-empty and --max-removed, the guards of `ingest` and `sync` against a full snapshot
// that is probably a mistake (IngestSpec::allow_empty and max_removed).
struct SnapshotGuardArgs {
    bool allow_empty = false;
    std::string max_removed = "50%";

    void add_to(CLI::App* command);
    // Sets the spec's guards.
    void apply(IngestSpec& spec) const;
    // Runs `ingest`, adding to a refusal how to force it.
    template <typename Ingest>
    auto guarded(Ingest&& ingest) const -> decltype(ingest()) {
        try {
            return ingest();
        } catch (const IngestGuardError& e) {
            throw IngestGuardError(std::string(e.what()) + advice(e.guard), e.guard);
        }
    }
    static std::string advice(IngestGuardError::Guard guard);
};

// How many hex digits a digest given short must have at least: as many as tables print.
inline constexpr std::size_t min_digest_prefix = 12;
// A usage error naming option or argument `name` unless `text` is `sha256:` and 12 to 64
// lower-case hex digits: a digest or a prefix of one. Before opening a catalog.
void check_digest_syntax(const std::string& name, const std::string& text);
// The digest that DIGEST `text` names: itself when whole, else the one catalog digest it is a
// prefix of. A usage error when it is neither a digest nor a long enough prefix, a CatalogError
// when no digest or several start with it (naming them).
std::string digest_arg(const Catalog& catalog, const std::string& name, const std::string& text);

// Queries need an existing catalog: a missing file is an error, not an empty catalog.
Catalog open_for_query(const Globals& globals);
// Ingests and syncs open (or create) the catalog for writing.
Catalog open_for_write(const Globals& globals);

void add_ingest_commands(Commands& commands);
void add_query_commands(Commands& commands);
void add_policy_commands(Commands& commands);
void add_history_commands(Commands& commands);
void add_sync_commands(Commands& commands);
void add_check_commands(Commands& commands);
// `5 tags (1 new, 0 moved, 2 removed)`: what an ingest did, for its summary line; an unchanged
// full snapshot adds `, unchanged since T` (no snapshot was added).
std::string ingest_counts(const IngestSummary& summary);

void add_admin_commands(Commands& commands);
void add_delete_commands(Commands& commands);
void add_report_commands(Commands& commands);
void add_help_command(Commands& commands);

}  // namespace rspcat::cli
