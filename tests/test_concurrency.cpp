// Readers and a writer at once (WAL): for 30 seconds a writer process after process ingests
// snapshots while reader processes query without pause, through `rspcat images` (read-only and
// read-write opens) and through the stock sqlite3 shell reading the views in one transaction of
// several statements. No process may fail (SQLITE_BUSY included: the catalog's busy timeout and
// the shell's `.timeout` must absorb every wait), and every answer must be the answer for some
// whole snapshot, worked out beforehand on catalogs that hold just that snapshot.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "cli_support.hpp"
#include "listing_support.hpp"
#include "process_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat::test;

namespace {

constexpr int snapshot_count = 4;
constexpr auto writer_time = std::chrono::seconds(30);

// One transaction, several statements: the count of current images and the menu must agree.
const char* sql_reader_script = R"sql(
BEGIN;
SELECT count(*) FROM images;
SELECT group_concat(tag || ' ' || digest || ' ' || display_name, char(10)) FROM (
    SELECT tag, digest, display_name FROM image_listing WHERE scope_cycle IS NULL ORDER BY menu_rank);
SELECT count(*) FROM tag_history WHERE ended_at IS NULL;
COMMIT;
)sql";

struct Reader {
    std::string name;
    std::vector<std::string> argv;
};

struct Outcome {
    std::mutex mutex;
    std::vector<std::string> failures;
    std::atomic<int> reads{0};
    void fail(const std::string& what) {
        std::lock_guard lock(mutex);
        if (failures.size() < 5) failures.push_back(what);
    }
};

// Runs `argv` to completion; returns its standard output, or records a failure (anything on
// standard error counts as one: ingests run with -q).
std::optional<std::string> run(const std::vector<std::string>& argv, const std::string& stem, Outcome& outcome) {
    Child child(argv, stem + ".out", stem + ".err");
    const int status = child.wait();
    const std::string err = slurp(stem + ".err");
    if (!exited_with(status, 0) || !err.empty()) {
        outcome.fail(argv[0] + " " + argv.back() + " failed (status " + std::to_string(status) + "): " + err);
        return std::nullopt;
    }
    return slurp(stem + ".out");
}

}  // namespace

