// rspcat repos, snapshots and alias add|remove through the real binary, and the error that
// lists the repositories when a query names none in a catalog of several.
#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');
const std::string d3 = "sha256:" + std::string(64, '3');

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

CommandResult rspcat_ok(const std::vector<std::string>& args) {
    const auto result = run_rspcat(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result;
}

void ingest(const std::string& db, const std::string& file, const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"--db", db, "ingest"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(file);
    rspcat_ok(args);
}

// example.org/lab: three snapshots (a full one, a merge, a full one), `recommended` an alias;
// and, when `second`, other.org/lab2 with one snapshot.
//   2021-06-01 full   r22_0_1, w_2021_23 → d1; w_2021_22 → d2; recommended → d1
//   2021-06-05 merge  w_2021_24 → d3
//   2021-06-08 full   as the first, with w_2021_24 → d3 and recommended → d3
std::string make_catalog(const TempDir& dir, bool second) {
    const std::string db = dir.file("c.db");
    write_text(dir.file("s1.tsv"), "r22_0_1\t" + d1 + "\t100\nw_2021_23\t" + d1 + "\t100\nw_2021_22\t" + d2 +
                                       "\t200\nrecommended\t" + d1 + "\n");
    write_text(dir.file("merge.tsv"), "w_2021_24\t" + d3 + "\t300\n");
    write_text(dir.file("s3.tsv"), "r22_0_1\t" + d1 + "\t100\nw_2021_23\t" + d1 + "\t100\nw_2021_22\t" + d2 +
                                       "\t200\nw_2021_24\t" + d3 + "\t300\nrecommended\t" + d3 + "\n");
    const std::vector<std::string> lab = {"--registry", "example.org", "--repository", "lab"};
    auto with = [&](std::vector<std::string> extra) {
        extra.insert(extra.begin(), lab.begin(), lab.end());
        return extra;
    };
    ingest(db, dir.file("s1.tsv"), with({"--alias", "recommended", "--at", "2021-06-01T00:00:00Z"}));
    ingest(db, dir.file("merge.tsv"), with({"--merge", "--at", "2021-06-05T00:00:00Z"}));
    ingest(db, dir.file("s3.tsv"), with({"--at", "2021-06-08T00:00:00Z"}));
    if (second) {
        ingest(db, dir.file("merge.tsv"),
               {"--registry", "other.org", "--repository", "lab2", "--at", "2021-07-01T00:00:00Z"});
    }
    return db;
}

// Read-only: such an open does not bring a stale listing up to date, so what it shows is what
// the write left in `listing`.
json show(const std::string& db, const std::string& tag) {
    return json::parse(rspcat_ok({"--db", db, "--read-only", "show", tag, "--format", "json"}).out);
}

void check_is_clean(const std::string& db) {
    const auto check = run_rspcat({"--db", db, "check"});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK(contains(check.out, "no problems found"));
}

}  // namespace

TEST_CASE("rspcat repos lists each repository with its tags, alias tags and snapshot times", "[cli][admin]") {
    TempDir dir;
    const std::string db = make_catalog(dir, true);

    const auto table = rspcat_ok({"--db", db, "repos"});
    CHECK(table.out ==
          "REGISTRY     REPOSITORY  TAG COUNT  ALIASES      SNAPSHOT COUNT  FIRST SNAPSHOT        LAST SNAPSHOT\n"
          "example.org  lab         5          recommended  3               2021-06-01T00:00:00Z  2021-06-08T00:00:00Z\n"
          "other.org    lab2        1                       1               2021-07-01T00:00:00Z  2021-07-01T00:00:00Z\n");

    const json repos = json::parse(rspcat_ok({"--db", db, "repos", "--format", "json"}).out);
    CHECK(repos == json::parse(R"([
        {"registry": "example.org", "repository": "lab", "tag_count": 5, "aliases": ["recommended"], "snapshot_count": 3,
         "first_snapshot": "2021-06-01T00:00:00Z", "last_snapshot": "2021-06-08T00:00:00Z"},
        {"registry": "other.org", "repository": "lab2", "tag_count": 1, "aliases": [], "snapshot_count": 1,
         "first_snapshot": "2021-07-01T00:00:00Z", "last_snapshot": "2021-07-01T00:00:00Z"}])"));

    const auto csv = rspcat_ok({"--db", db, "repos", "--format", "csv"});
    CHECK(csv.out ==
          "registry,repository,tag_count,aliases,snapshot_count,first_snapshot,last_snapshot\r\n"
          "example.org,lab,5,recommended,3,2021-06-01T00:00:00Z,2021-06-08T00:00:00Z\r\n"
          "other.org,lab2,1,,1,2021-07-01T00:00:00Z,2021-07-01T00:00:00Z\r\n");

    const auto missing = run_rspcat({"--db", dir.file("none.db"), "repos"});
    CHECK(missing.exit_code == 1);
    CHECK(contains(missing.err, "no catalog at"));
}

