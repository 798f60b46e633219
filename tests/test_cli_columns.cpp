// The output vocabulary through the real binary: every command's CSV headers and JSON keys are
// names of the documented list, and table headers are the same words upper-cased; --no-headers;
// -q for ingest and sync; counts spelled "1 tag".
#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli_support.hpp"
#include "fake_registry.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

// The column vocabulary of docs/cli.md ("Output columns"), written out here by hand rather than
// taken from the code: a new or renamed column must be added to both on purpose.
const std::set<std::string> vocabulary = {
    // images, latest, show, subset, filter, parse
    "tag", "image_type", "display_name", "version", "base", "cycle", "cycle_build", "rsp_build", "architecture",
    "extra", "date", "registry", "repository", "digest", "size", "aliases", "alias_target", "nodes", "reference",
    "reference_with_digest", "created", "platforms",
    // platforms, objects in JSON
    "os", "variant",
    // version, a SemVer object in JSON
    "major", "minor", "patch", "prerelease", "build",
    // history, diff
    "from", "to", "resolved_to", "change", "old_digest", "new_digest", "added", "removed", "moved",
    // repos, snapshots
    "tag_count", "snapshot_count", "first_snapshot", "last_snapshot", "id", "taken_at", "ingested_at", "kind",
    "source", "confirmed_at", "confirmations",
    // deletions
    "deleted_at", "command", "policy_file", "policy_sha256",
    // prune
    "action", "tags", "kept_by", "delete", "protected", "bytes",
    // menu (nublado's format: `name` is its display name)
    "menu", "dropdown", "name"};

const std::string d1 = fake_image("1");
const std::string d2 = fake_image("2");
const std::string d3 = fake_image("3");

CommandResult rspcat_ok(const std::vector<std::string>& args) {
    const auto result = run_rspcat(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result;
}

// example.org/lab in two snapshots: w_2021_24 added, `recommended` (an alias) moved.
std::string make_catalog(const TempDir& dir) {
    const std::string db = dir.file("c.db");
    write_text(dir.file("s1.tsv"), "r22_0_1\t" + d1 + "\t100\nw_2021_22\t" + d1 + "\t100\nw_2021_23\t" + d2 +
                                       "\t200\nrecommended\t" + d1 + "\n");
    write_text(dir.file("s2.tsv"), "r22_0_1\t" + d1 + "\t100\nw_2021_22\t" + d1 + "\t100\nw_2021_23\t" + d2 +
                                       "\t200\nw_2021_24\t" + d3 + "\t300\nrecommended\t" + d3 + "\n");
    const std::vector<std::string> ingest = {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab"};
    auto with = [&](std::vector<std::string> extra) {
        extra.insert(extra.begin(), ingest.begin(), ingest.end());
        return extra;
    };
    rspcat_ok(with({"--alias", "recommended", "--at", "2021-06-01T00:00:00Z", dir.file("s1.tsv")}));
    rspcat_ok(with({"--at", "2021-06-08T00:00:00Z", dir.file("s2.tsv")}));
    return db;
}

// Every command that prints results, with arguments that give it rows, and the formats it has.
struct Command {
    std::vector<std::string> args;
    bool csv;
};

std::vector<Command> commands(const std::string& db) {
    const std::string policy = data_path("policies/idfdemo.yaml");
    const std::vector<Command> list = {
        {{"images", "--all-arch"}, true},
        {{"latest", "weekly"}, true},
        {{"show", "recommended"}, true},
        {{"subset", "--weeklies", "2"}, true},
        {{"filter", "--policy", policy}, true},
        {{"parse", "w_2021_22", "r22_0_1"}, true},
        {{"history", "recommended"}, true},
        {{"history", d3}, true},  // by digest: a `tag` column instead of `digest`
        {{"diff", "2021-06-01T00:00:00Z", "2021-06-08T00:00:00Z"}, true},
        {{"repos"}, true},
        {{"snapshots"}, true},
        {{"prune", "--policy", policy, "--at", "2021-06-08T00:00:00Z"}, false},
        {{"menu", "--recommended", "recommended"}, false},
    };
    std::vector<Command> out;
    for (auto c : list) {
        c.args.insert(c.args.begin(), {"--db", db});
        out.push_back(c);
    }
    return out;
}

std::vector<std::string> with_format(std::vector<std::string> args, const std::string& format) {
    args.insert(args.end(), {"--format", format});
    return args;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find_first_of("\r\n")); }

std::vector<std::string> split_csv_header(const std::string& line) {
    std::vector<std::string> cells;
    std::istringstream in(line);
    for (std::string cell; std::getline(in, cell, ',');) cells.push_back(cell);
    return cells;
}

// A table's header cells: columns are separated by two spaces or more, words within one by one.
std::vector<std::string> split_table_header(const std::string& line) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    while (start < line.size()) {
        std::size_t end = line.find("  ", start);
        if (end == std::string::npos) end = line.size();
        cells.push_back(line.substr(start, end - start));
        start = line.find_first_not_of(' ', end);
        if (start == std::string::npos) break;
    }
    return cells;
}

