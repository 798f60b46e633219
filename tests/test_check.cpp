// Catalog::check and `rspcat check [--repair]`: catalogs that the real rspcat built, edited with
// the real sqlite3 shell (or SQLiteCpp) the way an operator might, then checked and repaired.
// Also the ingest fixes that the check found: a wrong stored parse is re-derived by the next
// ingest, and a hand-made `images` row does not make the next snapshot's counts wrong.
#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "rspcat/catalog.hpp"
#include "shell_support.hpp"

using namespace rspcat;
using namespace rspcat::test;

namespace {

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');
const std::string d3 = "sha256:" + std::string(64, '3');

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A catalog of three full snapshots a week apart, `recommended` an alias:
//   06-01  w_2021_22 → d1, recommended → d1
//   06-08  w_2021_22 → d1, w_2021_23 → d2, recommended → d2
//   06-15  w_2021_23 → d2, w_2021_24 → d3, recommended → d3   (w_2021_22 removed)
// and s4.tsv, the third listing again, for an ingest after the edit.
void make_catalog(const TempDir& dir, const std::string& db) {
    write_text(dir.file("s1.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    write_text(dir.file("s2.tsv"), "w_2021_22\t" + d1 + "\t100\nw_2021_23\t" + d2 + "\t200\nrecommended\t" + d2 + "\n");
    write_text(dir.file("s3.tsv"), "w_2021_23\t" + d2 + "\t200\nw_2021_24\t" + d3 + "\t300\nrecommended\t" + d3 + "\n");
    write_text(dir.file("s4.tsv"), "w_2021_23\t" + d2 + "\t200\nw_2021_24\t" + d3 + "\t300\nrecommended\t" + d3 + "\n");
    for (const auto& [file, at] : {std::pair{"s1.tsv", "2021-06-01T00:00:00Z"},
                                   {"s2.tsv", "2021-06-08T00:00:00Z"},
                                   {"s3.tsv", "2021-06-15T00:00:00Z"}}) {
        const auto result = run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab",
                                        "--alias", "recommended", "--at", at, dir.file(file)});
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
    }
}

CommandResult ingest_s4(const TempDir& dir, const std::string& db) {
    return run_bounded({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", "--at",
                        "2021-06-22T00:00:00Z", dir.file("s4.tsv")});
}

CommandResult check(const std::string& db, bool repair = false) {
    std::vector<std::string> args = {"--db", db, "check"};
    if (repair) args.push_back("--repair");
    return run_bounded(args);
}

// One value from the catalog, as the shell prints it.
std::string value(const std::string& db, const std::string& sql) {
    std::string out = shell(db, sql);
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string tag_id(const std::string& db, const std::string& tag) {
    return value(db, "SELECT id FROM tags WHERE tag = '" + tag + "'");
}

// rspcat's own schema objects, for comparing a repaired catalog with one that rspcat made.
std::string schema_text(const std::string& db) {
    return shell(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name");
}

std::string listing_text(const std::string& db) {
    return shell(db, "SELECT * FROM listing ORDER BY repository_id, scope_cycle, tag_id");
}

// A report of problems: exit 1, each line that is asked for present.
void require_problems(const CommandResult& result, const std::vector<std::string>& lines) {
    INFO(result.out);
    INFO(result.err);
    CHECK(result.exit_code == 1);
    for (const auto& line : lines) {
        CAPTURE(line);
        CHECK(contains(result.out, line));
    }
}

void require_clean(const CommandResult& result) {
    INFO(result.out);
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(contains(result.out, "no problems"));
}

struct Catalogs {
    TempDir dir;
    std::string db = dir.file("c.db");
    std::string pristine = dir.file("pristine.db");
    Catalogs() {
        make_catalog(dir, db);
        std::filesystem::copy_file(db, pristine);
    }
    // A copy of the catalog as it is now, for a second road from the same edit.
    std::string copy(const std::string& name) const {
        const std::string path = dir.file(name);
        std::filesystem::copy_file(db, path, std::filesystem::copy_options::overwrite_existing);
        return path;
    }
};

}  // namespace

TEST_CASE("a catalog that rspcat built checks clean, and a check writes nothing", "[check]") {
    Catalogs c;
    const std::string before = slurp(c.db);
    const auto result = check(c.db);
    require_clean(result);
    CHECK(contains(result.out, "catalog " + c.db + ": no problems found"));
    CHECK(slurp(c.db) == before);
    // A read-only open of a WAL catalog leaves an empty -wal, as `rspcat --read-only images` does.
    CHECK((!std::filesystem::exists(c.db + "-wal") || std::filesystem::file_size(c.db + "-wal") == 0));

    const CheckReport report = Catalog::check(c.db);
    CHECK(report.clean());
    CHECK(report.problems.empty());
    CHECK(report.repaired.empty());
    CHECK(slurp(c.db) == before);

    // A repair of a clean catalog changes nothing either.
    const auto repair = check(c.db, true);
    require_clean(repair);
    CHECK(contains(repair.out, "0 repairs made, no problems left"));
    CHECK(catalog_content(c.db) == catalog_content(c.pristine));
}

TEST_CASE("check refuses what is not an rspcat catalog of this schema version", "[check]") {
    TempDir dir;
    const std::string text = dir.file("notes.db");
    write_text(text, "not a database, just text that is long enough to have a header of sorts\n");
    const std::string other = dir.file("other.db");
    shell(other, "CREATE TABLE things (x);");
    const std::string db = dir.file("c.db");
    make_catalog(dir, db);
    const std::string newer = dir.file("newer.db");
    std::filesystem::copy_file(db, newer);
    shell(newer, "PRAGMA user_version = 6;");
    const std::string older = dir.file("older.db");
    std::filesystem::copy_file(db, older);
    shell(older, "PRAGMA user_version = 1;");
    struct Refused {
        std::string path, message;
        int status;  // not_a_catalog 7, newer_schema 8, failed 1
    };
    for (const auto& [path, message, status] : std::vector<Refused>{
             {text, "file is not a database", 7},
             {other, "is not an rspcat catalog", 7},
             {newer, "newer than this rspcat knows", 8},
             {older, "older than this rspcat checks (5): open it once with rspcat to upgrade it", 1},
             {dir.file("missing.db"), "no catalog at " + dir.file("missing.db"), 1},
         }) {
        for (const bool repair : {false, true}) {
            CAPTURE(path, repair);
            const std::string before = std::filesystem::exists(path) ? slurp(path) : "";
            const auto result = check(path, repair);
            CHECK(result.exit_code == status);
            CHECK(contains(result.err, message));
            CHECK((std::filesystem::exists(path) ? slurp(path) : "") == before);
            CHECK_THROWS_AS(Catalog::check(path, repair ? CheckMode::repair : CheckMode::report), CatalogError);
        }
    }
    CHECK(!std::filesystem::exists(dir.file("missing.db")));
    // --repair writes: not with --read-only.
    CHECK(run_bounded({"--db", db, "--read-only", "check", "--repair"}).exit_code == 2);
}

TEST_CASE("a tag whose stored parse was changed: the next ingest re-derives it, check --repair rewrites it",
          "[check]") {
    Catalogs c;
    const std::string id = tag_id(c.db, "w_2021_23");
    shell(c.db, "UPDATE tags SET display_name = 'HAND MADE' WHERE tag = 'w_2021_23';");
    // The open catches the listing up with the hand edit: the wrong name shows.
    CHECK(contains(run_bounded({"--db", c.db, "show", "w_2021_23"}).out, "HAND MADE"));
    require_problems(check(c.db), {"tags row " + id + ": tag 'w_2021_23' is not stored as this rspcat parses it: "
                                   "display_name is 'HAND MADE', the parse gives 'Weekly 2021_23'",
                                   "(repairable: run rspcat check --repair)"});

    SECTION("the next ingest that lists the tag re-derives its row") {
        const auto ingest = ingest_s4(c.dir, c.db);
        INFO(ingest.err);
        REQUIRE(ingest.exit_code == 0);
        const auto show = run_bounded({"--db", c.db, "show", "w_2021_23"});
        CHECK(show.exit_code == 0);
        CHECK(!contains(show.out, "HAND MADE"));
        CHECK(contains(show.out, "Weekly 2021_23"));
        CHECK(!contains(run_bounded({"--db", c.db, "images"}).out, "HAND MADE"));
        CHECK(value(c.db, "SELECT display_name FROM tags WHERE id = " + id) == "Weekly 2021_23");
        require_clean(check(c.db));
    }
    SECTION("check --repair rewrites it") {
        const auto repair = check(c.db, true);
        INFO(repair.out);
        CHECK(repair.exit_code == 0);
        CHECK(contains(repair.out, "repaired: tags row " + id + ": re-parsed tag 'w_2021_23' (display_name)"));
        CHECK(contains(repair.out, "no problems left"));
        require_clean(check(c.db));
        CHECK(!contains(run_bounded({"--db", c.db, "show", "w_2021_23"}).out, "HAND MADE"));
        CHECK(catalog_content(c.db) == catalog_content(c.pristine));
    }
}

TEST_CASE("a malformed tags.date is reported and re-derived by check --repair", "[check]") {
    Catalogs c;
    const std::string id = tag_id(c.db, "w_2021_24");
    const std::string date = value(c.db, "SELECT date FROM tags WHERE id = " + id);
    shell(c.db, "UPDATE tags SET date = 'not a date' WHERE id = " + id + ";");
    require_problems(check(c.db), {"tags row " + id + ": tag 'w_2021_24' is not stored as this rspcat parses it: "
                                   "date is 'not a date', the parse gives '" + date + "'"});
    const auto repair = check(c.db, true);
    INFO(repair.out);
    CHECK(repair.exit_code == 0);
    CHECK(contains(repair.out, "repaired: tags row " + id + ": re-parsed tag 'w_2021_24' (date)"));
    require_clean(check(c.db));
    CHECK(value(c.db, "SELECT date FROM tags WHERE id = " + id) == date);
    CHECK(catalog_content(c.db) == catalog_content(c.pristine));
}

TEST_CASE("a hand-made images row: reported, removed by the next ingest with right counts, or by check --repair",
          "[check]") {
    Catalogs c;
    // w_2021_22 left the listing on 06-15: an image of it now has no history row.
    shell(c.db, "INSERT INTO images (repository_id, tag_id, digest, size, batch, position) "
                "SELECT repository_id, id, '" + d1 + "', 100, 1, 0 FROM tags WHERE tag = 'w_2021_22';");
    require_problems(check(c.db), {"images: the row of tag 'w_2021_22' ('" + d1 +
                                       "', size 100) has no open tag_history row: no ingest made it",
                                   "listing: tag 'w_2021_22' is missing: the resolution views give it"});

    SECTION("the next full ingest counts from the history, not from the images it deletes") {
        const auto ingest = ingest_s4(c.dir, c.db);
        INFO(ingest.err);
        REQUIRE(ingest.exit_code == 0);
        CHECK(contains(ingest.err, "3 tags (0 new, 0 moved, 0 removed)"));
        CHECK(value(c.db, "SELECT added, moved, removed, tag_count FROM snapshots ORDER BY id DESC LIMIT 1") ==
              "0|0|0|3");
        require_clean(check(c.db));
    }
    SECTION("check --repair deletes it") {
        const auto repair = check(c.db, true);
        INFO(repair.out);
        CHECK(repair.exit_code == 0);
        CHECK(contains(repair.out, "repaired: images: deleted the row of tag 'w_2021_22'"));
        require_clean(check(c.db));
        CHECK(!contains(run_bounded({"--db", c.db, "images"}).out, "w_2021_22"));
        CHECK(catalog_content(c.db) == catalog_content(c.pristine));
    }
}

TEST_CASE("the library counts a full snapshot from the history whatever images holds", "[check]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    const RepositoryName lab{"example.org", "lab"};
    auto ingest = [&](const std::string& at, std::vector<ListingRow> rows) {
        Catalog catalog(db);
        std::size_t next = 0;
        return catalog.ingest({lab, {}, *parse_timestamp(at), "test", false}, [&]() -> std::optional<ListingRow> {
            if (next == rows.size()) return std::nullopt;
            return rows[next++];
        });
    };
    auto row = [](const std::string& tag, const std::string& digest) {
        ListingRow r;
        r.tag = tag;
        r.digest = digest;
        return r;
    };
    ingest("2021-06-01T00:00:00Z", {row("w_2021_22", d1), row("w_2021_23", d2)});
    ingest("2021-06-08T00:00:00Z", {row("w_2021_23", d2)});
    {
        SQLite::Database edit(db, SQLite::OPEN_READWRITE);
        edit.exec("INSERT INTO images (repository_id, tag_id, digest, size, batch, position) "
                  "SELECT repository_id, id, '" + d1 + "', NULL, 1, 0 FROM tags WHERE tag = 'w_2021_22'");
    }
    const IngestSummary same = ingest("2021-06-15T00:00:00Z", {row("w_2021_23", d2)});
    CHECK(same.added == 0);
    CHECK(same.moved == 0);
    CHECK(same.removed == 0);
    const IngestSummary moved = ingest("2021-06-22T00:00:00Z", {row("w_2021_24", d3), row("w_2021_23", d1)});
    CHECK(moved.added == 1);
    CHECK(moved.moved == 1);
    CHECK(moved.removed == 0);
    const IngestSummary removed = ingest("2021-06-29T00:00:00Z", {row("w_2021_24", d3)});
    CHECK(removed.added == 0);
    CHECK(removed.moved == 0);
    CHECK(removed.removed == 1);
    CHECK(Catalog::check(db).clean());
}

TEST_CASE("views, triggers and indexes changed by hand: reported, and re-created by check --repair", "[check]") {
    Catalogs c;
    shell(c.db, "DROP VIEW tag_timeline; CREATE VIEW tag_timeline AS SELECT * FROM tag_history;"
                "DROP TRIGGER images_removed; CREATE TRIGGER images_removed AFTER DELETE ON images BEGIN SELECT 1; END;"
                "DROP INDEX tag_history_by_tag;");
    // The normal open refuses the catalog; check does not.
    const auto images = run_bounded({"--db", c.db, "images"});
    CHECK(images.exit_code == 6);
    CHECK(contains(images.err, "changed outside rspcat"));
    require_problems(check(c.db), {
                                      "tag_timeline: the view tag_timeline is not the one schema version 5 defines",
                                      "images: the trigger images_removed is not the one schema version 5 defines",
                                      "tag_history: lacks the index tag_history_by_tag of schema version 5",
                                      "(repairable: run rspcat check --repair)",
                                  });
    const auto repair = check(c.db, true);
    INFO(repair.out);
    CHECK(repair.exit_code == 0);
    CHECK(contains(repair.out, "repaired: tag_timeline: re-created the view tag_timeline"));
    CHECK(contains(repair.out, "repaired: images: re-created the trigger images_removed"));
    CHECK(contains(repair.out, "repaired: tag_history: created the missing index tag_history_by_tag"));
    require_clean(check(c.db));
    CHECK(schema_text(c.db) == schema_text(c.pristine));
    CHECK(catalog_content(c.db) == catalog_content(c.pristine));
    CHECK(run_bounded({"--db", c.db, "images"}).exit_code == 0);
}

TEST_CASE("a trigger that rspcat did not make is reported and never dropped", "[check]") {
    Catalogs c;
    shell(c.db, "CREATE TRIGGER planted AFTER INSERT ON snapshots BEGIN SELECT 1; END;");
    const std::string message = "snapshots: trigger planted was not made by rspcat";
    require_problems(check(c.db), {message});
    CHECK(!contains(check(c.db).out, "(repairable"));
    const std::string before = catalog_content(c.db);
    const auto repair = check(c.db, true);
    require_problems(repair, {message, "0 repairs made, 1 problem left"});
    CHECK(catalog_content(c.db) == before);
    CHECK(value(c.db, "SELECT count(*) FROM sqlite_schema WHERE name = 'planted'") == "1");
}

TEST_CASE("a tag_history row with a malformed digest is reported and left alone", "[check]") {
    Catalogs c;
    // w_2021_22's only row, closed on 06-15.
    const std::string row =
        value(c.db, "SELECT id FROM tag_history WHERE tag_id = (SELECT id FROM tags WHERE tag = 'w_2021_22')");
    shell(c.db, "UPDATE tag_history SET digest = 'sha256:XYZ' WHERE id = " + row + ";");
    const std::string message = "tag_history row " + row + ": tag 'w_2021_22': digest 'sha256:XYZ' is not sha256:";
    const auto result = check(c.db);
    require_problems(result, {message});
    CHECK(!contains(result.out, "(repairable"));
    const std::string before = catalog_content(c.db);
    require_problems(check(c.db, true), {message, "0 repairs made, 1 problem left"});
    CHECK(catalog_content(c.db) == before);
}

TEST_CASE("overlapping history intervals are reported and left alone", "[check]") {
    Catalogs c;
    const std::string first = value(c.db, "SELECT min(h.id) FROM tag_history h JOIN tags t ON t.id = h.tag_id "
                                          "WHERE t.tag = 'recommended'");
    const std::string second = value(c.db, "SELECT id FROM tag_history WHERE started_at = '2021-06-08T00:00:00Z' "
                                           "AND tag_id = (SELECT id FROM tags WHERE tag = 'recommended')");
    shell(c.db, "UPDATE tag_history SET ended_at = '2021-06-10T00:00:00Z' WHERE id = " + first + ";");
    const std::string message = "tag_history row " + second + ": tag 'recommended': it starts (2021-06-08T00:00:00Z) "
                                "before row " + first + " of the same tag ends (2021-06-10T00:00:00Z)";
    require_problems(check(c.db), {message});
    const std::string before = catalog_content(c.db);
    require_problems(check(c.db, true), {message, "0 repairs made"});
    CHECK(catalog_content(c.db) == before);
}

TEST_CASE("snapshot counts that disagree with the history are reported and left alone", "[check]") {
    Catalogs c;
    shell(c.db, "UPDATE snapshots SET added = 7, tag_count = 9 WHERE id = 2;");
    const std::string message = "snapshots row 2: the full snapshot of '2021-06-08T00:00:00Z': added is 7 where its "
                                "tag_history rows give 1; tag_count is 9 where its tag_history rows give 3";
    require_problems(check(c.db), {message});
    const std::string before = catalog_content(c.db);
    require_problems(check(c.db, true), {message, "0 repairs made, 1 problem left"});
    CHECK(catalog_content(c.db) == before);
}

TEST_CASE("a confirmation before its snapshot, malformed, or without its count is reported and left alone",
          "[check]") {
    Catalogs c;
    shell(c.db, "UPDATE snapshots SET confirmed_at = '2021-06-01T00:00:00Z', confirmations = 1 WHERE id = 2;"
                "UPDATE snapshots SET confirmed_at = 'soon', confirmations = 0 WHERE id = 1;");
    const std::vector<std::string> messages = {
        "snapshots row 1: confirmed_at 'soon' is not a time as rspcat stores it (like 2025-06-05T12:00:00Z)",
        "snapshots row 1: confirmations 0 with a confirmed_at",
        "snapshots row 2: confirmed_at is before taken_at"};
    require_problems(check(c.db), messages);
    const std::string before = catalog_content(c.db);
    auto repaired = messages;
    repaired.push_back("0 repairs made, 3 problems left");
    require_problems(check(c.db, true), repaired);
    CHECK(catalog_content(c.db) == before);
}

TEST_CASE("a listing row changed by hand is reported and rebuilt by check --repair", "[check]") {
    Catalogs c;
    const std::string row = value(c.db, "SELECT rowid FROM listing WHERE tag = 'w_2021_23' AND scope_cycle IS NULL");
    shell(c.db, "UPDATE listing SET display_name = 'HAND MADE' WHERE rowid = " + row + ";");
    require_problems(check(c.db), {"listing row " + row + ": tag 'w_2021_23': display_name is 'HAND MADE' where the "
                                   "resolution views give 'Weekly 2021_23'"});
    const auto repair = check(c.db, true);
    INFO(repair.out);
    CHECK(repair.exit_code == 0);
    CHECK(contains(repair.out, "repaired: listing: rebuilt from the resolution views"));
    require_clean(check(c.db));
    CHECK(listing_text(c.db) == listing_text(c.pristine));
    CHECK(!contains(run_bounded({"--db", c.db, "images"}).out, "HAND MADE"));
}

TEST_CASE("Catalog::check on a catalog edited with SQLiteCpp: problems by table and row, repaired in one go",
          "[check]") {
    Catalogs c;
    std::int64_t id = 0;
    {
        SQLite::Database edit(c.db, SQLite::OPEN_READWRITE);
        id = edit.execAndGet("SELECT id FROM tags WHERE tag = 'w_2021_24'").getInt64();
        edit.exec("UPDATE tags SET version_major = 99, alias_title = 'x' WHERE id = " + std::to_string(id));
        edit.exec("DROP INDEX listing_by_digest");
        edit.exec("UPDATE snapshots SET removed = -1 WHERE id = 3");
    }
    const std::string before = slurp(c.db);
    const CheckReport report = Catalog::check(c.db);
    CHECK(slurp(c.db) == before);
    CHECK(!report.clean());
    CHECK(report.repaired.empty());
    auto find = [](const CheckReport& r, const std::string& table) {
        std::vector<CheckProblem> found;
        for (const auto& p : r.problems) {
            if (p.table == table) found.push_back(p);
        }
        return found;
    };
    const auto tags = find(report, "tags");
    REQUIRE(tags.size() == 1);
    CHECK(tags[0].row == id);
    CHECK(tags[0].repairable);
    CHECK(contains(tags[0].message, "version_major is 99, the parse gives 2021"));
    CHECK(contains(tags[0].message, "alias_title is 'x'"));
    const auto snapshots = find(report, "snapshots");
    REQUIRE(snapshots.size() == 1);
    CHECK(snapshots[0].row == 3);
    CHECK(!snapshots[0].repairable);
    REQUIRE(find(report, "listing").size() == 2);  // the index, and the listing row of the wrong parse
    CHECK(!find(report, "listing")[0].row);

    const CheckReport repaired = Catalog::check(c.db, CheckMode::repair);
    // The index and the tag: the listing was never refreshed with the wrong parse, so it is right again.
    CHECK(repaired.repaired.size() == 2);
    REQUIRE(repaired.problems.size() == 1);
    CHECK(repaired.problems[0].table == "snapshots");
    const CheckReport after = Catalog::check(c.db);
    REQUIRE(after.problems.size() == 1);
    CHECK(after.problems[0].message == repaired.problems[0].message);
    CHECK(after.repaired.empty());
    // Now the normal open accepts it, and its views give what rspcat made.
    Catalog catalog(c.db, Catalog::Mode::read_only);
    Catalog pristine(c.pristine, Catalog::Mode::read_only);
    std::ostringstream a, b;
    for (const auto& image : catalog.images({})) a << to_json(image) << "\n";
    for (const auto& image : pristine.images({})) b << to_json(image) << "\n";
    CHECK(a.str() == b.str());
}
