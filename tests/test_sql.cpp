// The SQL surface in-process: registration through rsp_register_sql and loading rsp.so through
// sqlite3_load_extension, errors (registration failures among them), and the documented
// function list.
#include <sqlite3.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstring>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include "rspcat/sql.hpp"
#include "test_support.hpp"

namespace {

struct Db {
    sqlite3* handle = nullptr;
    Db() { REQUIRE(sqlite3_open(":memory:", &handle) == SQLITE_OK); }
    ~Db() { sqlite3_close(handle); }
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;
};

struct Result {
    int rc = SQLITE_OK;
    std::string text;  // first column of the first row, or the error message
    bool null = false;
};

Result query(sqlite3* db, const std::string& sql) {
    Result result;
    sqlite3_stmt* stmt = nullptr;
    result.rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    if (result.rc != SQLITE_OK) {
        result.text = sqlite3_errmsg(db);
        return result;
    }
    result.rc = sqlite3_step(stmt);
    if (result.rc == SQLITE_ROW) {
        result.null = sqlite3_column_type(stmt, 0) == SQLITE_NULL;
        if (const auto* text = sqlite3_column_text(stmt, 0)) {
            result.text.assign(reinterpret_cast<const char*>(text),
                               static_cast<std::size_t>(sqlite3_column_bytes(stmt, 0)));
        }
        result.rc = SQLITE_OK;
    } else if (result.rc == SQLITE_DONE) {
        result.rc = SQLITE_OK;
        result.null = true;
    } else {
        result.text = sqlite3_errmsg(db);
    }
    sqlite3_finalize(stmt);
    return result;
}

void load_extension(sqlite3* db) {
    REQUIRE(sqlite3_enable_load_extension(db, 1) == SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_load_extension(db, RSP_EXTENSION_PATH, nullptr, &error);
    INFO((error ? error : ""));
    sqlite3_free(error);
    REQUIRE(rc == SQLITE_OK);
}

// The function names that docs/sql.md documents: `## rsp_name(...)` headings.
std::set<std::string> documented_functions() {
    const std::string doc = rspcat::test::read_file(rspcat::test::source_path("docs/sql.md"));
    std::set<std::string> names;
    const std::regex heading(R"(\n## `?(rsp_[a-z_]+)\()");
    for (auto it = std::sregex_iterator(doc.begin(), doc.end(), heading); it != std::sregex_iterator(); ++it) {
        names.insert((*it)[1]);
    }
    return names;
}

}  // namespace

TEST_CASE("in-process registration and the loadable extension give the same answers", "[sql]") {
    Db in_process, loaded;
    REQUIRE(rsp_register_sql(in_process.handle) == SQLITE_OK);
    load_extension(loaded.handle);
    for (const char* sql : {
             "select rsp_parse_tag('w_2021_22_c0020.001_rsp19_foo-amd64')",
             "select rsp_alias_tag('recommended_c0027-arm64')",
             "select rsp_tag_display_name('exp_r22_0_0_rc1')",
             "select group_concat(t, ' ') from (select column1 as t from (values ('r21_0_1'), "
             "('w_2021_22'), ('recommended'), ('r22_0_0_rc1')) order by t collate rsp_tag desc)",
         }) {
        CAPTURE(sql);
        const Result a = query(in_process.handle, sql);
        const Result b = query(loaded.handle, sql);
        CHECK(a.rc == SQLITE_OK);
        CHECK(a.text == b.text);
    }
}

TEST_CASE("errors name the function and nothing throws into SQLite", "[sql]") {
    Db db;
    REQUIRE(rsp_register_sql(db.handle) == SQLITE_OK);
    for (const char* function : {"rsp_parse_tag", "rsp_alias_tag", "rsp_tag_type", "rsp_tag_display_name",
                                 "rsp_tag_version", "rsp_tag_date", "rsp_tag_cycle", "rsp_tag_cycle_build",
                                 "rsp_tag_rsp_build", "rsp_tag_architecture", "rsp_tag_extra", "rsp_tag_base",
                                 "rsp_tag_sort_key"}) {
        CAPTURE(function);
        const Result blob = query(db.handle, std::string("select ") + function + "(x'00')");
        CHECK(blob.rc == SQLITE_ERROR);
        CHECK(blob.text.rfind(std::string(function) + ":", 0) == 0);
        CHECK(query(db.handle, std::string("select ") + function + "(NULL)").null);
    }
    const Result bad = query(db.handle, "select rsp_semver_compare('1.0.0', 'one')");
    CHECK(bad.rc == SQLITE_ERROR);
    CHECK(bad.text == "rsp_semver_compare: 'one' is not a semantic version (MAJOR.MINOR.PATCH[-PRE][+BUILD])");
    CHECK(query(db.handle, "select rsp_tag_compare(x'00', 'a')").text.rfind("rsp_tag_compare:", 0) == 0);
}

TEST_CASE("pragma_function_list and pragma_module_list after .load match docs/sql.md", "[sql][docs]") {
    const auto documented = documented_functions();
    REQUIRE(documented.size() >= 15);
    // Ask the real shell, as an operator would.
    const std::string command = std::string(SQLITE3_SHELL) + " :memory: '.load " + RSP_EXTENSION_PATH +
                                "' \"select name from pragma_function_list where name like 'rsp%' union "
                                "select name from pragma_module_list where name like 'rsp%' order by 1\"";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    REQUIRE(pipe);
    std::set<std::string> listed;
    char line[256];
    while (std::fgets(line, sizeof line, pipe.get())) {
        std::string name(line);
        while (!name.empty() && (name.back() == '\n' || name.back() == '\r')) name.pop_back();
        listed.insert(name);
    }
    CHECK(listed == documented);
}

TEST_CASE("pure functions are deterministic and innocuous", "[sql]") {
    Db db;
    REQUIRE(rsp_register_sql(db.handle) == SQLITE_OK);
    const Result flags = query(db.handle,
                               "select count(*) from pragma_function_list where name like 'rsp%' "
                               "and (flags & 0x800) = 0x800 and (flags & 0x200000) = 0x200000");
    const Result all = query(db.handle, "select count(*) from pragma_function_list where name like 'rsp%'");
    CHECK(flags.text == all.text);
    CHECK(query(db.handle, "select count(*) from pragma_collation_list where name = 'rsp_tag'").text == "1");
    // Usable in an index on an expression, which requires determinism.
    REQUIRE(query(db.handle, "create table t(tag text)").rc == SQLITE_OK);
    CHECK(query(db.handle, "create index i on t(rsp_tag_type(tag))").rc == SQLITE_OK);
    CHECK(query(db.handle, "select count(*) from sqlite_schema where name = 'i'").text == "1");
}

namespace {

// A statement that has stepped once and is not done: SQLite refuses to replace a function or a
// collation on the connection while it runs.
struct RunningStatement {
    sqlite3_stmt* stmt = nullptr;
    explicit RunningStatement(sqlite3* db) {
        REQUIRE(sqlite3_prepare_v2(db, "select 1 union all select 2", -1, &stmt, nullptr) == SQLITE_OK);
        REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
    }
    ~RunningStatement() { sqlite3_finalize(stmt); }
    RunningStatement(const RunningStatement&) = delete;
    RunningStatement& operator=(const RunningStatement&) = delete;
};

int byte_order(void*, int na, const void* a, int nb, const void* b) {
    const int c = std::memcmp(a, b, static_cast<std::size_t>(std::min(na, nb)));
    return c != 0 ? c : na - nb;
}

}  // namespace

TEST_CASE("rsp_register_sql_v2 names the registration that failed", "[sql]") {
    Db db;
    // A collation of the user's own named rsp_tag, which rsp_register_sql_v2 then cannot replace:
    // every function before the collation registers, the collation fails.
    REQUIRE(sqlite3_create_collation_v2(db.handle, "rsp_tag", SQLITE_UTF8, nullptr, byte_order, nullptr) ==
            SQLITE_OK);
    {
        RunningStatement running(db.handle);
        const char* failed = nullptr;
        CHECK(rsp_register_sql_v2(db.handle, &failed) == SQLITE_BUSY);
        REQUIRE(failed != nullptr);
        CHECK(std::string(failed) == "rsp_tag");
        CHECK(std::string(sqlite3_errmsg(db.handle)).find("collation") != std::string::npos);
        CHECK(rsp_register_sql_v2(db.handle, nullptr) == SQLITE_BUSY);  // `failed` may be null
    }
    const char* failed = nullptr;
    CHECK(rsp_register_sql_v2(db.handle, &failed) == SQLITE_OK);
    CHECK(failed == nullptr);  // untouched on success
    CHECK(query(db.handle, "select rsp_tag_type('w_2026_32')").text == "Weekly");
}

TEST_CASE("a failed load of rsp.so says what failed", "[sql]") {
    // SQLITE_LIMIT_FUNCTION_ARG does not make registration fail (SQLite checks it when a call is
    // prepared), but loading the extension a second time while a statement runs does: the first
    // function cannot be replaced then.
    Db db;
    load_extension(db.handle);
    {
        RunningStatement running(db.handle);
        char* error = nullptr;
        CHECK(sqlite3_load_extension(db.handle, RSP_EXTENSION_PATH, nullptr, &error) == SQLITE_ERROR);
        REQUIRE(error != nullptr);
        CHECK(std::string(error) ==
              "error during initialization: rsp: cannot register rsp_parse_tag: "
              "unable to delete/modify user-function due to active statements");
        sqlite3_free(error);
    }
    // What the first load registered still works.
    CHECK(query(db.handle, "select rsp_tag_type('w_2026_32')").text == "Weekly");
}

TEST_CASE("functions that a failed load registered keep working", "[sql]") {
    // The collation fails to register, after every function has: SQLite unloads rsp.so when the
    // init fails, but the functions stay registered and point into it.
    Db db;
    REQUIRE(sqlite3_enable_load_extension(db.handle, 1) == SQLITE_OK);
    REQUIRE(sqlite3_create_collation_v2(db.handle, "rsp_tag", SQLITE_UTF8, nullptr, byte_order, nullptr) ==
            SQLITE_OK);
    {
        RunningStatement running(db.handle);
        char* error = nullptr;
        CHECK(sqlite3_load_extension(db.handle, RSP_EXTENSION_PATH, nullptr, &error) == SQLITE_ERROR);
        REQUIRE(error != nullptr);
        CHECK(std::string(error).find("rsp: cannot register rsp_tag: ") != std::string::npos);
        sqlite3_free(error);
    }
    CHECK(query(db.handle, "select rsp_tag_type('w_2026_32')").text == "Weekly");
}