// The JSON keys of a document, at any depth.
void collect_keys(const json& doc, std::set<std::string>& keys) {
    if (doc.is_object()) {
        for (const auto& [key, value] : doc.items()) {
            keys.insert(key);
            collect_keys(value, keys);
        }
    } else if (doc.is_array()) {
        for (const auto& item : doc) collect_keys(item, keys);
    }
}

// `RESOLVED TO` → `resolved_to`, `resolved_to` → `RESOLVED TO`: the rule docs/cli.md states.
std::string snake(std::string header) {
    for (char& c : header) c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return header;
}
std::string upper_words(std::string name) {
    for (char& c : name) c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
}

std::size_t lines(const std::string& text) { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); }

}  // namespace

TEST_CASE("every command's CSV headers, JSON keys and table headers come from the documented vocabulary", "[cli][columns]") {
    TempDir dir;
    const std::string db = make_catalog(dir);
    std::set<std::string> seen;
    for (const auto& c : commands(db)) {
        CAPTURE(c.args);
        std::set<std::string> keys;
        collect_keys(json::parse(rspcat_ok(with_format(c.args, "json")).out), keys);
        CHECK_FALSE(keys.empty());  // rows, so that their keys are checked
        for (const auto& key : keys) {
            CAPTURE(key);
            CHECK(vocabulary.count(key) == 1);
            seen.insert(key);
        }
        if (c.args[2] == "menu") continue;  // two titled lists, not a table with a header row

        const std::string table_header = first_line(rspcat_ok(c.args).out);
        const auto table = split_table_header(table_header);
        REQUIRE_FALSE(table.empty());
        for (const auto& cell : table) {
            CAPTURE(cell);
            CHECK(vocabulary.count(snake(cell)) == 1);
            CHECK(cell == upper_words(snake(cell)));  // upper case, words separated by a space
        }
        if (!c.csv) continue;
        const auto csv = split_csv_header(first_line(rspcat_ok(with_format(c.args, "csv")).out));
        for (const auto& name : csv) {
            CAPTURE(name);
            CHECK(vocabulary.count(name) == 1);
            seen.insert(name);
        }
        // The table shows the CSV columns or, for images, some of them, by the same names.
        for (const auto& cell : table) CHECK(std::count(csv.begin(), csv.end(), snake(cell)) == 1);
    }
    // The spellings this vocabulary replaced are gone.
    for (const char* old : {"snapshots", "first snapshot", "resolved to", "taken at", "old digest"}) {
        CHECK(seen.count(old) == 0);
    }
}

