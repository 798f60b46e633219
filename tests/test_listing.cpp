// The materialised listing (schema/002_listing.sql): after every kind of write it holds exactly
// what the resolution views say, a version 1 catalog is upgraded with it filled, and menu order
// is read from its index rather than sorted.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "listing_support.hpp"
#include "rspcat/catalog.hpp"
#include "rspcat/sql.hpp"
#include "image_row.hpp"
#include "cli_support.hpp"
#include "test_support.hpp"

using namespace rspcat;
using namespace rspcat::test;

namespace {

const RepositoryName lab{"example.org", "lab"};

RowSource rows_of(const std::string& listing) {
    auto in = std::make_shared<std::istringstream>(listing);
    auto reader = std::make_shared<TsvListingReader>(*in, "test");
    return [in, reader] { return reader->next_row(); };
}

std::int64_t count(SQLite::Database& db, const std::string& sql) { return db.execAndGet(sql).getInt64(); }

// Rows of `listing` that listing_source does not have, and the other way round.
void check_listing_is_fresh(const std::string& path) {
    SQLite::Database db(path);
    CHECK(count(db, "SELECT count(*) FROM listing_stale") == 0);
    CHECK(count(db, "SELECT count(*) FROM (SELECT * FROM listing EXCEPT SELECT * FROM listing_source)") == 0);
    CHECK(count(db, "SELECT count(*) FROM (SELECT * FROM listing_source EXCEPT SELECT * FROM listing)") == 0);
    CHECK(count(db, "SELECT count(*) FROM listing") == count(db, "SELECT count(*) FROM listing_source"));
}

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> tags_in_menu_order(const Catalog& catalog, const CollectionSpec& collection) {
    std::vector<std::string> tags;
    for (const Image& image : catalog.images(collection)) tags.push_back(image.tag.tag + " " + image.tag.display_name);
    return tags;
}

}  // namespace

TEST_CASE("the listing says what the resolution views say after every kind of write", "[listing]") {
    TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog catalog(path);
    catalog.ingest({lab, {"recommended"}, *parse_timestamp("2030-01-01"), "one", false}, rows_of(synthetic_rows(1, 0, 90)));
    CHECK(SQLite::Database(path).execAndGet("SELECT count(*) FROM listing").getInt64() > 90);
    check_listing_is_fresh(path);

    SECTION("a full snapshot that adds, moves and removes tags") {
        catalog.ingest({lab, {}, *parse_timestamp("2030-01-02"), "two", false}, rows_of(synthetic_rows(2, 30, 120)));
        check_listing_is_fresh(path);
    }
    SECTION("the same snapshot in another order (primaries follow listing order)") {
        std::string listing = synthetic_rows(1, 0, 90);
        std::vector<std::string> lines;
        std::istringstream in(listing);
        for (std::string line; std::getline(in, line);) lines.push_back(line);
        std::string reversed;
        for (auto it = lines.rbegin(); it != lines.rend(); ++it) reversed += *it + "\n";
        catalog.ingest({lab, {}, *parse_timestamp("2030-01-02"), "reversed", false}, rows_of(reversed));
        check_listing_is_fresh(path);
    }
    SECTION("merges, one row at a time") {
        catalog.ingest({lab, {}, *parse_timestamp("2030-01-02"), "merge", true}, rows_of(synthetic_rows(3, 10, 20)));
        check_listing_is_fresh(path);
    }
    SECTION("a tag declared an alias later, parsed anew") {
        const std::string tag = synthetic_tag(7);
        catalog.ingest({lab, {tag}, *parse_timestamp("2030-01-02"), "alias", false}, rows_of(synthetic_rows(1, 0, 90)));
        CHECK(SQLite::Database(path).execAndGet("SELECT parse FROM tags WHERE tag = '" + tag + "'").getString() == "alias");
        check_listing_is_fresh(path);
    }
    SECTION("nodes and sizes seen") {
        const std::string digest = catalog.images({}).front().digest;
        REQUIRE(catalog.mark_seen(digest, "node-1", 12345, *parse_timestamp("2030-01-02")));
        REQUIRE(catalog.mark_seen(digest, "node-2", std::nullopt, *parse_timestamp("2030-01-02")));
        check_listing_is_fresh(path);
        const auto image = catalog.image_for_digest({}, digest);
        REQUIRE(image);
        CHECK(image->nodes == std::vector<std::string>{"node-1", "node-2"});
        CHECK(image->size == 12345);
    }
    SECTION("several snapshots in one writer, queried before the commit") {
        Catalog::Writer writer = catalog.writer();
        writer.ingest({lab, {}, *parse_timestamp("2030-01-02"), "two", false}, rows_of(synthetic_rows(2, 30, 120)));
        const auto inside = tags_in_menu_order(catalog, {});
        writer.ingest({lab, {}, *parse_timestamp("2030-01-03"), "three", false}, rows_of(synthetic_rows(3, 60, 150)));
        writer.commit();
        check_listing_is_fresh(path);
        CHECK(inside == tags_in_menu_order(catalog, {.at = *parse_timestamp("2030-01-02T12:00:00Z")}));
    }
}