TEST_CASE("a query naming no repository in a catalog of several lists them", "[cli][admin]") {
    TempDir dir;
    const std::string db = make_catalog(dir, true);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"images"}, {"show", "recommended"}, {"snapshots"}, {"alias", "add", "latest"}}) {
        CAPTURE(args);
        std::vector<std::string> full = {"--db", db};
        full.insert(full.end(), args.begin(), args.end());
        const auto result = run_rspcat(full);
        CHECK(result.exit_code == 1);
        CHECK(result.err == "rspcat: catalog " + db +
                                " holds 2 repositories (example.org/lab, other.org/lab2): name one with --registry "
                                "and --repository\n");
        CHECK(result.out.empty());
    }
}

TEST_CASE("rspcat snapshots lists a repository's snapshots newest first", "[cli][admin]") {
    TempDir dir;
    const std::string db = make_catalog(dir, true);
    const std::vector<std::string> lab = {"--registry", "example.org", "--repository", "lab"};
    auto args = [&](std::vector<std::string> extra) {
        std::vector<std::string> all = {"--db", db, "snapshots"};
        all.insert(all.end(), lab.begin(), lab.end());
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    };
    const std::string s1 = dir.file("s1.tsv"), merge = dir.file("merge.tsv"), s3 = dir.file("s3.tsv");

    const json all = json::parse(rspcat_ok(args({"--format", "json"})).out);
    REQUIRE(all.size() == 3);
    CHECK(all[0].at("taken_at") == "2021-06-08T00:00:00Z");
    CHECK(all[0].at("kind") == "full");
    CHECK(all[0].at("source") == s3);
    CHECK(all[0].at("tag_count") == 5);
    CHECK(all[0].at("added") == 0);
    CHECK(all[0].at("moved") == 1);  // recommended
    CHECK(all[0].at("removed") == 0);
    CHECK(all[1].at("taken_at") == "2021-06-05T00:00:00Z");
    CHECK(all[1].at("kind") == "merge");
    CHECK(all[1].at("source") == merge);
    CHECK(all[1].at("tag_count") == 1);
    CHECK(all[1].at("added") == 1);
    CHECK(all[2].at("taken_at") == "2021-06-01T00:00:00Z");
    CHECK(all[2].at("added") == 4);
    CHECK(all[0].at("id").get<int>() > all[1].at("id").get<int>());
    CHECK(all[0].at("ingested_at").is_string());

    const auto table = rspcat_ok(args({"--limit", "2"}));
    const std::string id3 = std::to_string(all[0].at("id").get<int>());
    const std::string id2 = std::to_string(all[1].at("id").get<int>());
    const std::size_t width = std::max(s3.size(), merge.size());
    auto cell = [](const std::string& text, std::size_t w) { return text + std::string(w - text.size() + 2, ' '); };
    CHECK(table.out == "ID  TAKEN AT              KIND   " + cell("SOURCE", width) + "TAG COUNT  ADDED  MOVED  REMOVED\n" +
                           cell(id3, 2) + "2021-06-08T00:00:00Z  full   " + cell(s3, width) + "5          0      1      0\n" +
                           cell(id2, 2) + "2021-06-05T00:00:00Z  merge  " + cell(merge, width) + "1          1      0      0\n");

    const auto csv = rspcat_ok(args({"--limit", "1", "--format", "csv"}));
    CHECK(csv.out == "id,taken_at,kind,source,tag_count,added,moved,removed,confirmed_at\r\n" + id3 + ",2021-06-08T00:00:00Z,full," +
                         s3 + ",5,0,1,0,\r\n");

    // The other repository by name; its one snapshot.
    const json other = json::parse(
        rspcat_ok({"--db", db, "snapshots", "--registry", "other.org", "--repository", "lab2", "--format", "json"})
            .out);
    REQUIRE(other.size() == 1);
    CHECK(other[0].at("taken_at") == "2021-07-01T00:00:00Z");

    const auto zero = run_rspcat(args({"--limit", "0"}));
    CHECK(zero.exit_code == 2);
    CHECK(contains(zero.err, "--limit"));
    const auto unknown = run_rspcat({"--db", db, "snapshots", "--registry", "nowhere.org", "--repository", "lab"});
    CHECK(unknown.exit_code == 1);
    CHECK(contains(unknown.err, "has no repository nowhere.org/lab"));
    const auto half = run_rspcat({"--db", db, "snapshots", "--registry", "other.org"});
    CHECK(half.exit_code == 2);
    CHECK(contains(half.err, "--registry and --repository go together"));
}