TEST_CASE("table and csv output without the header row: --no-headers", "[cli][columns]") {
    TempDir dir;
    const std::string db = make_catalog(dir);
    for (const auto& c : commands(db)) {
        if (c.args[2] == "menu") continue;
        CAPTURE(c.args);
        auto bare = c.args;
        bare.push_back("--no-headers");
        const std::string table = rspcat_ok(c.args).out, table_bare = rspcat_ok(bare).out;
        CHECK(lines(table_bare) + 1 == lines(table));
        CHECK(table_bare.find(first_line(table)) == std::string::npos);
        if (!c.csv) continue;
        const std::string csv = rspcat_ok(with_format(c.args, "csv")).out;
        const std::string csv_bare = rspcat_ok(with_format(bare, "csv")).out;
        CHECK(csv_bare == csv.substr(csv.find("\r\n") + 2));
        // JSON has no header row: asking to leave it out is a usage error.
        CHECK(run_rspcat(with_format(bare, "json")).exit_code == 2);
    }
    // The rows keep their columns aligned, without the header's widths.
    const auto rows = rspcat_ok({"--db", db, "snapshots", "--no-headers"}).out;
    CHECK(rows.rfind("2  2021-06-08T00:00:00Z  full  ", 0) == 0);
    // menu has no header row, so no --no-headers.
    CHECK(run_rspcat({"--db", db, "menu", "--recommended", "recommended", "--no-headers"}).exit_code == 2);
}

