// Tests that edit catalogs behind rspcat's back: the real sqlite3 shell on a catalog file, and
// the real rspcat under a time limit.
#pragma once

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cli_support.hpp"

namespace rspcat::test {

// Runs rspcat under `timeout`, so that a hang fails the test (exit 124) instead of stalling it.
inline CommandResult run_bounded(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"60", RSPCAT_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    return run_command("timeout", all);
}

// Runs an SQL script on `db` in the stock shell; the script must succeed. Returns what it printed.
inline std::string shell(const std::string& db, const std::string& sql) {
    const auto result = run_command(SQLITE3_SHELL, {"-batch", db, sql});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

}  // namespace rspcat::test
