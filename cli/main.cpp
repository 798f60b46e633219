// rspcat: the command-line tool over the catalog. Exit codes: exit_status() below and docs/cli.md.
// Each command lives in a cmd_*.cpp file that adds itself through Commands.
#include <sqlite3.h>

#include <iostream>
#include <string>

#include "common.hpp"
#include "suggest.hpp"
#include "rspcat/version.hpp"

namespace rspcat::cli {

namespace {

constexpr int exit_failure = 1;
constexpr int exit_usage = 2;

// The exit status for a kind of error: a script can tell a catalog that is busy (try again) from
// one that is damaged or not a catalog at all without reading the message.
int exit_status(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::busy: return 3;
        case ErrorKind::read_only: return 4;
        case ErrorKind::disk_full: return 5;
        case ErrorKind::corrupt: return 6;
        case ErrorKind::not_a_catalog: return 7;
        case ErrorKind::newer_schema: return 8;
        case ErrorKind::constraint: return 9;
        case ErrorKind::misuse: return 10;  // a bug in rspcat itself
        case ErrorKind::failed:
        case ErrorKind::input:
        case ErrorKind::registry:
        case ErrorKind::io: return exit_failure;
    }
    return exit_failure;
}

// `rspcat --version`: this build, the SQLite library it runs on (which may differ from the one it
// was built against) and the catalog schema version it writes.
std::string version_text() {
    return "rspcat " + std::string(project_version) + "\nSQLite " + sqlite3_libversion() + "\ncatalog schema " +
           std::to_string(Catalog::schema_version());
}

int run(int argc, char** argv) {
    CLI::App app{"rspcat: a catalog of Rubin Science Platform container images on SQLite", "rspcat"};
    app.set_version_flag("--version", version_text,
                         "Print the versions of rspcat, of SQLite and of the catalog schema, and exit");
    app.require_subcommand(1);
    // Global options after the subcommand too (`rspcat images --db lab.db`), as git and kubectl
    // take them: a subcommand hands what it does not know to its parent. Inherited by every
    // subcommand added below.
    app.fallthrough();
    Globals globals;
    app.add_option("--db", globals.db, "Catalog file")->envname("RSPCAT_DB")->capture_default_str();
    app.add_flag("--read-only", globals.read_only, "Open the catalog read-only");
    app.add_option("--busy-timeout", globals.busy_timeout,
                   "Seconds to wait for another process's lock on the catalog before failing with exit status 3")
        ->transform(whole_number())
        ->capture_default_str();
    app.footer("Exit status: 0 on success, 1 on failure, 2 on a usage error; 3 the catalog is busy, 4 it cannot be "
               "written, 5 the disk is full, 6 the catalog is damaged, 7 it is not an rspcat catalog, 8 its schema "
               "is newer than this rspcat, 9 a constraint failed, 10 an rspcat bug. `rspcat help COMMAND` shows a command's options; man rspcat "
               "has the whole manual.");

    Commands commands{app, globals, {}};
    add_ingest_commands(commands);
    add_query_commands(commands);
    add_policy_commands(commands);
    add_history_commands(commands);
    add_sync_commands(commands);
    add_check_commands(commands);
    add_admin_commands(commands);
    add_delete_commands(commands);
    add_report_commands(commands);
    add_help_command(commands);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (const auto message = unknown_word_message(app)) {
            std::cerr << *message << "\n";
            return exit_usage;
        }
        const int code = app.exit(e);
        return code == 0 ? 0 : exit_usage;
    }

    try {
        for (const auto& [command, action] : commands.actions) {
            if (*command) return action();
        }
    } catch (const UsageError& e) {
        std::cerr << "rspcat: " << e.what() << "\n";
        return exit_usage;
    } catch (const InputError& e) {
        std::cerr << "rspcat: " << e.what() << "; nothing was written\n";
        return exit_status(e.kind());
    } catch (const Error& e) {
        std::cerr << "rspcat: " << e.what() << "\n";
        return exit_status(e.kind());
    } catch (const std::exception& e) {
        std::cerr << "rspcat: " << e.what() << "\n";
        return exit_failure;
    }
    return exit_usage;
}

}  // namespace

}  // namespace rspcat::cli

int main(int argc, char** argv) { return rspcat::cli::run(argc, argv); }
