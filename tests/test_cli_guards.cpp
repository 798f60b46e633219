// Listings that are probably a mistake are refused, not recorded (issue 14 §1): an empty full
// snapshot, one that would remove more than --max-removed of the current tags, `ingest` reading
// a listing from a terminal, a snapshot time in the future, and a --registry or --repository
// that would silently make a second repository. Each refusal exits with its status, says why and
// how to force it, and leaves the catalog exactly as it was; the forced forms work. Also the
// library's guards (IngestSpec::allow_empty and max_removed) through Catalog::ingest.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>

#include "cli_support.hpp"
#include "fake_registry.hpp"
#include "process_support.hpp"
#include "rspcat/catalog.hpp"
#include "rspcat/registry.hpp"

using namespace rspcat::test;
using Catch::Contains;

namespace {

const std::string d1 = fake_image("1");
const std::string d2 = fake_image("2");
const std::string d3 = fake_image("3");
const std::string d4 = fake_image("4");

// The catalog's whole content as the stock sqlite3 shell dumps it.
std::string dump(const std::string& db) {
    const auto result = run_command(SQLITE3_SHELL, {db, ".dump"});
    REQUIRE(result.exit_code == 0);
    return result.out;
}

std::vector<std::string> ingest_args(const std::string& db, std::vector<std::string> extra) {
    std::vector<std::string> args = {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// A catalog whose repository example.org/lab holds four tags, and the listing files the tests use.
struct Fixture {
    TempDir dir;
    std::string db = dir.file("c.db");

    Fixture() {
        write_text(dir.file("four.tsv"), "w_2030_01\t" + d1 + "\nw_2030_02\t" + d2 + "\nw_2030_03\t" + d3 +
                                             "\nw_2030_04\t" + d4 + "\n");
        write_text(dir.file("one.tsv"), "w_2030_04\t" + d4 + "\n");
        write_text(dir.file("two.tsv"), "w_2030_03\t" + d3 + "\nw_2030_04\t" + d4 + "\n");
        write_text(dir.file("empty.tsv"), "");
        write_text(dir.file("comments.tsv"), "# nothing listed\n\n");
        write_text(dir.file("empty.json"), "[]");
        const auto first = run_rspcat(ingest_args(db, {"--at", "2020-01-01", dir.file("four.tsv")}));
        INFO(first.err);
        REQUIRE(first.exit_code == 0);
    }

    std::string file(const std::string& name) const { return dir.file(name); }
};

}  // namespace

TEST_CASE("an empty full snapshot is refused unless --allow-empty", "[cli][guards]") {
    Fixture f;
    const std::string before = dump(f.db);
    // A TSV file of no rows, of comments only, empty standard input, a JSON `[]`, and a GAR
    // document whose every entry is of another image.
    write_text(f.file("other.json"),
               R"([{"uri": "elsewhere.org/other@)" + d1 + R"(", "tags": ["w_2030_01"]}])");
    struct Case {
        std::vector<std::string> args;
        std::string source;
    };
    for (const Case& c : std::vector<Case>{
             {{"--at", "2020-02-01", f.file("empty.tsv")}, f.file("empty.tsv")},
             {{"--at", "2020-02-01", f.file("comments.tsv")}, f.file("comments.tsv")},
             {{"--at", "2020-02-01"}, "-"},
             {{"--at", "2020-02-01", "-"}, "-"},
             {{"--at", "2020-02-01", "--format", "gar", f.file("empty.json")}, f.file("empty.json")},
             {{"--at", "2020-02-01", "--format", "gcloud", f.file("empty.json")}, f.file("empty.json")},
             {{"--at", "2020-02-01", "--format", "gar", f.file("other.json")}, f.file("other.json")},
         }) {
        CAPTURE(c.args);
        const auto result = run_rspcat(ingest_args(f.db, c.args));  // standard input: /dev/null
        CHECK(result.exit_code == 1);
        CHECK(result.out.empty());
        CHECK_THAT(result.err, Contains(c.source + ": the listing holds no tags: as a full snapshot it would "
                                                   "remove all 4 current tags of example.org/lab") &&
                                   Contains("pass --allow-empty") && Contains("nothing was written"));
        CHECK(dump(f.db) == before);
    }
    // The skipped entries were reported too.
    const auto other = run_rspcat(ingest_args(f.db, {"--format", "gar", f.file("other.json")}));
    CHECK_THAT(other.err, Contains("skipped 1 entry of other images than example.org/lab"));

    // An empty first snapshot of a repository is refused as well: it would record no tags.
    const auto first = run_rspcat({"--db", f.db, "ingest", "--registry", "example.org", "--repository", "new",
                                   f.file("empty.tsv")});
    CHECK(first.exit_code == 1);
    CHECK_THAT(first.err, Contains("as a full snapshot it would record example.org/new as having none"));
    CHECK(dump(f.db) == before);

    // Forced: the repository has no tags now.
    const auto forced = run_rspcat(ingest_args(f.db, {"--at", "2020-02-01", "--allow-empty", f.file("empty.tsv")}));
    INFO(forced.err);
    CHECK(forced.exit_code == 0);
    CHECK_THAT(forced.err, Contains("0 tags (0 new, 0 moved, 4 removed)"));
    CHECK(run_rspcat({"--db", f.db, "images", "--format", "json"}).out == "[]\n");
}

TEST_CASE("an empty merge is not refused: merges remove nothing", "[cli][guards]") {
    Fixture f;
    const auto merge = run_rspcat(ingest_args(f.db, {"--at", "2020-02-01", "--merge", f.file("empty.tsv")}));
    INFO(merge.err);
    CHECK(merge.exit_code == 0);
    CHECK_THAT(merge.err, Contains("merged 2020-02-01T00:00:00Z: 0 tags (0 new, 0 moved, 0 removed)"));
    // And a merge of one tag, where a snapshot of it would remove three of four.
    const auto small = run_rspcat(ingest_args(f.db, {"--at", "2020-02-02", "--merge", f.file("one.tsv")}));
    CHECK(small.exit_code == 0);
    CHECK_THAT(small.err, Contains("1 tag (0 new, 0 moved, 0 removed)"));
}

TEST_CASE("a snapshot that would remove more than --max-removed is refused", "[cli][guards]") {
    Fixture f;
    const std::string before = dump(f.db);

    // The default, 50%: three of four is too many.
    const auto refused = run_rspcat(ingest_args(f.db, {"--at", "2020-02-01", f.file("one.tsv")}));
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.empty());
    CHECK_THAT(refused.err, Contains(f.file("one.tsv") + ": the snapshot would remove 3 of the 4 current tags of "
                                                         "example.org/lab, more than the limit of 50%") &&
                                Contains("pass --max-removed 100%") && Contains("nothing was written"));
    CHECK(dump(f.db) == before);

    // A number of tags; a percentage.
    for (const std::vector<std::string>& limit : std::vector<std::vector<std::string>>{
             {"--max-removed", "2"}, {"--max-removed", "74%"}, {"--max-removed", "0"}, {"--max-removed=0%"}}) {
        CAPTURE(limit);
        auto args = ingest_args(f.db, limit);
        args.insert(args.end(), {"--at", "2020-02-01", f.file("one.tsv")});
        const auto result = run_rspcat(args);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Contains("would remove 3 of the 4 current tags"));
        CHECK(dump(f.db) == before);
    }
    const auto two = run_rspcat(ingest_args(f.db, {"--max-removed", "2", "--at", "2020-02-01", f.file("one.tsv")}));
    CHECK_THAT(two.err, Contains("more than the limit of 2 tags"));

