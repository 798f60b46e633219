// The habits of git and kubectl that rspcat follows (issue 14 §4), through the real binary:
// global options after the subcommand, "did you mean" for unknown words, `rspcat help`, digests
// given by a unique prefix, a UTF-8 byte-order mark, no offered option that is ignored, requests
// that match nothing failing, and a notice while waiting for another writer's lock. Where a
// command must not write, the catalog's `sqlite3 .dump` is compared before and after.
#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "cli_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using namespace rspcat::test;
using Catch::Contains;

namespace {

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');
// Two digests that share their first 12 hex digits, as tables print them, and differ after.
const std::string twin_a = "sha256:abcdef012345" + std::string(52, 'a');
const std::string twin_b = "sha256:abcdef012345" + std::string(52, 'b');

std::string dump(const std::string& db) {
    const auto result = run_command(SQLITE3_SHELL, {db, ".dump"});
    REQUIRE(result.exit_code == 0);
    return result.out;
}

// A catalog of one repository: a release, a weekly, the alias `recommended` on the release, and
// two weeklies whose digests share a 12-digit prefix.
struct Fixture {
    TempDir dir;
    std::string db = dir.file("c.db");

    Fixture() {
        write_text(dir.file("listing.tsv"), "r22_0_1\t" + d1 + "\nrecommended\t" + d1 + "\nw_2021_13\t" + d2 +
                                                "\nw_2021_14\t" + twin_a + "\nw_2021_15\t" + twin_b + "\n");
        const auto ingest = run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab",
                                        "--at", "2021-04-01", dir.file("listing.tsv")});
        INFO(ingest.err);
        REQUIRE(ingest.exit_code == 0);
    }

    CommandResult run(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--db", db});
        return run_rspcat(args);
    }
};

}  // namespace

TEST_CASE("global options work after the subcommand too", "[cli][conventions]") {
    Fixture f;
    const auto before = run_rspcat({"--db", f.db, "images", "--format", "csv"});
    const auto after = run_rspcat({"images", "--format", "csv", "--db", f.db});
    REQUIRE(before.exit_code == 0);
    CHECK(after.exit_code == 0);
    CHECK(after.out == before.out);
    CHECK_THAT(after.out, Contains("w_2021_13"));
    // --read-only after the command is taken: seen refuses to write.
    const std::string catalog = dump(f.db);
    const auto read_only = run_rspcat({"seen", d1, "node1", "--db", f.db, "--read-only"});
    CHECK(read_only.exit_code == 2);
    CHECK_THAT(read_only.err, Contains("--read-only"));
    CHECK(dump(f.db) == catalog);
    // --registry is looked up as stored: a host name is lower-cased, as ingest and sync store it.
    const auto upper = run_rspcat({"--db", f.db, "images", "--format", "csv", "--registry", "Example.ORG",
                                   "--repository", "lab"});
    CHECK(upper.exit_code == 0);
    CHECK(upper.out == before.out);
    // And --busy-timeout with its value.
    CHECK(run_rspcat({"images", "--busy-timeout", "5", "--db", f.db}).exit_code == 0);
}

TEST_CASE("an unknown command or option names the nearest known one", "[cli][conventions]") {
    Fixture f;
    const auto option = f.run({"images", "--hide-alias"});
    CHECK(option.exit_code == 2);
    CHECK_THAT(option.err, Contains("unknown option '--hide-alias'") && Contains("did you mean --hide-aliased?"));
    const auto swapped = f.run({"images", "--hdie-aliased"});
    CHECK_THAT(swapped.err, Contains("did you mean --hide-aliased?"));
    // A global option is a candidate after a command too.
    CHECK_THAT(f.run({"images", "--read-olny"}).err, Contains("did you mean --read-only?"));
    const auto command = f.run({"imags"});
    CHECK(command.exit_code == 2);
    CHECK_THAT(command.err, Contains("unknown command 'imags'") && Contains("did you mean images?"));
    const auto sub = f.run({"alias", "ad", "x"});
    CHECK(sub.exit_code == 2);
    CHECK_THAT(sub.err, Contains("did you mean add?"));
    // Nothing near: no guess, but still the word and where to look.
    const auto far = f.run({"images", "--zzzzzzzz"});
    CHECK(far.exit_code == 2);
    CHECK_THAT(far.err, Contains("unknown option '--zzzzzzzz'") && Contains("rspcat help images"));
    CHECK_THAT(far.err, !Contains("did you mean"));
}

