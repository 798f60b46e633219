// rsp_tag_sort_key(): its bytes sort as the rsp_tag collation does, over the ordering vectors
// whole and every pair of vector tags, and it can back an index that ORDER BY uses.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "rspcat/sql.hpp"
#include "rspcat/tag.hpp"
#include "test_support.hpp"

using nlohmann::json;
using rspcat::test::read_file;
using rspcat::test::read_lines;
using rspcat::test::vectors_path;

namespace {

int sign(int c) { return (c > 0) - (c < 0); }

int key_order(const std::string& a, const std::string& b) {
    const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    return c != 0 ? sign(c) : sign(static_cast<int>(a.size() > b.size()) - static_cast<int>(a.size() < b.size()));
}

struct Db {
    sqlite3* handle = nullptr;
    Db() {
        REQUIRE(sqlite3_open(":memory:", &handle) == SQLITE_OK);
        REQUIRE(rsp_register_sql(handle) == SQLITE_OK);
    }
    ~Db() { sqlite3_close(handle); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    void exec(const std::string& sql) {
        char* error = nullptr;
        const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
        INFO(sql << ": " << (error ? error : ""));
        sqlite3_free(error);
        REQUIRE(rc == SQLITE_OK);
    }

    // Every row of column `column`, as bytes; NULL as "<null>".
    std::vector<std::string> column(const std::string& sql, int column = 0) {
        sqlite3_stmt* stmt = nullptr;
        INFO(sql);
        REQUIRE(sqlite3_prepare_v2(handle, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
        std::vector<std::string> rows;
        int rc;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            if (sqlite3_column_type(stmt, column) == SQLITE_NULL) {
                rows.emplace_back("<null>");
                continue;
            }
            const auto* bytes = static_cast<const char*>(sqlite3_column_blob(stmt, column));
            rows.emplace_back(bytes ? bytes : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
        }
        INFO(sqlite3_errmsg(handle));
        CHECK(rc == SQLITE_DONE);
        sqlite3_finalize(stmt);
        return rows;
    }

    void insert_tags(const std::vector<std::string>& tags) {
        sqlite3_stmt* stmt = nullptr;
        REQUIRE(sqlite3_prepare_v2(handle, "insert into t(tag) values (?)", -1, &stmt, nullptr) == SQLITE_OK);
        for (const auto& tag : tags) {
            sqlite3_bind_text64(stmt, 1, tag.data(), tag.size(), SQLITE_STATIC, SQLITE_UTF8);
            REQUIRE(sqlite3_step(stmt) == SQLITE_DONE);
            sqlite3_reset(stmt);
        }
        sqlite3_finalize(stmt);
    }
};

// Every distinct tag of the vectors: tags.jsonl and every tag of order.json.
std::vector<std::string> vector_tags() {
    std::set<std::string> tags;
    for (const auto& line : read_lines(vectors_path("tags.jsonl"))) tags.insert(json::parse(line).at("tag"));
    const json order = json::parse(read_file(vectors_path("order.json")));
    for (const auto& pair : order.at("pairs")) {
        tags.insert(pair.at("a").get<std::string>());
        tags.insert(pair.at("b").get<std::string>());
    }
    for (const auto& set : order.at("sets")) {
        for (const auto& tag : set.at("tags")) tags.insert(tag.get<std::string>());
    }
    return {tags.begin(), tags.end()};
}

}  // namespace

TEST_CASE("ORDER BY rsp_tag_sort_key DESC sorts every set of order.json as COLLATE rsp_tag DESC", "[sql][order]") {
    const json order = json::parse(read_file(vectors_path("order.json")));
    const auto& sets = order.at("sets");
    REQUIRE(sets.size() >= 200);
    Db db;
    db.exec("create table t(tag text)");
    for (const auto& set : sets) {
        const std::vector<std::string> tags = set.at("tags");
        const std::vector<std::string> menu = set.at("desc");
        db.exec("delete from t");
        db.insert_tags(tags);
        const auto by_key = db.column("select tag from t order by rsp_tag_sort_key(tag) desc");
        const auto by_collation = db.column("select tag from t order by tag collate rsp_tag desc");
        CAPTURE(set.at("tags").dump());
        CHECK(by_key == by_collation);
        CHECK(by_key == menu);
    }
}

TEST_CASE("rsp_tag_sort_key orders every pair of vector tags as the collation does", "[sql][order]") {
    const auto tags = vector_tags();
    REQUIRE(tags.size() >= 3000);
    Db db;
    db.exec("create table t(tag text)");
    db.insert_tags(tags);
    // The keys from SQL, in the order SQLite's own collation sorts the tags.
    const auto sorted = db.column("select tag from t order by tag collate rsp_tag");
    const auto keys = db.column("select rsp_tag_sort_key(tag) from t order by tag collate rsp_tag");
    REQUIRE(sorted.size() == tags.size());
    REQUIRE(keys.size() == tags.size());
    // The collation sorted them, so every pair (i < j) must have key i < key j: checked in full,
    // and against the core's collate_tags with the collation's raw-bytes tie-break, each pair
    // both ways.
    std::vector<rspcat::TagView> views;
    views.reserve(sorted.size());
    for (const auto& tag : sorted) views.push_back(rspcat::parse_tag_view(tag));
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        CHECK(keys[i] == rspcat::tag_sort_key(sorted[i]));
        for (std::size_t j = i + 1; j < keys.size(); ++j) {
            int collation = rspcat::collate_tags(views[i], views[j]);
            if (collation == 0) collation = sign(sorted[i].compare(sorted[j]));
            if (collation != -1 || key_order(keys[i], keys[j]) != -1 || key_order(keys[j], keys[i]) != 1) {
                if (++wrong <= 10) {
                    CAPTURE(sorted[i], sorted[j], collation);
                    CHECK(key_order(keys[i], keys[j]) == collation);
                }
            }
        }
    }
    CHECK(wrong == 0);
}

TEST_CASE("rsp_tag_sort_key keeps the collation's ties and tie-breaks", "[sql][order]") {
    using rspcat::tag_sort_key;
    // Equal under rsp_tag_compare, told apart by their bytes as the collation does.
    CHECK(tag_sort_key("w_2024_10_c0038.005") != tag_sort_key("w_2024_10_c38.5"));
    CHECK(key_order(tag_sort_key("w_2024_10_c0038.005"), tag_sort_key("w_2024_10_c38.5")) == -1);
    // '' and `latest` parse alike; the raw bytes put '' first.
    CHECK(key_order(tag_sort_key(""), tag_sort_key("latest")) == -1);
    // Embedded NUL bytes and prefixes.
    CHECK(key_order(tag_sort_key("abc"), tag_sort_key(std::string("abc\0", 4))) == -1);
    CHECK(key_order(tag_sort_key(std::string("ab\0c", 4)), tag_sort_key("ab\x01")) == -1);
    Db db;
    for (const char* sql : {
             "select rsp_tag_sort_key(NULL) is null",
             "select typeof(rsp_tag_sort_key('w_2021_22')) = 'blob'",
             "select rsp_tag_sort_key(170) = rsp_tag_sort_key('170')",
             "select rsp_tag_sort_key('r22_0_1') > rsp_tag_sort_key('r22_0_1_rc1')",
             "select rsp_tag_sort_key('w_2021_22') > rsp_tag_sort_key('w_2021_22-amd64')",
             "select rsp_tag_sort_key('r22_0_1') > rsp_tag_sort_key('w_2030_01')",
         }) {
        CAPTURE(sql);
        CHECK(db.column(sql) == std::vector<std::string>{"1"});
    }
    sqlite3_stmt* stmt = nullptr;
    REQUIRE(sqlite3_prepare_v2(db.handle, "select rsp_tag_sort_key(x'00')", -1, &stmt, nullptr) == SQLITE_OK);
    CHECK(sqlite3_step(stmt) == SQLITE_ERROR);
    CHECK(std::string(sqlite3_errmsg(db.handle)).rfind("rsp_tag_sort_key: ", 0) == 0);
    sqlite3_finalize(stmt);
}

TEST_CASE("sort keys of parses the grammar does not make still sort as collate_tags", "[tags][order]") {
    // Negative numbers and prerelease lists of any bytes: the encodings hold beyond tag text.
    std::vector<rspcat::TagView> views;
    constexpr auto min = std::numeric_limits<std::int64_t>::min();
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    for (const std::int64_t cycle : {min, min + 1, std::int64_t{-65536}, std::int64_t{-256}, std::int64_t{-255},
                                     std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, std::int64_t{255},
                                     std::int64_t{256}, max - 1, max}) {
        rspcat::TagView view;
        view.tag = "t";
        view.base = "b";
        view.cycle = rspcat::TagNumber{cycle, {}};
        views.push_back(view);
    }
    static const std::string prereleases[] = {"", "0", "00", "1", "01", "9", "10", "99999999999999999999999", "a",
                                              "a.", "a.0", "a.b", "a.1", std::string("a\0", 2),
                                              std::string("a\0\x01", 3), "a-", "rc1", "rc10", "rc2", ".", "1.a"};
    for (const auto& prerelease : prereleases) {
        rspcat::TagView view;
        view.tag = "r";
        view.type = rspcat::ImageType::candidate;
        view.version = rspcat::TagVersion{{1, {}}, {0, {}}, {0, {}}, prerelease};
        views.push_back(view);
    }
    for (const auto& a : views) {
        for (const auto& b : views) {
            std::string ka, kb;
            rspcat::append_sort_key(ka, a);
            rspcat::append_sort_key(kb, b);
            CAPTURE(a.cycle ? a.cycle->value : 0, b.cycle ? b.cycle->value : 0,
                    std::string(a.version ? a.version->prerelease.value_or("") : ""),
                    std::string(b.version ? b.version->prerelease.value_or("") : ""));
            CHECK(key_order(ka, kb) == rspcat::collate_tags(a, b));
        }
    }
}

TEST_CASE("an index on rsp_tag_sort_key serves ORDER BY", "[sql]") {
    Db db;
    db.exec("pragma trusted_schema = off");  // innocuous: allowed in the schema all the same
    db.exec("create table t(tag text)");
    db.insert_tags({"r22_0_1", "w_2021_22-amd64", "recommended", "w_2021_22", "d_2021_05_27", "r23_0_0_rc1",
                    "exp_random", ""});
    db.exec("create index t_key on t(rsp_tag_sort_key(tag))");
    const auto plan = db.column("explain query plan select tag from t order by rsp_tag_sort_key(tag) desc", 3);
    REQUIRE(plan.size() == 1);
    CHECK(plan[0].find("USING INDEX t_key") != std::string::npos);
    CHECK(db.column("select tag from t order by rsp_tag_sort_key(tag) desc") ==
          db.column("select tag from t order by tag collate rsp_tag desc"));

    // A stored generated column with an index of its own.
    db.exec("create table g(tag text, k blob generated always as (rsp_tag_sort_key(tag)) stored)");
    db.exec("create index g_k on g(k)");
    db.exec("insert into g(tag) select tag from t");
    const auto stored_plan = db.column("explain query plan select tag from g order by k desc", 3);
    REQUIRE(stored_plan.size() == 1);
    CHECK(stored_plan[0].find("USING INDEX g_k") != std::string::npos);
    CHECK(db.column("select tag from g order by k desc") ==
          db.column("select tag from t order by tag collate rsp_tag desc"));
}