    // Malformed limits are usage errors.
    for (const char* bad : {"101%", "-1", "half", "50 %", "%", ""}) {
        CAPTURE(bad);
        const auto result = run_rspcat(ingest_args(f.db, {"--max-removed", bad, f.file("one.tsv")}));
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Contains("--max-removed"));
    }
    CHECK(dump(f.db) == before);

    // At the limit: two of four is 50%.
    const auto half = run_rspcat(ingest_args(f.db, {"--at", "2020-02-01", f.file("two.tsv")}));
    INFO(half.err);
    CHECK(half.exit_code == 0);
    CHECK_THAT(half.err, Contains("2 tags (0 new, 0 moved, 2 removed)"));
    // Forced: 100%, or a number as large as the removal.
    const auto all = run_rspcat(ingest_args(f.db, {"--at", "2020-03-01", "--max-removed", "100%", f.file("one.tsv")}));
    CHECK(all.exit_code == 0);
    CHECK_THAT(all.err, Contains("1 tag (0 new, 0 moved, 1 removed)"));
    const auto again = run_rspcat(ingest_args(f.db, {"--at", "2020-04-01", f.file("four.tsv")}));
    CHECK(again.exit_code == 0);  // adding removes nothing
    const auto three = run_rspcat(ingest_args(f.db, {"--at", "2020-05-01", "--max-removed", "3", f.file("one.tsv")}));
    CHECK(three.exit_code == 0);
    CHECK_THAT(three.err, Contains("1 tag (0 new, 0 moved, 3 removed)"));
}