TEST_CASE("readers see whole snapshots while a writer ingests, and nobody is ever busy", "[concurrency]") {
    TempDir dir;
    std::vector<std::string> listings;
    for (int s = 0; s < snapshot_count; ++s) {
        // Overlapping windows, different digests: every snapshot moves, adds and removes tags.
        listings.push_back(dir.file("s" + std::to_string(s) + ".tsv"));
        write_text(listings.back(), synthetic_rows(10 + s, s * 400, s * 400 + 1200));
    }
    auto ingest_argv = [&](const std::string& db, int s, int minute) {
        char at[32];
        std::snprintf(at, sizeof at, "2030-01-%02dT%02d:%02d:00Z", 1 + minute / 1440, minute / 60 % 24, minute % 60);
        return std::vector<std::string>{RSPCAT_BINARY, "--db", db, "ingest", "-q", "--registry", "example.org",
                                        "--repository", "lab", "--alias", "recommended", "--at", at,
                                        // In 2030; from the last window back to the first
                                        // removes all but one tag.
                                        "--max-removed", "100%", "--allow-future", listings[static_cast<std::size_t>(s)]};
    };
    const std::string db = dir.file("c.db");
    const std::vector<Reader> readers = {
        {"rspcat --read-only images", {RSPCAT_BINARY, "--db", db, "--read-only", "images", "--format", "json", "--all-arch"}},
        {"rspcat images", {RSPCAT_BINARY, "--db", db, "images", "--format", "json"}},
        {"sqlite3", {SQLITE3_SHELL, "-batch", "-cmd", ".timeout 30000", db, sql_reader_script}},
    };

    // What each reader may answer: its answer on a catalog that holds only snapshot s.
    Outcome setup;
    std::vector<std::set<std::string>> expected(readers.size());
    for (int s = 0; s < snapshot_count; ++s) {
        const std::string alone = dir.file("alone" + std::to_string(s) + ".db");
        REQUIRE(run(ingest_argv(alone, s, 0), dir.file("setup"), setup));
        for (std::size_t r = 0; r < readers.size(); ++r) {
            auto argv = readers[r].argv;
            std::replace(argv.begin(), argv.end(), db, alone);
            const auto answer = run(argv, dir.file("setup"), setup);
            REQUIRE(answer);
            expected[r].insert(*answer);
        }
    }
    const std::string setup_failure = setup.failures.empty() ? "" : setup.failures.front();
    INFO(setup_failure);
    REQUIRE(setup.failures.empty());
    for (const auto& answers : expected) REQUIRE(answers.size() == snapshot_count);

    Outcome outcome;
    REQUIRE(run(ingest_argv(db, 0, 0), dir.file("first"), outcome));
    std::atomic<bool> writing{true};
    std::atomic<int> writes{0};
    std::thread writer([&] {
        const auto end = std::chrono::steady_clock::now() + writer_time;
        for (int i = 1; std::chrono::steady_clock::now() < end; ++i) {
            if (!run(ingest_argv(db, i % snapshot_count, i), dir.file("writer"), outcome)) break;
            ++writes;
        }
        writing = false;
    });
    std::vector<std::thread> threads;
    for (std::size_t r = 0; r < readers.size(); ++r) {
        threads.emplace_back([&, r] {
            const std::string stem = dir.file("reader" + std::to_string(r));
            while (writing) {
                const auto answer = run(readers[r].argv, stem, outcome);
                if (!answer) continue;
                ++outcome.reads;
                if (expected[r].count(*answer) == 0) {
                    outcome.fail(readers[r].name + " saw a state that no whole snapshot gives:\n" + answer->substr(0, 2000));
                }
            }
        });
    }
    writer.join();
    for (auto& t : threads) t.join();

    std::printf("concurrency test: %d snapshots written, %d reads\n", writes.load(), outcome.reads.load());
    for (const auto& failure : outcome.failures) FAIL_CHECK(failure);
    CHECK(outcome.failures.empty());
    CHECK(writes > snapshot_count);
    CHECK(outcome.reads > 0);
    CHECK(integrity(db) == "ok");
}

// Several processes creating one new catalog at the same moment: all but one used to fail at
// once with "database is locked" (about 1 in 200), since switching a new file to WAL takes a
// lock that SQLite asks for without the busy handler. Each child opens the catalog through the
// library (fork, no exec: cheap enough for a thousand rounds) and reports any error in a file.
TEST_CASE("processes creating the same catalog at once all succeed", "[concurrency]") {
    constexpr int processes = 4;
    const char* rounds_text = std::getenv("RSPCAT_CREATE_ROUNDS");
    const int rounds = rounds_text ? std::atoi(rounds_text) : 1000;
    TempDir dir;
    int failures = 0;
    std::string first_failure;
    for (int round = 0; round < rounds; ++round) {
        const std::string db = dir.file("c" + std::to_string(round) + ".db");
        std::vector<pid_t> children;
        for (int p = 0; p < processes; ++p) {
            const std::string report = dir.file("err" + std::to_string(p));
            const pid_t pid = fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                int code = 0;
                try {
                    const rspcat::Catalog catalog(db);
                } catch (const std::exception& e) {
                    write_text(report, e.what());
                    code = 1;
                }
                std::_Exit(code);
            }
            children.push_back(pid);
        }
        for (int p = 0; p < processes; ++p) {
            int status = 0;
            waitpid(children[static_cast<std::size_t>(p)], &status, 0);
            if (!exited_with(status, 0)) {
                ++failures;
                if (first_failure.empty()) first_failure = slurp(dir.file("err" + std::to_string(p)));
            }
        }
        std::filesystem::remove(db);
    }
    std::printf("catalog creation: %d rounds of %d processes, %d failures\n", rounds, processes, failures);
    INFO(first_failure);
    CHECK(failures == 0);
}
