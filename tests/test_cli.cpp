// The rspcat command as an operator meets it: exit codes, error messages, failed ingests that
// leave the catalog untouched, the real history file, nodes, read-only catalogs.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli_support.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');
const std::string d3 = "sha256:" + std::string(64, '3');

// The catalog's whole content as the stock sqlite3 shell dumps it.
std::string dump(const std::string& db) {
    const auto result = run_command(SQLITE3_SHELL, {db, ".dump"});
    REQUIRE(result.exit_code == 0);
    return result.out;
}

std::vector<std::string> ingest_args(const std::string& db, const std::string& file) {
    return {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", "--alias", "recommended", file};
}

json images_json(const std::string& db, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--db", db, "images", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto result = run_rspcat(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
}

}  // namespace

TEST_CASE("usage errors exit 2 and say what is wrong", "[cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    for (const Case& c : std::vector<Case>{
             {{}, "subcommand"},
             {{"--db", db, "frobnicate"}, "frobnicate"},
             {{"--db", db, "images", "--format", "xml"}, "xml"},
             {{"--db", db, "latest", "nightly"}, "nightly"},
             {{"--db", db, "ingest", "--repository", "lab", "-"}, "--registry"},
             {{"--db", db, "ingest", "--registry", "r", "--repository", "lab", "--at", "yesterday", "-"}, "yesterday"},
             {{"--db", db, "images", "--registry", "r"}, "--registry and --repository go together"},
             {{"--db", db, "seen", "nodigest", "node1"}, "nodigest"},
             {{"--db", db, "--read-only", "ingest", "--registry", "r", "--repository", "lab", "-"}, "read-only"},
         }) {
        CAPTURE(c.args);
        const auto result = run_rspcat(c.args);
        CHECK(result.exit_code == 2);
        CHECK(result.err.find(c.message) != std::string::npos);
        CHECK(result.out.empty());
    }
    CHECK_FALSE(std::filesystem::exists(db));
}

TEST_CASE("rspcat --help lists the commands", "[cli]") {
    const auto help = run_rspcat({"--help"});
    CHECK(help.exit_code == 0);
    for (const char* command : {"ingest", "images", "latest", "show", "subset", "seen", "parse"}) {
        CHECK(help.out.find(command) != std::string::npos);
    }
    const auto ingest_help = run_rspcat({"ingest", "--help"});
    CHECK(ingest_help.exit_code == 0);
    CHECK(ingest_help.out.find("--merge") != std::string::npos);
}

TEST_CASE("rspcat --version prints rspcat's version, SQLite's and the catalog schema's", "[cli]") {
    const auto result = run_rspcat({"--version"});
    CHECK(result.exit_code == 0);
    CHECK(result.err.empty());
    std::vector<std::string> lines;
    std::istringstream out(result.out);
    for (std::string line; std::getline(out, line);) lines.push_back(line);
    REQUIRE(lines.size() == 3);
    // From the sources and the library in use, not from the macros that rspcat was built with.
    const auto version_file = read_lines(source_path("VERSION"));
    REQUIRE(version_file.size() == 1);
    CHECK(lines[0] == "rspcat " + version_file[0]);
    CHECK(lines[1] == std::string("SQLite ") + sqlite3_libversion());
    // The schema version is what a catalog that this rspcat makes holds in PRAGMA user_version.
    TempDir dir;
    const std::string db = dir.file("c.db");
    auto create = ingest_args(db, "/dev/null");
    create.insert(create.end() - 1, "--allow-empty");  // an empty listing, on purpose: only the catalog is wanted
    REQUIRE(run_rspcat(create).exit_code == 0);
    auto user_version = run_command(SQLITE3_SHELL, {db, "pragma user_version"});
    REQUIRE(user_version.exit_code == 0);
    while (!user_version.out.empty() && user_version.out.back() == '\n') user_version.out.pop_back();
    CHECK(lines[2] == "catalog schema " + user_version.out);
}