TEST_CASE("the guards apply to each snapshot of a history file", "[cli][guards]") {
    Fixture f;
    const std::string before = dump(f.db);
    // The second snapshot keeps its own two tags, the third drops three of its four.
    write_text(f.file("history.tsv"), "snapshot_at\ttag\tdigest\n"
                                      "2020-02-01T00:00:00Z\tw_2030_03\t" + d3 + "\n"
                                      "2020-02-01T00:00:00Z\tw_2030_04\t" + d4 + "\n"
                                      "2020-03-01T00:00:00Z\tw_2030_01\t" + d1 + "\n"
                                      "2020-03-01T00:00:00Z\tw_2030_02\t" + d2 + "\n"
                                      "2020-03-01T00:00:00Z\tw_2030_03\t" + d3 + "\n"
                                      "2020-03-01T00:00:00Z\tw_2030_04\t" + d4 + "\n"
                                      "2020-04-01T00:00:00Z\tw_2030_04\t" + d4 + "\n");
    const auto refused = run_rspcat(ingest_args(f.db, {f.file("history.tsv")}));
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.empty());
    CHECK_THAT(refused.err, Contains("would remove 3 of the 4 current tags") && Contains("nothing was written"));
    CHECK(dump(f.db) == before);  // the snapshots before it are not written either

    const auto forced = run_rspcat(ingest_args(f.db, {"--max-removed", "100%", f.file("history.tsv")}));
    INFO(forced.err);
    CHECK(forced.exit_code == 0);
    CHECK_THAT(forced.err, Contains("snapshot 2020-04-01T00:00:00Z: 1 tag (0 new, 0 moved, 3 removed)"));
}

TEST_CASE("rspcat sync of a repository with no tags is refused unless --allow-empty", "[cli][guards][sync]") {
    auto empty = std::make_shared<std::atomic<bool>>(false);
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", d1}, {"w_2077_02", d2}};
    config.intercept = [empty](const FakeRequest& request) -> std::optional<FakeReply> {
        if (!*empty || request.path != "/v2/lab/tags/list") return std::nullopt;
        return FakeReply{200, {{"Content-Type", "application/json"}}, R"({"name": "lab", "tags": []})"};
    };
    FakeRegistry registry(config);
    TempDir dir;
    const std::string db = dir.file("c.db");
    const std::vector<std::string> sync = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab"};
    REQUIRE(run_rspcat(sync).exit_code == 0);
    const std::string before = dump(db);

    *empty = true;
    const auto refused = run_rspcat(sync);
    CHECK(refused.exit_code == 1);
    CHECK(refused.out.empty());
    CHECK_THAT(refused.err, Contains("the listing holds no tags: as a full snapshot it would remove all 2 current tags") &&
                                Contains("pass --allow-empty") && Contains("nothing was written"));
    CHECK(dump(db) == before);

    auto forced = sync;
    forced.push_back("--allow-empty");
    const auto result = run_rspcat(forced);
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK_THAT(result.err, Contains("0 tags (0 new, 0 moved, 2 removed)"));
}