TEST_CASE("rspcat alias add and remove change a tag's parse and the listing at once", "[cli][admin]") {
    TempDir dir;
    const std::string db = make_catalog(dir, false);
    CHECK(show(db, "w_2021_23").at("image_type") == "Weekly");
    check_is_clean(db);

    const auto added = run_rspcat({"--db", db, "alias", "add", "w_2021_23", "latest_daily"});
    INFO(added.err);
    CHECK(added.exit_code == 0);
    CHECK(added.out == "example.org/lab: w_2021_23 is now an alias tag\n"
                       "example.org/lab: latest_daily is now an alias tag\n");
    const json alias = show(db, "w_2021_23");
    CHECK(alias.at("image_type") == "Alias");
    CHECK(alias.at("alias_target") == "r22_0_1");
    CHECK(alias.at("display_name") == "W 2021 23 (Release r22.0.1)");
    // The menu without aliased images now hides r22_0_1 behind its alias.
    const json menu =
        json::parse(rspcat_ok({"--db", db, "--read-only", "images", "--hide-aliased", "--format", "json"}).out);
    std::vector<std::string> tags;
    for (const auto& image : menu) tags.push_back(image.at("tag"));
    CHECK(tags == std::vector<std::string>{"w_2021_23", "recommended", "w_2021_22"});
    check_is_clean(db);
    CHECK(json::parse(rspcat_ok({"--db", db, "repos", "--format", "json"}).out)[0].at("aliases") ==
          json({"latest_daily", "recommended", "w_2021_23"}));

    const auto again = run_rspcat({"--db", db, "alias", "add", "--registry", "example.org", "--repository", "lab",
                                   "recommended"});
    CHECK(again.exit_code == 0);
    CHECK(again.out == "example.org/lab: recommended is already an alias tag; nothing to do\n");

    const auto removed = run_rspcat({"--db", db, "alias", "remove", "w_2021_23"});
    INFO(removed.err);
    CHECK(removed.exit_code == 0);
    CHECK(removed.out == "example.org/lab: w_2021_23 is no longer an alias tag\n");
    const json weekly = show(db, "w_2021_23");
    CHECK(weekly.at("image_type") == "Weekly");
    CHECK(weekly.at("display_name") == "Weekly 2021_23");
    CHECK(weekly.at("alias_target").is_null());
    check_is_clean(db);
}

TEST_CASE("rspcat alias refuses what it cannot do and changes nothing", "[cli][admin]") {
    TempDir dir;
    const std::string db = make_catalog(dir, false);
    const std::string before = rspcat_ok({"--db", db, "images", "--all-arch", "--format", "json"}).out;

    const auto invalid = run_rspcat({"--db", db, "alias", "add", "latest", "no/such:tag"});
    CHECK(invalid.exit_code == 1);
    CHECK(invalid.err == "rspcat: alias tag 'no/such:tag' is not a Docker tag; nothing was written\n");
    CHECK(invalid.out.empty());

    const auto not_alias = run_rspcat({"--db", db, "alias", "remove", "recommended", "w_2021_22"});
    CHECK(not_alias.exit_code == 1);
    CHECK(not_alias.err == "rspcat: catalog " + db +
                               ": 'w_2021_22' is not an alias tag of example.org/lab (its alias tags: "
                               "'recommended'); nothing was changed\n");
    CHECK(not_alias.out.empty());

    const auto read_only = run_rspcat({"--db", db, "--read-only", "alias", "add", "latest"});
    CHECK(read_only.exit_code == 2);
    CHECK(contains(read_only.err, "--read-only"));
    const auto no_command = run_rspcat({"--db", db, "alias"});
    CHECK(no_command.exit_code == 2);
    const auto no_tags = run_rspcat({"--db", db, "alias", "add"});
    CHECK(no_tags.exit_code == 2);

    CHECK(rspcat_ok({"--db", db, "images", "--all-arch", "--format", "json"}).out == before);
    CHECK(json::parse(rspcat_ok({"--db", db, "repos", "--format", "json"}).out)[0].at("aliases") ==
          json({"recommended"}));
    check_is_clean(db);
}