TEST_CASE("a failed ingest names the input and leaves the catalog exactly as it was", "[cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("good.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\nr22_0_1\t" + d2 + "\n");
    REQUIRE(run_rspcat(ingest_args(db, dir.file("good.tsv"))).exit_code == 0);
    const std::string before = dump(db);
    REQUIRE(before.find("w_2021_22") != std::string::npos);

    struct Bad {
        std::string name, text, message;
    };
    for (const Bad& bad : std::vector<Bad>{
             {"malformed.tsv", "w_2021_23\t" + d3 + "\n# fine\nw_2021_24\n", "malformed.tsv:3: expected"},
             {"duplicate.tsv", "w_2021_23\t" + d3 + "\nw_2021_24\t" + d2 + "\nw_2021_23\t" + d1 + "\n",
              "duplicate.tsv:3: tag 'w_2021_23' is listed twice in one snapshot (first on line 1)"},
             {"nosha.tsv", "w_2021_23\t" + d3 + "\nw_2021_24\tmd5:abc\n", "nosha.tsv:2: digest 'md5:abc'"},
             {"short.tsv", "w_2021_23\tsha256:abc\n", "short.tsv:1: digest"},
             {"size.tsv", "w_2021_23\t" + d3 + "\t12kB\n", "size.tsv:1: size '12kB'"},
             {"badtag.tsv", "w 2021\t" + d3 + "\n", "badtag.tsv:1: tag 'w 2021' is not a Docker tag"},
             {"history.tsv",
              "snapshot_at\ttag\tdigest\tsize\n2030-01-01T00:00:00Z\tw_2021_23\t" + d3 +
                  "\t1\n2030-02-01T00:00:00Z\tw_2021_23\t" + d3 + "\t1\n2030-01-15T00:00:00Z\tw_2021_24\t" + d3 + "\t1\n",
              "history.tsv:4: snapshot 2030-01-15T00:00:00Z comes after snapshot 2030-02-01T00:00:00Z"},
         }) {
        CAPTURE(bad.name);
        write_text(dir.file(bad.name), bad.text);
        // Times in the future and snapshots that remove most tags are allowed: the errors under
        // test are others.
        auto args = ingest_args(db, dir.file(bad.name));
        args.insert(args.end() - 1, {"--allow-future", "--max-removed", "100%"});
        const auto result = run_rspcat(args);
        CHECK(result.exit_code == 1);
        CHECK(result.err.find(bad.message) != std::string::npos);
        CHECK(result.err.find("nothing was written") != std::string::npos);
        CHECK(dump(db) == before);
    }

    const auto missing = run_rspcat(ingest_args(db, dir.file("absent.tsv")));
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("cannot read " + dir.file("absent.tsv")) != std::string::npos);
    CHECK(dump(db) == before);

    // A snapshot older than the latest one would scramble the history.
    auto args = ingest_args(db, dir.file("good.tsv"));
    args.insert(args.end() - 1, {"--at", "2000-01-01"});
    const auto old = run_rspcat(args);
    CHECK(old.exit_code == 1);
    CHECK(old.err.find("is before the latest snapshot") != std::string::npos);
    CHECK(dump(db) == before);
}

TEST_CASE("the 62-snapshot history file ingests and ends at its last snapshot", "[cli][history]") {
    const std::string history = data_path("sciplat-lab-history.tsv");
    // The last snapshot's tags, read from the file by the test itself.
    std::map<std::string, std::set<std::string>> by_snapshot;
    for (const auto& line : read_lines(history)) {
        if (line.rfind("snapshot_at", 0) == 0) continue;
        const auto tab1 = line.find('\t');
        const auto tab2 = line.find('\t', tab1 + 1);
        by_snapshot[line.substr(0, tab1)].insert(line.substr(tab1 + 1, tab2 - tab1 - 1));
    }
    REQUIRE(by_snapshot.size() == 62);

    TempDir dir;
    const std::string db = dir.file("c.db");
    const auto result = run_rspcat({"--db", db, "ingest", "--registry", "docker.io", "--repository",
                                    "lsstsqre/sciplat-lab", "--alias", "recommended", "--alias", "latest_weekly",
                                    "--alias", "latest_daily", "--alias", "latest_release", history});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.empty());  // the summaries, one line per snapshot, go to standard error
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 62);

    std::set<std::string> current;
    for (const auto& image : images_json(db, {"--all-arch"})) current.insert(image.at("tag"));
    CHECK(current == by_snapshot.rbegin()->second);

    const auto snapshots = run_command(SQLITE3_SHELL, {db, "select count(*), max(taken_at) from snapshots"});
    CHECK(snapshots.out == "62|" + by_snapshot.rbegin()->first + "\n");
}