TEST_CASE("rspcat ingest refuses to read a listing from a terminal", "[cli][guards]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    // script(1) gives rspcat a terminal for standard input; timeout(1) ends a run that waits on it.
    for (const std::string file : {"", " -"}) {
        const std::string command = "timeout 20 " + shell_quote(RSPCAT_BINARY) + " --db " + shell_quote(db) +
                                    " ingest --registry example.org --repository lab" + file;
        const auto result = run_command("script", {"-qec", command, dir.file("typescript")});
        INFO(result.out);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.out, Contains("ingest would read a listing from the terminal: pass FILE, or pipe a listing in"));
        CHECK_FALSE(std::filesystem::exists(db));
    }
    // A pipe or a file on standard input is read as before (here: an empty one, forced).
    const auto piped = run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab",
                                   "--allow-empty", "-"});
    CHECK(piped.exit_code == 0);
}

TEST_CASE("a snapshot time more than 5 minutes ahead is refused unless --allow-future", "[cli][guards]") {
    Fixture f;
    const std::string before = dump(f.db);

    const auto at = run_rspcat(ingest_args(f.db, {"--at", "2062-01-01", f.file("four.tsv")}));
    CHECK(at.exit_code == 2);
    CHECK(at.out.empty());
    CHECK_THAT(at.err, Contains("--at 2062-01-01T00:00:00Z is more than 5 minutes in the future (now ") &&
                           Contains("pass --allow-future"));
    CHECK(dump(f.db) == before);
    // JSON listings take --at too.
    write_text(f.file("docker.json"), R"({"w_2030_01": ")" + d1 + R"("})");
    const auto json = run_rspcat(ingest_args(f.db, {"--at", "2062-01-01", "--format", "docker-json", "--merge",
                                                     f.file("docker.json")}));
    CHECK(json.exit_code == 2);
    CHECK_THAT(json.err, Contains("is more than 5 minutes in the future"));
    CHECK(dump(f.db) == before);

    // In a history file: an input error naming the line.
    write_text(f.file("history.tsv"), "snapshot_at\ttag\tdigest\n"
                                      "2020-02-01T00:00:00Z\tw_2030_03\t" + d3 + "\n"
                                      "2020-02-01T00:00:00Z\tw_2030_04\t" + d4 + "\n"
                                      "2062-01-01T00:00:00Z\tw_2030_04\t" + d4 + "\n");
    const auto history = run_rspcat(ingest_args(f.db, {f.file("history.tsv")}));
    CHECK(history.exit_code == 1);
    CHECK_THAT(history.err, Contains(f.file("history.tsv") + ":4: snapshot time 2062-01-01T00:00:00Z is more than "
                                                             "5 minutes in the future") &&
                                Contains("pass --allow-future") && Contains("nothing was written"));
    CHECK(dump(f.db) == before);

    // A minute ahead is clock skew, not a typo (in a catalog of its own: it would be the latest).
    Fixture g;
    const std::string soon = rspcat::format_timestamp(rspcat::now_utc() + std::chrono::minutes(1));
    const auto skew = run_rspcat(ingest_args(g.db, {"--at", soon, g.file("four.tsv")}));
    INFO(skew.err);
    CHECK(skew.exit_code == 0);

    // Forced.
    const auto forced = run_rspcat(ingest_args(f.db, {"--allow-future", f.file("history.tsv")}));
    INFO(forced.err);
    CHECK(forced.exit_code == 0);
    CHECK_THAT(forced.err, Contains("snapshot 2062-01-01T00:00:00Z"));
}