TEST_CASE("a write that rolls back leaves the catalog able to write and to list the past", "[listing]") {
    TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog catalog(path);
    catalog.ingest({lab, {"recommended"}, *parse_timestamp("2030-01-01"), "one", false}, rows_of(synthetic_rows(1, 0, 40)));
    catalog.ingest({lab, {}, *parse_timestamp("2030-01-02"), "two", false}, rows_of(synthetic_rows(2, 10, 50)));
    const auto past = tags_in_menu_order(catalog, {.at = *parse_timestamp("2030-01-01T12:00:00Z")});
    // A new connection, whose first refresh and first past listing make their TEMP tables and
    // views inside a write transaction that then rolls back, taking them away.
    Catalog again(path);
    {
        Catalog::Writer writer = again.writer();
        writer.ingest({lab, {}, *parse_timestamp("2030-01-03"), "three", false}, rows_of(synthetic_rows(3, 20, 60)));
        CHECK(tags_in_menu_order(again, {.at = *parse_timestamp("2030-01-01T12:00:00Z")}) == past);
        CHECK_THROWS_AS(writer.ingest({lab, {}, *parse_timestamp("2030-01-04"), "bad", false},
                                      rows_of("w_2030_01\tsha256:" + std::string(64, '1') + "\n" +
                                              "w_2030_01\tsha256:" + std::string(64, '2') + "\n")),
                        InputError);
    }
    again.ingest({lab, {}, *parse_timestamp("2030-01-03"), "three", false}, rows_of(synthetic_rows(3, 20, 60)));
    check_listing_is_fresh(path);
    CHECK(tags_in_menu_order(again, {.at = *parse_timestamp("2030-01-01T12:00:00Z")}) == past);
    const std::string digest = again.images({}).front().digest;
    CHECK(again.mark_seen(digest, "node", std::nullopt, *parse_timestamp("2030-01-04")));
    check_listing_is_fresh(path);
}

TEST_CASE("a change made in the shell is caught up the next time rspcat opens the catalog", "[listing]") {
    TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog(path).ingest({lab, {"recommended"}, *parse_timestamp("2030-01-01"), "one", false}, rows_of(synthetic_rows(1, 0, 30)));
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DELETE FROM images WHERE tag_id = (SELECT min(tag_id) FROM images)");
        REQUIRE(count(db, "SELECT count(*) FROM listing_stale") == 1);
    }
    {
        Catalog read_only(path, Catalog::Mode::read_only);  // cannot write: reads what is stored
        CHECK(SQLite::Database(path).execAndGet("SELECT count(*) FROM listing_stale").getInt() == 1);
    }
    Catalog catalog(path);
    check_listing_is_fresh(path);
}