TEST_CASE("rspcat help shows the help of rspcat or of a command", "[cli][conventions]") {
    const auto top = run_rspcat({"help"});
    CHECK(top.exit_code == 0);
    CHECK(top.out == run_rspcat({"--help"}).out);
    CHECK_THAT(top.out, Contains("ingest") && Contains("man rspcat"));
    CHECK_THAT(top.out, !Contains("docs/"));
    const auto ingest = run_rspcat({"help", "ingest"});
    CHECK(ingest.exit_code == 0);
    CHECK(ingest.out == run_rspcat({"ingest", "--help"}).out);
    CHECK_THAT(ingest.out, Contains("--max-removed"));
    const auto alias_add = run_rspcat({"help", "alias", "add"});
    CHECK(alias_add.exit_code == 0);
    CHECK(alias_add.out == run_rspcat({"alias", "add", "--help"}).out);
    const auto unknown = run_rspcat({"help", "imagse"});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Contains("did you mean images?"));
}

TEST_CASE("a digest may be given by a unique prefix of 12 or more hex digits", "[cli][conventions]") {
    Fixture f;
    const std::string short_d2 = d2.substr(0, 7 + 12);
    SECTION("show") {
        const auto whole = f.run({"show", d2, "--format", "json"});
        const auto prefix = f.run({"show", short_d2, "--format", "json"});
        REQUIRE(whole.exit_code == 0);
        CHECK(prefix.exit_code == 0);
        CHECK(prefix.out == whole.out);
        CHECK_THAT(prefix.out, Contains("w_2021_13"));
    }
    SECTION("history lists the tags that pointed to the digest") {
        const auto history = f.run({"history", d1.substr(0, 7 + 20), "--format", "json"});
        CHECK(history.exit_code == 0);
        CHECK_THAT(history.out, Contains("\"r22_0_1\"") && Contains("\"recommended\"") && Contains(d1));
        CHECK_THAT(history.out, !Contains("w_2021_13"));
    }
    SECTION("seen records the whole digest") {
        const auto seen = f.run({"seen", short_d2, "node1"});
        INFO(seen.err);
        CHECK(seen.exit_code == 0);
        CHECK_THAT(dump(f.db), Contains("INSERT INTO node_presence VALUES('" + d2 + "','node1'"));
    }
    SECTION("an ambiguous prefix lists the candidates and changes nothing") {
        const std::string catalog = dump(f.db);
        for (const std::vector<std::string>& args :
             {std::vector<std::string>{"show", twin_a.substr(0, 19)}, {"seen", twin_a.substr(0, 19), "node1"},
              {"history", twin_a.substr(0, 19)}}) {
            const auto result = f.run(args);
            INFO(args.front());
            CHECK(result.exit_code == 1);
            CHECK_THAT(result.err, Contains("ambiguous") && Contains(twin_a) && Contains(twin_b));
        }
        CHECK(dump(f.db) == catalog);
        // One more digit tells them apart.
        CHECK(f.run({"show", twin_b.substr(0, 20), "--format", "csv"}).out.find("w_2021_15") != std::string::npos);
    }
    SECTION("a prefix that is too short, or matches nothing, is an error") {
        const auto short_one = f.run({"show", d2.substr(0, 7 + 11)});
        CHECK(short_one.exit_code == 2);
        CHECK_THAT(short_one.err, Contains("12 or more"));
        const auto upper = f.run({"show", "sha256:ABCDEF012345"});
        CHECK(upper.exit_code == 2);
        const auto none = f.run({"show", "sha256:000000000000"});
        CHECK(none.exit_code == 1);
        CHECK_THAT(none.err, Contains("no digest in the catalog starts with sha256:000000000000"));
    }
}