TEST_CASE("ingest --registry and --repository are checked and normalised as sync's", "[cli][guards]") {
    Fixture f;
    const std::string before = dump(f.db);
    struct Case {
        std::string registry, repository, message;
    };
    for (const Case& c : std::vector<Case>{
             {"https://Example.org", "lab", "--registry 'https://Example.org' is not a registry's HOST[:PORT] (give no "
                                            "scheme: --registry example.org)"},
             {"http://example.org:5000/v2/", "lab", "(give no scheme: --registry example.org:5000)"},
             {"example.org/lab", "lab", "--registry 'example.org/lab' is not a registry's HOST[:PORT]"},
             {"example org", "lab", "is not a registry's HOST[:PORT]"},
             {"example.org:0", "lab", "is not a registry's HOST[:PORT]"},
             {"user@example.org", "lab", "is not a registry's HOST[:PORT]"},
             {"example.org", "Lab", "--repository 'Lab' is not a registry repository name (lower-case components "
                                    "joined by /); did you mean 'lab'?"},
             {"example.org", "lsst/Sciplat-Lab", "did you mean 'lsst/sciplat-lab'?"},
             {"example.org", "lab/", "--repository 'lab/' is not a registry repository name"},
             {"example.org", "-lab", "--repository '-lab' is not a registry repository name"},
         }) {
        CAPTURE(c.registry, c.repository);
        const auto result = run_rspcat({"--db", f.db, "ingest", "--registry", c.registry, "--repository",
                                        c.repository, "--at", "2020-02-01", f.file("four.tsv")});
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Contains(c.message));
        CHECK((result.err.find("did you mean") == std::string::npos ||
               c.message.find("did you mean") != std::string::npos));
        CHECK(dump(f.db) == before);
    }
    // The host is lower-cased: the same repository, not a second one.
    const auto upper = run_rspcat({"--db", f.db, "ingest", "--registry", "EXAMPLE.org", "--repository", "lab", "--at",
                                   "2020-02-01", f.file("four.tsv")});
    INFO(upper.err);
    CHECK(upper.exit_code == 0);
    CHECK_THAT(upper.err, Contains("4 tags (0 new, 0 moved, 0 removed, unchanged since 2020-01-01T00:00:00Z)"));
    const auto repositories = run_command(SQLITE3_SHELL, {f.db, "select registry || '/' || repository from repositories"});
    CHECK(repositories.out == "example.org/lab\n");
}

TEST_CASE("sync stores the registry as ingest names it", "[cli][guards][sync]") {
    using rspcat::registry::registry_name;
    CHECK(registry_name("Registry.Example.ORG:5000") == "registry.example.org:5000");
    CHECK(registry_name("docker.io") == "docker.io");
    CHECK(registry_name("127.0.0.1:5000") == "127.0.0.1:5000");
    CHECK(registry_name("[::1]:443") == "[::1]:443");
    for (const char* bad : {"", "https://docker.io", "docker.io/", "docker.io:", "docker.io:0443", "a@docker.io",
                            "docker io", "docker.io?x", "docker.io#", "docker.io:99999"}) {
        CAPTURE(bad);
        CHECK_FALSE(registry_name(bad));
    }

    // A sync, then an ingest of the same registry and repository, land in one repository.
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", d1}, {"w_2077_02", d2}, {"w_2077_03", d3}};
    FakeRegistry registry(config);
    TempDir dir;
    const std::string db = dir.file("c.db");
    REQUIRE(run_rspcat({"--db", db, "sync", "--url", registry.url(), "--repository", "lab"}).exit_code == 0);
    const std::string authority = registry.url().substr(std::string("http://").size());
    write_text(dir.file("one.tsv"), "w_2077_03\t" + d3 + "\n");
    const std::string before = dump(db);
    // And the removal guard holds for what sync recorded.
    const auto refused = run_rspcat({"--db", db, "ingest", "--registry", authority, "--repository", "lab",
                                     dir.file("one.tsv")});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Contains("would remove 2 of the 3 current tags of " + authority + "/lab"));
    CHECK(dump(db) == before);
}