TEST_CASE("empty snapshots, merges, nodes and several repositories", "[cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("one.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    write_text(dir.file("empty.tsv"), "# nothing listed\n\n");
    write_text(dir.file("merge.tsv"), "w_2021_23\t" + d2 + "\n");
    auto ingest = [&](const std::string& file, std::vector<std::string> extra = {}) {
        auto args = ingest_args(db, dir.file(file));
        extra.push_back("--allow-future");  // the snapshots are in 2030
        args.insert(args.end() - 1, extra.begin(), extra.end());
        const auto result = run_rspcat(args);
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
        return result.err;  // the summary
    };
    ingest("one.tsv", {"--at", "2030-01-01"});
    CHECK(images_json(db).size() == 2);
    CHECK(ingest("empty.tsv", {"--at", "2030-02-01", "--allow-empty"}).find("0 tags (0 new, 0 moved, 2 removed)") != std::string::npos);
    CHECK(images_json(db).empty());
    ingest("one.tsv", {"--at", "2030-03-01"});
    ingest("merge.tsv", {"--at", "2030-03-02", "--merge"});
    CHECK(images_json(db).size() == 3);

    // Nodes: by digest, for every tag on it.
    CHECK(run_rspcat({"--db", db, "seen", d1, "node-b", "--size", "123"}).exit_code == 0);
    CHECK(run_rspcat({"--db", db, "seen", d1, "node-a"}).exit_code == 0);
    const auto unknown = run_rspcat({"--db", db, "seen", d3, "node-a"});
    CHECK(unknown.exit_code == 1);  // most likely a typo: issue 14
    CHECK(unknown.err.find("no current image has digest " + d3) != std::string::npos);
    const json shown = json::parse(run_rspcat({"--db", db, "show", "recommended", "--format", "json"}).out);
    CHECK(shown.at("nodes") == json({"node-a", "node-b"}));
    CHECK(shown.at("size") == 123);
    CHECK(shown.at("alias_target") == "w_2021_22");

    const auto absent = run_rspcat({"--db", db, "show", "w_1999_01"});
    CHECK(absent.exit_code == 1);
    CHECK(absent.err.find("no image with tag w_1999_01") != std::string::npos);

    // A second repository: queries must then say which.
    REQUIRE(run_rspcat({"--db", db, "ingest", "--registry", "other.org", "--repository", "lab2", dir.file("one.tsv")})
                .exit_code == 0);
    const auto ambiguous = run_rspcat({"--db", db, "images"});
    CHECK(ambiguous.exit_code == 1);
    CHECK(ambiguous.err.find("holds 2 repositories (example.org/lab, other.org/lab2)") != std::string::npos);
    CHECK(run_rspcat({"--db", db, "images", "--registry", "other.org", "--repository", "lab2"}).exit_code == 0);
    // Alias tags are remembered per repository: `recommended` is Unknown over there, resolved as an alias.
    const json other = json::parse(run_rspcat({"--db", db, "show", "recommended", "--registry", "other.org",
                                                "--repository", "lab2", "--format", "json"})
                                       .out);
    CHECK(other.at("base") == "recommended");
    CHECK(other.at("image_type") == "Alias");

    // Read-only opens answer queries and refuse writes.
    CHECK(run_rspcat({"--db", db, "--read-only", "images", "--registry", "example.org", "--repository", "lab"})
              .exit_code == 0);
    CHECK(run_rspcat({"--db", db, "--read-only", "seen", d1, "n"}).exit_code == 2);
}