TEST_CASE("a UTF-8 byte-order mark at the start of a listing or a policy is skipped", "[cli][conventions]") {
    TempDir dir;
    const std::string bom = "\xEF\xBB\xBF";
    const std::string listing = "r22_0_1\t" + d1 + "\nw_2021_13\t" + d2 + "\n";
    write_text(dir.file("plain.tsv"), listing);
    write_text(dir.file("bom.tsv"), bom + listing);
    write_text(dir.file("bom-history.tsv"), bom + "snapshot_at\ttag\tdigest\n2021-04-01T00:00:00Z\tr22_0_1\t" + d1 +
                                                "\n2021-04-01T00:00:00Z\tw_2021_13\t" + d2 + "\n");
    write_text(dir.file("bom.json"), bom + "{\"r22_0_1\": \"" + d1 + "\", \"w_2021_13\": \"" + d2 + "\"}");
    auto images_after_ingest = [&](const std::string& name, std::vector<std::string> extra) {
        const std::string db = dir.file(name + ".db");
        std::vector<std::string> args = {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab"};
        args.insert(args.end(), extra.begin(), extra.end());
        const auto ingest = run_rspcat(args);
        INFO(name << ": " << ingest.err);
        CHECK(ingest.exit_code == 0);
        return run_rspcat({"--db", db, "images", "--format", "csv"}).out;
    };
    const std::string expected = images_after_ingest("plain", {"--at", "2021-04-01", dir.file("plain.tsv")});
    REQUIRE_THAT(expected, Contains("r22_0_1") && Contains("w_2021_13"));
    CHECK(images_after_ingest("bom", {"--at", "2021-04-01", dir.file("bom.tsv")}) == expected);
    CHECK(images_after_ingest("history", {dir.file("bom-history.tsv")}) == expected);
    CHECK(images_after_ingest("json", {"--format", "docker-json", "--at", "2021-04-01", dir.file("bom.json")}) ==
          expected);

    // Policies: the same images kept, with or without the mark, in YAML and in JSON.
    const std::string db = dir.file("plain.db");
    write_text(dir.file("plain.yaml"), "weekly:\n  age: 1w\n");
    write_text(dir.file("bom.yaml"), bom + "weekly:\n  age: 1w\n");
    write_text(dir.file("bom.json"), bom + "{\"weekly\": {\"age\": \"1w\"}}");
    const auto plain = run_rspcat({"--db", db, "filter", "--policy", dir.file("plain.yaml"), "--format", "csv"});
    REQUIRE(plain.exit_code == 0);
    CHECK_THAT(plain.out, !Contains("w_2021_13"));
    for (const char* name : {"bom.yaml", "bom.json"}) {
        const auto with_bom = run_rspcat({"--db", db, "filter", "--policy", dir.file(name), "--format", "csv"});
        INFO(name << ": " << with_bom.err);
        CHECK(with_bom.exit_code == 0);
        CHECK(with_bom.out == plain.out);
    }
}

TEST_CASE("history and diff offer no --at or --cycle, which they would ignore", "[cli][conventions]") {
    Fixture f;
    for (const char* command : {"history", "diff"}) {
        const auto help = run_rspcat({command, "--help"});
        INFO(command);
        CHECK(help.exit_code == 0);
        CHECK_THAT(help.out, !Contains("--at") && !Contains("--cycle"));
        CHECK_THAT(help.out, Contains("--repository"));
    }
    const auto history_at = f.run({"history", "recommended", "--at", "2021-04-01"});
    CHECK(history_at.exit_code == 2);
    CHECK_THAT(history_at.err, Contains("unknown option '--at'"));
    CHECK(f.run({"history", "recommended", "--cycle", "20"}).exit_code == 2);
    CHECK(f.run({"diff", "2021-01-01", "2021-05-01", "--cycle", "20"}).exit_code == 2);
    // What history says of an alias: what it resolved to, over the whole repository.
    const auto history = f.run({"history", "recommended", "--format", "csv"});
    CHECK(history.exit_code == 0);
    CHECK_THAT(history.out, Contains(d1) && Contains("r22_0_1"));
}

TEST_CASE("a request that matches nothing fails and says which", "[cli][conventions]") {
    Fixture f;
    write_text(f.dir.file("policy.yaml"), "weekly:\n  number: 1\n");
    const std::string catalog = dump(f.db);
    SECTION("menu --recommended") {
        const auto result = f.run({"menu", "--recommended", "recomended"});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Contains("--recommended recomended: no such tag"));
        CHECK(result.out.empty());
        CHECK(f.run({"menu", "--recommended", "recommended"}).exit_code == 0);
    }
    SECTION("menu --pin") {
        const auto result = f.run({"menu", "--recommended", "recommended", "--pin", "w_2021_13", "--pin", "w_2099_01"});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Contains("--pin w_2099_01: no such tag"));
        CHECK(result.out.empty());
    }
    SECTION("prune --keep") {
        const auto result = f.run({"prune", "--policy", f.dir.file("policy.yaml"), "--keep", "w_2021_31"});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Contains("--keep w_2021_31: no such tag"));
        CHECK(result.out.empty());
        CHECK(f.run({"prune", "--policy", f.dir.file("policy.yaml"), "--keep", "w_2021_13"}).exit_code == 0);
    }
    SECTION("seen with a digest no image has") {
        const auto result = f.run({"seen", "sha256:" + std::string(64, '9'), "node1"});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Contains("no current image has digest sha256:999"));
    }
    CHECK(dump(f.db) == catalog);
}