TEST_CASE("IngestSpec guards through Catalog::ingest", "[catalog][guards]") {
    using namespace rspcat;
    TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog catalog(path);
    auto rows = [](std::vector<std::string> tags) {
        auto state = std::make_shared<std::pair<std::vector<std::string>, std::size_t>>(std::move(tags), 0);
        return RowSource([state]() -> std::optional<ListingRow> {
            auto& [items, next] = *state;
            if (next == items.size()) return std::nullopt;
            return ListingRow{items[next++], d1, std::nullopt, next};
        });
    };
    auto spec = [](const std::string& at) {
        return IngestSpec{{"example.org", "lab"}, {}, *parse_timestamp(at), "test", false};
    };
    catalog.ingest(spec("2030-01-01"), rows({"a", "b", "c", "d"}));
    const std::string before = catalog_content(path);

    // The defaults accept what the library always accepted.
    const IngestSpec plain = spec("2030-02-01");
    CHECK(plain.allow_empty);
    CHECK_FALSE(plain.max_removed);

    IngestSpec guarded = spec("2030-02-01");
    guarded.allow_empty = false;
    guarded.max_removed = RemovalLimit::percentage(50);
    try {
        catalog.ingest(guarded, rows({}));
        FAIL("ingested");
    } catch (const IngestGuardError& e) {
        CHECK(e.kind() == ErrorKind::failed);
        CHECK(e.guard == IngestGuardError::Guard::empty);
        CHECK_THAT(e.what(), Contains("test: the listing holds no tags"));
    }
    CHECK(catalog_content(path) == before);
    try {
        catalog.ingest(guarded, rows({"d"}));
        FAIL("ingested");
    } catch (const IngestGuardError& e) {
        CHECK(e.kind() == ErrorKind::failed);
        CHECK(e.guard == IngestGuardError::Guard::removed);
        CHECK_THAT(e.what(), Contains("would remove 3 of the 4 current tags of example.org/lab"));
    }
    CHECK(catalog_content(path) == before);

    // Through a Writer: the refusal rolls back the earlier ingests of the same Writer too.
    {
        Catalog::Writer writer = catalog.writer();
        writer.ingest(spec("2030-02-01"), rows({"a", "b", "c", "d", "e"}));
        IngestSpec tight = spec("2030-03-01");
        tight.max_removed = RemovalLimit::tags(1);
        CHECK_THROWS_AS(writer.ingest(tight, rows({"a", "b", "c"})), IngestGuardError);
        CHECK_THROWS_AS(writer.commit(), Error);  // misuse: the Writer was rolled back
    }
    CHECK(catalog_content(path) == before);

    // Within the limits, and merges, go through; an empty snapshot that is allowed removes all.
    CHECK(catalog.ingest(guarded, rows({"c", "d"})).removed == 2);
    IngestSpec merge = guarded;
    merge.merge = true;
    merge.taken_at = *parse_timestamp("2030-03-01");
    CHECK(catalog.ingest(merge, rows({})).rows == 0);
    IngestSpec empty = guarded;
    empty.taken_at = *parse_timestamp("2030-04-01");
    empty.allow_empty = true;
    CHECK(catalog.ingest(empty, rows({})).removed == 2);
    // The first snapshot of a repository removes nothing.
    IngestSpec other = guarded;
    other.repository = {"example.org", "other"};
    other.max_removed = RemovalLimit::tags(0);
    CHECK(catalog.ingest(other, rows({"a"})).added == 1);
    // The plain spec records an empty snapshot, as it always did.
    IngestSpec plain_empty = plain;
    plain_empty.repository = {"example.org", "third"};
    CHECK(catalog.ingest(plain_empty, rows({})).rows == 0);

    CHECK(RemovalLimit::percentage(50).allows(1, 3));
    CHECK_FALSE(RemovalLimit::percentage(50).allows(2, 3));
    CHECK(RemovalLimit::percentage(100).allows(7, 7));
    CHECK(RemovalLimit::tags(2).allows(2, 2));
    CHECK_FALSE(RemovalLimit::tags(2).allows(3, 1000));
}
