// Facts of the catalog's schema that are written more than once, tied together.
//
// Menu order is written in several places that cannot share one definition: tag.cpp's comparison
// (C++), the frozen schema's views menu_images (schema/001) and image_listing (schema/002) and its
// index listing_by_menu (002), and `menu_order`, the ORDER BY terms of rspcat's own queries and of
// rsp_filter(). schema/current.sql restates what the migrations make (the test schema-current
// checks its text; here, that the stock shell makes a catalog with it).
#include <SQLiteCpp/SQLiteCpp.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_support.hpp"
#include "image_row.hpp"
#include "rspcat/catalog.hpp"
#include "rspcat/tag.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat;
using namespace rspcat::test;

namespace {

// Whitespace runs as one space, none at either end.
std::string squeeze(const std::string& text) {
    std::istringstream words(text);
    std::string word, out;
    while (words >> word) out += (out.empty() ? "" : " ") + word;
    return out;
}

// The comma-separated terms of an ORDER BY or index column list (no parentheses within a term).
std::vector<std::string> terms_of(const std::string& list) {
    std::vector<std::string> terms;
    std::istringstream in(list);
    for (std::string term; std::getline(in, term, ',');) terms.push_back(squeeze(term));
    return terms;
}

}  // namespace

TEST_CASE("menu_order is exactly the terms of the index listing_by_menu and of the ranking views", "[listing][order]") {
    TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog{path};  // a new catalog: the shipped schema, nothing else
    SQLite::Database db(path);
    const std::string sql = db.execAndGet("SELECT sql FROM sqlite_schema WHERE name = 'listing_by_menu'").getString();
    const auto open = sql.find('('), close = sql.rfind(')');
    REQUIRE(open != std::string::npos);
    REQUIRE(close > open);
    std::vector<std::string> index = terms_of(sql.substr(open + 1, close - open - 1));

    // SQLite's own reading of the index agrees with the text: one key per term, a plain column's
    // name where the term is one, and DESC where the term says so.
    SQLite::Statement info(db, "SELECT name, desc FROM pragma_index_xinfo('listing_by_menu') WHERE key");
    std::size_t key = 0;
    while (info.executeStep()) {
        REQUIRE(key < index.size());
        const std::string& term = index[key++];
        CAPTURE(term);
        const bool desc = term.size() > 5 && term.compare(term.size() - 5, 5, " DESC") == 0;
        CHECK(info.getColumn(1).getInt() == (desc ? 1 : 0));
        if (!info.getColumn(0).isNull()) CHECK(term.substr(0, term.find(' ')) == info.getColumn(0).getString());
    }
    CHECK(key == index.size());

    // The collection first (repository and cycle: what every query fixes), then menu order.
    REQUIRE(index.size() > 2);
    CHECK(index[0] == "repository_id");
    CHECK(index[1] == "scope_cycle");
    index.erase(index.begin(), index.begin() + 2);
    CHECK(terms_of(menu_order) == index);

    // The views that rank the menu in SQL (the shell's way to menu order) say the same terms.
    for (const char* view : {"menu_images", "image_listing"}) {
        CAPTURE(view);
        const std::string text = db.execAndGet(std::string("SELECT sql FROM sqlite_schema WHERE name = '") + view + "'").getString();
        const std::string partition = "PARTITION BY repository_id, scope_cycle", order_by = "ORDER BY";
        const auto window = text.find(partition);
        REQUIRE(window != std::string::npos);
        const auto from = text.find(order_by, window + partition.size()), to = text.find(')', window);
        REQUIRE(from < to);
        CHECK(terms_of(text.substr(from + order_by.size(), to - from - order_by.size())) == terms_of(menu_order));
    }
}

namespace {

// The set's tags that a registry could list: a catalog refuses the others (77 of the 200 sets
// hold some, such as `r39_9_17_rc6_(x)`), while their order is checked without a catalog by
// tests/sql/vectors_order.sql. Leaving tags out of a sorted list keeps the rest in order.
std::vector<std::string> docker_tags(const json& set) {
    std::vector<std::string> tags;
    for (const std::string tag : set.at("tags")) {
        if (is_docker_tag(tag)) tags.push_back(tag);
    }
    return tags;
}

}  // namespace