TEST_CASE("a write that waits over a second for another writer's lock says so", "[cli][conventions]") {
    Fixture f;
    SQLite::Database holder(f.db, SQLite::OPEN_READWRITE);
    holder.exec("BEGIN IMMEDIATE");
    // Released from another thread after 2 s, while rspcat waits for it.
    std::thread release([&] {
        std::this_thread::sleep_for(std::chrono::seconds(2));
        holder.exec("COMMIT");
    });
    const auto result = f.run({"seen", d1, "node1"});
    release.join();
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.err, Contains("waiting for another process to release its lock on " + f.db));
    CHECK_THAT(dump(f.db), Contains("'node1'"));
}

TEST_CASE("Catalog tells a long lock wait once, and finds digests by prefix", "[catalog][conventions]") {
    Fixture f;
    SECTION("lock wait notice") {
        int told = 0;
        Catalog catalog(f.db, Catalog::Mode::read_write, std::chrono::seconds(10), [&] { ++told; });
        SQLite::Database holder(f.db, SQLite::OPEN_READWRITE);
        holder.exec("BEGIN IMMEDIATE");
        std::thread release([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(2500));
            holder.exec("COMMIT");
        });
        CHECK(catalog.mark_seen(d1, "node1", std::nullopt, now_utc()));
        release.join();
        CHECK(told == 1);
        // No wait, no notice.
        CHECK(catalog.mark_seen(d2, "node1", std::nullopt, now_utc()));
        CHECK(told == 1);
    }
    SECTION("digests_starting_with") {
        const Catalog catalog(f.db);
        CHECK(catalog.digests_starting_with("sha256:abcdef012345") == std::vector<std::string>{twin_a, twin_b});
        CHECK(catalog.digests_starting_with("sha256:abcdef012345", 1) == std::vector<std::string>{twin_a});
        CHECK(catalog.digests_starting_with(twin_b) == std::vector<std::string>{twin_b});
        CHECK(catalog.digests_starting_with("sha256:abcdef012346").empty());
        const auto timeline = catalog.digest_timeline({}, d1);
        REQUIRE(timeline.size() == 2);
        CHECK(timeline[0].tag == "r22_0_1");
        CHECK(timeline[1].tag == "recommended");
        CHECK(timeline[1].resolved_to == "r22_0_1");
    }
}
