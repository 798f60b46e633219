// rspcat check: what is wrong in a catalog, and with --repair, the repair of what rspcat derives.
#include <filesystem>
#include <iostream>

#include "common.hpp"

namespace rspcat::cli {

namespace {

struct CheckArgs {
    bool repair = false;
};

int run_check(const Globals& globals, const CheckArgs& args) {
    if (args.repair && globals.read_only) throw UsageError("check --repair writes the catalog: not with --read-only");
    if (globals.db != ":memory:" && !std::filesystem::exists(globals.db)) {
        throw CatalogError("no catalog at " + globals.db + " (create one with `rspcat ingest`, or pass --db)");
    }
    const CheckReport report = Catalog::check(globals.db, args.repair ? CheckMode::repair : CheckMode::report);
    for (const auto& line : report.repaired) std::cout << "repaired: " << line << "\n";
    std::size_t repairable = 0;
    for (const auto& problem : report.problems) {
        std::cout << problem.table;
        if (problem.row) std::cout << " row " << *problem.row;
        std::cout << ": " << problem.message << "\n";
        repairable += problem.repairable;
    }
    if (repairable > 0 && !args.repair) std::cout << "(repairable: run rspcat check --repair)\n";
    std::cout << "catalog " << globals.db << ": ";
    if (args.repair) std::cout << count(report.repaired.size(), "repair", "repairs") << " made, ";
    if (report.clean()) {
        std::cout << (args.repair ? "no problems left" : "no problems found") << "\n";
        return 0;
    }
    std::cout << count(report.problems.size(), "problem", "problems") << (args.repair ? " left" : "");
    if (repairable > 0) std::cout << " (" << repairable << " repairable)";
    std::cout << "\n";
    return 1;
}

}  // namespace

void add_check_commands(Commands& commands) {
    auto [command, args] = commands.add<CheckArgs>(
        "check", "Check the catalog against what rspcat would have made of it; exit 1 when something is wrong",
        run_check);
    command->add_flag("--repair", args->repair,
                      "Also repair what rspcat derives (its views, triggers and indexes, tag parses, the current "
                      "images, the listing) in one transaction; report the rest");
}

}  // namespace rspcat::cli