TEST_CASE("ingest and sync print their summaries on standard error, and nothing with -q", "[cli][columns]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("one.tsv"), "w_2021_22\t" + d1 + "\n");
    write_text(dir.file("two.tsv"), "w_2021_22\t" + d1 + "\nw_2021_23\t" + d2 + "\n");
    const std::vector<std::string> ingest = {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab"};
    auto with = [&](std::vector<std::string> extra) {
        extra.insert(extra.begin(), ingest.begin(), ingest.end());
        return extra;
    };

    SECTION("ingest") {
        const auto loud = rspcat_ok(with({"--at", "2021-06-01T00:00:00Z", dir.file("one.tsv")}));
        CHECK(loud.out.empty());
        CHECK(loud.err == dir.file("one.tsv") + ": snapshot 2021-06-01T00:00:00Z: 1 tag (1 new, 0 moved, 0 removed)\n");
        for (const char* quiet : {"-q", "--quiet"}) {
            CAPTURE(quiet);
            const auto result = rspcat_ok(with({quiet, dir.file("two.tsv")}));
            CHECK(result.out.empty());
            CHECK(result.err.empty());
        }
        // Errors are still printed.
        const auto failed = run_rspcat(with({"-q", dir.file("missing.tsv")}));
        CHECK(failed.exit_code == 1);
        CHECK_THAT(failed.err, Catch::Contains("missing.tsv"));
        const auto refused = run_rspcat(with({"-q", "/dev/null"}));
        CHECK(refused.exit_code == 1);
        CHECK_THAT(refused.err, Catch::Contains("--allow-empty"));
    }
    SECTION("counts: 0 tags, 1 tag, 2 tags") {
        CHECK_THAT(rspcat_ok(with({"--at", "2021-06-01T00:00:00Z", dir.file("two.tsv")})).err,
                   Catch::EndsWith(": 2 tags (2 new, 0 moved, 0 removed)\n"));
        CHECK_THAT(rspcat_ok(with({"--at", "2021-06-02T00:00:00Z", "--max-removed", "100%", dir.file("one.tsv")})).err,
                   Catch::EndsWith(": 1 tag (0 new, 0 moved, 1 removed)\n"));
        CHECK_THAT(rspcat_ok(with({"--at", "2021-06-03T00:00:00Z", "--allow-empty", "/dev/null"})).err,
                   Catch::EndsWith(": 0 tags (0 new, 0 moved, 1 removed)\n"));
    }
    SECTION("sync") {
        FakeRegistryConfig config;
        config.tags = {{"w_2077_01", d1}};
        FakeRegistry registry(config);
        const auto loud = rspcat_ok({"--db", db, "sync", "--url", registry.url(), "--repository", "lab"});
        CHECK(loud.out.empty());
        CHECK_THAT(loud.err, Catch::EndsWith(": 1 tag (1 new, 0 moved, 0 removed); 1 new image read\n"));
        const auto quiet = rspcat_ok({"--db", db, "sync", "-q", "--url", registry.url(), "--repository", "lab"});
        CHECK(quiet.out.empty());
        CHECK(quiet.err.empty());
        const auto failed = run_rspcat({"--db", db, "sync", "--quiet", "--url", registry.url(), "--repository", "nope"});
        CHECK(failed.exit_code != 0);
        CHECK_FALSE(failed.err.empty());
        // Counts in errors as well.
        FakeRegistryConfig two;
        two.tags = {{"w_2077_01", d1}, {"w_2077_02", d2}};
        FakeRegistry larger(two);
        const auto limited = run_rspcat({"--db", db, "sync", "-q", "--max-tags", "1", "--url", larger.url(),
                                         "--repository", "lab"});
        CHECK(limited.exit_code == 1);
        CHECK_THAT(limited.err, Catch::Contains("more than 1 tag (the tag limit)"));
    }
}

TEST_CASE("prune prints its plan on standard output and its totals on standard error", "[cli][columns]") {
    TempDir dir;
    const std::string db = make_catalog(dir);
    const auto plan = rspcat_ok({"--db", db, "prune", "--policy", data_path("policies/idfdemo.yaml"), "--at",
                                 "2021-06-08T00:00:00Z", "--no-headers"});
    CHECK(plan.out.find("Nothing was deleted") == std::string::npos);
    CHECK_THAT(plan.err, Catch::Contains("protected. Nothing was deleted: this is a plan."));
    // "0 digests", "1 digest" or "N digests", never "1 digests".
    CHECK(plan.err.find(" 1 digests") == std::string::npos);
    CHECK(plan.err.rfind("1 digests", 0) == std::string::npos);
}

TEST_CASE("a table keeps its columns aligned when cells are longer than 127 bytes", "[cli][columns]") {
    // One digest under many long tags: each image's ALIASES cell is hundreds of bytes, and one tag
    // is as long as a Docker tag may be (128).
    TempDir dir;
    const std::string db = dir.file("c.db");
    std::string listing;
    std::vector<std::string> tags = {std::string(128, 'x')};
    for (int i = 10; i < 22; ++i) tags.push_back("experimental_a_rather_long_tag_name_number_" + std::to_string(i));
    for (const auto& tag : tags) listing += tag + "\t" + d1 + "\t100\n";
    write_text(dir.file("l.tsv"), listing);
    rspcat_ok({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", dir.file("l.tsv")});

    const std::string table = rspcat_ok({"--db", db, "images"}).out;
    std::vector<std::string> rows;
    for (std::size_t at = 0; at < table.size();) {
        const std::size_t end = table.find('\n', at);
        rows.push_back(table.substr(at, end - at));
        at = end + 1;
    }
    REQUIRE(rows.size() == tags.size() + 1);
    const std::size_t digest_at = rows[0].find("DIGEST"), aliases_at = rows[0].find("ALIASES");
    REQUIRE(digest_at != std::string::npos);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        CAPTURE(rows[r]);
        CHECK(rows[r].find("sha256:") == digest_at);
        // Every other tag, sorted, after the size.
        const std::string tag = rows[r].substr(0, rows[r].find(' '));
        std::vector<std::string> others;
        for (const auto& t : tags) {
            if (t != tag) others.push_back(t);
        }
        std::sort(others.begin(), others.end());
        std::string joined;
        for (const auto& t : others) joined += (joined.empty() ? "" : ",") + t;
        CHECK(rows[r].substr(aliases_at) == joined);
    }
}
