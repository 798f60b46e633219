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
    CollectionSpec spec() const;
    // The time --at names, or now.
    Timestamp time() const;
};

struct FormatArg {
    std::string name = "table";
    void add_to(CLI::App* command, std::vector<std::string> formats = {"table", "json", "csv"});
    Format format() const;
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
void add_admin_commands(Commands& commands);

}  // namespace rspcat::cli