TEST_CASE("csv and table output", "[cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("one.tsv"), "w_2021_22_a,b\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    // `,` is not in Docker's tag grammar: the listing is refused.
    CHECK(run_rspcat(ingest_args(db, dir.file("one.tsv"))).exit_code == 1);
    write_text(dir.file("one.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    REQUIRE(run_rspcat(ingest_args(db, dir.file("one.tsv"))).exit_code == 0);
    const auto csv = run_rspcat({"--db", db, "images", "--format", "csv"});
    CHECK(csv.out.rfind("tag,image_type,display_name,", 0) == 0);
    CHECK(csv.out.find("\"Recommended (Weekly 2021_22)\"") == std::string::npos);  // no comma, no quotes
    CHECK(csv.out.find("recommended,Alias,Recommended (Weekly 2021_22),") != std::string::npos);
    const auto table = run_rspcat({"--db", db, "images"});
    CHECK(table.out.rfind("TAG", 0) == 0);
    CHECK(table.out.find("Recommended (Weekly 2021_22)") != std::string::npos);
}

TEST_CASE("prune, history, diff and --at through the command", "[cli][history]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    REQUIRE(run_rspcat({"--db", db, "ingest", "--registry", "docker.io", "--repository", "lsstsqre/sciplat-lab",
                        "--alias", "recommended", "--alias", "latest_weekly", "--alias", "latest_daily", "--alias",
                        "latest_release", data_path("sciplat-lab-history.tsv")})
                .exit_code == 0);

    // On 2 January 2025 recommended pointed to w_2024_42 (see recommended-history.tsv), which
    // idfdemo's `weekly: number: 3` would prune: the plan must protect its digest.
    const auto plan_result = run_rspcat({"--db", db, "prune", "--policy", data_path("policies/idfdemo.yaml"),
                                         "--at", "2025-01-02T12:00:00Z", "--format", "json"});
    INFO(plan_result.err);
    REQUIRE(plan_result.exit_code == 0);
    const json plan = json::parse(plan_result.out);
    const json shown = json::parse(run_rspcat({"--db", db, "show", "recommended", "--at", "2025-01-02T12:00:00Z",
                                                "--format", "json"})
                                       .out);
    CHECK(shown.at("alias_target") == "w_2024_42");
    bool protected_recommended = false;
    for (const auto& p : plan.at("protected")) {
        if (p.at("digest") == shown.at("digest")) {
            protected_recommended = true;
            CHECK(p.at("tags") == json({"w_2024_42"}));
            CHECK(p.at("kept_by") == json({"recommended"}));
        }
    }
    CHECK(protected_recommended);
    std::int64_t bytes = 0;
    for (const auto& d : plan.at("delete")) {
        CHECK(d.at("digest") != shown.at("digest"));
        for (const auto& tag : d.at("tags")) CHECK(tag.get<std::string>().rfind("w_2024_42", 0) != 0);
        bytes += d.at("size").is_null() ? 0 : d.at("size").get<std::int64_t>();
    }
    CHECK(plan.at("bytes") == bytes);
    CHECK(plan.at("delete").size() > 100);

    const json history = json::parse(run_rspcat({"--db", db, "history", "recommended", "--format", "json"}).out);
    REQUIRE(history.size() == 20);
    CHECK(history[0].at("from") == "2021-08-05T12:00:00Z");
    CHECK(history[0].at("resolved_to") == "w_2021_25");
    CHECK(history.back().at("to").is_null());
    CHECK(history.back().at("resolved_to") == "r30_0_10_rsp2991");
    CHECK(run_rspcat({"--db", db, "history", "no_such_tag"}).exit_code == 1);

    const json diff = json::parse(run_rspcat({"--db", db, "diff", "2026-07-02T12:00:00Z", "2026-08-06T12:00:00Z",
                                              "--format", "json"})
                                      .out);
    // The last snapshot line of the ingest said: 43 new, 4 moved, 23 removed.
    CHECK(diff.at("added").size() == 43);
    CHECK(diff.at("moved").size() == 4);
    CHECK(diff.at("removed").size() == 23);
    CHECK(run_rspcat({"--db", db, "diff", "yesterday", "2026-08-06"}).exit_code == 2);

    // The listing as it was: before the first snapshot there was nothing.
    CHECK(json::parse(run_rspcat({"--db", db, "images", "--at", "2021-01-01", "--format", "json"}).out).empty());
    const json then = json::parse(run_rspcat({"--db", db, "images", "--at", "2024-03-01", "--format", "json"}).out);
    REQUIRE_FALSE(then.empty());
    CHECK(then[0].at("tag") == "recommended");
    CHECK(then[0].at("alias_target") == "w_2023_47");
}