TEST_CASE("the schema's menu order sorts order.json's sets as tag.cpp's comparison does", "[vectors][order][listing]") {
    const json order = json::parse(read_file(vectors_path("order.json")));
    const auto& sets = order.at("sets");
    REQUIRE(sets.size() >= 200);
    TempDir dir;
    const std::string path = dir.file("c.db");
    {
        // One repository per set, one digest per tag: no two images share a group, so no alias
        // resolution changes a type, and each image has its tag's grammar parse.
        Catalog catalog(path);
        Catalog::Writer writer = catalog.writer();
        int digest = 0;
        for (std::size_t i = 0; i < sets.size(); ++i) {
            std::vector<ListingRow> rows;
            for (const std::string& tag : docker_tags(sets[i])) {
                char hex[65];
                std::snprintf(hex, sizeof hex, "%064x", ++digest);
                rows.push_back({tag, std::string("sha256:") + hex, std::nullopt, rows.size() + 1});
            }
            auto next = std::make_shared<std::size_t>(0);
            writer.ingest({{"example.org", "set" + std::to_string(i)}, {}, *parse_timestamp("2030-01-01"), "set", false},
                          [&rows, next]() -> std::optional<ListingRow> {
                              if (*next == rows.size()) return std::nullopt;
                              return rows[(*next)++];
                          });
        }
        writer.commit();
    }
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    // Each copy of menu order in SQL, over one collection (?1: its repository's id).
    const std::vector<std::pair<const char*, std::string>> copies = {
        {"menu_images (schema/001)",
         "SELECT tag FROM menu_images WHERE repository_id = ?1 AND scope_cycle IS NULL ORDER BY menu_rank"},
        {"image_listing (schema/002)",
         "SELECT tag FROM image_listing WHERE repository_id = ?1 AND scope_cycle IS NULL ORDER BY menu_rank"},
        {"menu_order over listing",
         std::string("SELECT tag FROM listing WHERE repository_id = ?1 AND scope_cycle IS NULL ORDER BY ") + menu_order},
    };
    SQLite::Statement id(db, "SELECT id FROM repositories WHERE repository = ?");
    for (std::size_t i = 0; i < sets.size(); ++i) {
        std::vector<std::string> expected = docker_tags(sets[i]);
        std::sort(expected.begin(), expected.end(), [](const std::string& a, const std::string& b) {
            return collate_tags(parse_tag(a), parse_tag(b)) > 0;
        });
        CAPTURE(sets[i].at("tags").dump());
        id.reset();
        id.bind(1, "set" + std::to_string(i));
        REQUIRE(id.executeStep());
        for (const auto& [name, sql] : copies) {
            CAPTURE(name);
            SQLite::Statement s(db, sql);
            s.bind(1, id.getColumn(0).getInt64());
            std::vector<std::string> tags;
            while (s.executeStep()) tags.push_back(s.getColumn(0).getString());
            CHECK(tags == expected);
        }
    }
}

TEST_CASE("schema/current.sql run in the stock shell makes the catalog that rspcat makes", "[catalog]") {
    TempDir dir;
    const std::string made = dir.file("made.db"), reference = dir.file("reference.db");
    const auto shell = run_command(SQLITE3_SHELL, {"-batch", "-bail", made}, source_path("schema/current.sql"));
    INFO(shell.err);
    REQUIRE(shell.exit_code == 0);
    CHECK(shell.out == "wal\n");
    Catalog{reference};
    auto facts = [](const std::string& path) {
        SQLite::Database db(path, SQLite::OPEN_READONLY);
        std::vector<std::string> facts;
        for (const char* pragma : {"journal_mode", "application_id", "user_version"}) {
            facts.push_back(pragma + (" " + db.execAndGet(std::string("PRAGMA ") + pragma).getString()));
        }
        SQLite::Statement s(db, "SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name");
        while (s.executeStep()) {
            facts.push_back(s.getColumn(0).getString() + " " + s.getColumn(1).getString() + " on " +
                            s.getColumn(2).getString() + ": " + s.getColumn(3).getString());
        }
        return facts;
    };
    CHECK(facts(made) == facts(reference));
    // Opened read-only, which refuses a catalog that would need an upgrade; then written to.
    CHECK(Catalog(made, Catalog::Mode::read_only).repositories().empty());
    Catalog catalog(made);
    std::vector<ListingRow> rows = {{"w_2021_22", "sha256:" + std::string(64, '1'), 5, 1}};
    catalog.ingest({{"example.org", "lab"}, {}, *parse_timestamp("2030-01-01"), "one", false},
                   [&rows]() -> std::optional<ListingRow> {
                       if (rows.empty()) return std::nullopt;
                       ListingRow row = rows.back();
                       rows.pop_back();
                       return row;
                   });
    CHECK(catalog.images({}).size() == 1);
}