TEST_CASE("a version 1 catalog is upgraded to version 2 with its listing filled", "[listing]") {
    TempDir dir;
    const std::string current = dir.file("current.db"), old = dir.file("old.db");
    {
        Catalog catalog(current);
        catalog.ingest({lab, {"recommended"}, *parse_timestamp("2030-01-01"), "one", false}, rows_of(synthetic_rows(1, 0, 60)));
        catalog.ingest({lab, {}, *parse_timestamp("2030-01-02"), "two", false}, rows_of(synthetic_rows(2, 20, 80)));
        REQUIRE(catalog.mark_seen(catalog.images({}).front().digest, "node", 7, *parse_timestamp("2030-01-03")));
    }
    {
        // A version 1 catalog with the same data: schema/001 alone, the tables copied over.
        SQLite::Database db(old, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(file_text(std::string(RSPCAT_SOURCE_DIR) + "/schema/001_catalog.sql"));
        db.exec("PRAGMA user_version = 1");
        db.exec("PRAGMA application_id = " + std::to_string(0x52535043));
        db.exec("ATTACH '" + current + "' AS current");
        for (const char* table :
             {"repositories", "alias_tags", "snapshots", "tags", "images", "tag_history", "node_presence"}) {
            // Schema 5 added columns to snapshots: only those that version 1 has.
            const std::string columns = std::string(table) == "snapshots"
                                            ? "id, repository_id, taken_at, ingested_at, kind, source, tag_count, added, "
                                              "moved, removed"
                                            : "*";
            db.exec(std::string("INSERT INTO main.") + table + " SELECT " + columns + " FROM current." + table);
        }
        db.exec("DETACH current");
        REQUIRE(count(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'listing'") == 0);
        // rsp_filter reads the stored listing: on version 1 it says how to get one.
        REQUIRE(rsp_register_sql(db.getHandle()) == 0);  // SQLITE_OK
        CHECK_THROWS_WITH(count(db, "SELECT count(*) FROM rsp_filter('{}')"),
                          Catch::Contains("schema version 1") && Catch::Contains("open it once with rspcat"));
    }
    Catalog upgraded(old);
    CHECK(SQLite::Database(old).execAndGet("PRAGMA user_version").getInt() == Catalog::schema_version());
    check_listing_is_fresh(old);
    Catalog reference(current);
    // The listing reads without trusting the schema: no JSON or extension function in its view.
    SQLite::Database plain(old, SQLite::OPEN_READONLY);
    plain.exec("PRAGMA trusted_schema = OFF");
    CHECK(count(plain, "SELECT count(*) FROM image_listing WHERE aliases <> '[]'") > 0);
    CHECK_THROWS_WITH(count(plain, "SELECT count(*) FROM listing_source"), Catch::Contains("unsafe use"));
    CHECK(tags_in_menu_order(upgraded, {}) == tags_in_menu_order(reference, {}));
    CHECK(upgraded.image_for_tag({}, "recommended")->alias_target == reference.image_for_tag({}, "recommended")->alias_target);
}

TEST_CASE("menu order is read from the listing's index, not sorted", "[listing]") {
    TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog(path).ingest({lab, {"recommended"}, *parse_timestamp("2030-01-01"), "one", false}, rows_of(synthetic_rows(1, 0, 30)));
    SQLite::Database db(path);
    for (const char* filter : {"", " AND +architecture IS NULL", " AND NOT is_aliased"}) {
        CAPTURE(filter);
        SQLite::Statement plan(db, std::string("EXPLAIN QUERY PLAN SELECT tag FROM listing WHERE repository_id = 1 "
                                               "AND scope_cycle IS NULL") + filter + " ORDER BY " + menu_order);
        std::string steps;
        while (plan.executeStep()) steps += plan.getColumn(3).getString() + "\n";
        CHECK(steps.find("listing_by_menu") != std::string::npos);
        CHECK(steps.find("TEMP B-TREE") == std::string::npos);
    }
}

namespace {

// A listing row of text values (nullopt for NULL), in image_row_columns order.
class TextRow : public ColumnValues {
   public:
    explicit TextRow(std::vector<std::optional<std::string>> values) : values_(std::move(values)) {}
    bool is_null(int c) const override { return !values_.at(static_cast<std::size_t>(c)); }
    std::int64_t integer(int c) const override { return std::stoll(*values_.at(static_cast<std::size_t>(c))); }
    std::string text(int c) const override { return *values_.at(static_cast<std::size_t>(c)); }

   private:
    std::vector<std::optional<std::string>> values_;
};

TextRow weekly_row(const std::string& date) {
    return TextRow({"w_2021_22", "Weekly", "Weekly 2021_22", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
                    std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt, date,
                    "docker.io", "lab", "sha256:1", "5", std::nullopt, "[]", "[\"n\"]"});
}

}  // namespace

TEST_CASE("listing rows: dates are read exactly, and a malformed one is an error that shows it", "[listing]") {
    const Image image = image_from_row(weekly_row("2021-06-03 00:00:00"));
    REQUIRE(image.tag.date);
    CHECK(format_date(*image.tag.date) == "2021-06-03 00:00:00");
    CHECK(image.size == 5);
    CHECK(image.nodes == std::vector<std::string>{"n"});
    for (const char* bad : {"", "2021", "2021-06", "2021/06/03", "x-06-03", "2021--06-03"}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH(image_from_row(weekly_row(bad)), Catch::Contains("malformed date '" + std::string(bad) + "'"));
    }
}

namespace {

// Every row of a listing or history file; the reader's errors propagate.
std::vector<std::string> read_tags(const std::string& text) {
    std::istringstream in(text);
    TsvListingReader reader(in, "t.tsv");
    std::vector<std::string> tags;
    if (!reader.is_history()) {
        while (auto row = reader.next_row()) tags.push_back(row->tag);
        return tags;
    }
    while (reader.next_snapshot()) {
        while (auto row = reader.next_row()) tags.push_back(row->tag);
    }
    return tags;
}

}  // namespace

TEST_CASE("TSV listings: empty lines are skipped, and a line of only spaces or tabs is an error", "[listing]") {
    const std::string d = "sha256:" + std::string(64, '1');
    // Issue 11, item 10: these were taken as blank lines, so a file of them was an empty snapshot.
    using Row = std::tuple<std::string, std::string>;
    auto [text, message] = GENERATE_COPY(table<std::string, std::string>({
        Row{"\t\t\n", "t.tsv:1: a line of only spaces or tabs"},
        Row{"\t\n\t\t\t\n", "t.tsv:1: a line of only spaces or tabs"},
        Row{"tag\tdigest\n \n", "t.tsv:2: a line of only spaces or tabs"},
        Row{"w_2021_22\t" + d + "\n\n \t \r\n", "t.tsv:3: a line of only spaces or tabs"},
        Row{"snapshot_at\ttag\tdigest\n2021-01-01\tw_2021_22\t" + d + "\n\t\n", "t.tsv:3: a line of only spaces or tabs"},
    }));
    CAPTURE(text);
    CHECK_THROWS_MATCHES(read_tags(text), InputError, Catch::Message(message + " (a blank line must be empty)"));

    // Truly empty lines (with or without CR) and comments, indented ones included, are skipped.
    CHECK(read_tags("\n\r\n# c\n \t# c\nw_2021_22\t" + d + "\n\n").size() == 1);
    CHECK(read_tags("\n\n\n").empty());
}

TEST_CASE("rspcat ingest refuses a file of tab-only lines and writes nothing", "[listing][cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    const std::string d = "sha256:" + std::string(64, '1');
    write_text(dir.file("one.tsv"), "w_2021_22\t" + d + "\n");
    write_text(dir.file("tabs.tsv"), "\t\t\n\t\t\n");
    const std::vector<std::string> ingest = {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab"};
    auto with = [&](std::vector<std::string> args, const std::string& file) {
        args.push_back(file);
        return args;
    };
    REQUIRE(run_rspcat(with(ingest, dir.file("one.tsv"))).exit_code == 0);
    const auto result = run_rspcat(with(ingest, dir.file("tabs.tsv")));
    CHECK(result.exit_code == 1);
    CHECK(result.err.find("tabs.tsv:1: a line of only spaces or tabs") != std::string::npos);
    // The tag is still there: the tab lines were not an empty snapshot that removed it.
    const auto images = run_rspcat({"--db", db, "images", "--format", "csv"});
    CHECK(images.out.find("\nw_2021_22,") != std::string::npos);
}
