// Hostile input everywhere rspcat takes input: listings holding NUL bytes, invalid UTF-8, huge
// lines and binary garbage; command-line values of the same kind; SQL text in names; catalogs
// that cannot be written; views over the extension with PRAGMA trusted_schema=OFF. The SQL
// functions' side is tests/sql/functions_hostile.sql.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "rspcat/sql.hpp"
#include "rspcat/catalog.hpp"

using nlohmann::json;
using namespace rspcat;
using namespace rspcat::test;

namespace {

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');

std::vector<std::string> ingest_args(const std::string& db, const std::string& file) {
    return {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", "--alias", "recommended", file};
}

std::string dump(const std::string& db) {
    const auto result = run_command(SQLITE3_SHELL, {db, ".dump"});
    REQUIRE(result.exit_code == 0);
    return result.out;
}

// Runs one SQL statement on `db`; the first column of the first row, or the error message.
std::string query(sqlite3* db, const std::string& sql, int* rc_out = nullptr) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
    std::string result;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
            result = text ? text : "NULL";
            rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE) {
            rc = SQLITE_OK;
        }
    }
    if (rc != SQLITE_OK) result = sqlite3_errmsg(db);
    sqlite3_finalize(stmt);
    if (rc_out) *rc_out = rc;
    return result;
}

}  // namespace

TEST_CASE("hostile listings are refused with a short message and change nothing", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("good.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    REQUIRE(run_rspcat(ingest_args(db, dir.file("good.tsv"))).exit_code == 0);
    const std::string before = dump(db);

    std::mt19937 random(7);
    std::string garbage(1 << 16, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    struct Bad {
        std::string name, text, message;
    };
    for (const Bad& bad : std::vector<Bad>{
             {"nul-tag.tsv", std::string("w_2021\0_23\t", 11) + d2 + "\n", "tag 'w_2021?_23' is not a Docker tag"},
             {"utf8-tag.tsv", "w_2021_\xff\xfe\t" + d2 + "\n", "is not a Docker tag"},
             {"nul-digest.tsv", "w_2021_23\t" + d2.substr(0, 20) + std::string(1, '\0') + d2.substr(21) + "\n",
              "is not sha256: followed by 64 lower-case hex digits"},
             {"nul-size.tsv", "w_2021_23\t" + d2 + "\t1" + std::string(1, '\0') + "2\n", "size '1?2' is not a whole number"},
             {"huge-line.tsv", std::string(10 << 20, 'a') + "\t" + d2 + "\n", "is not a Docker tag"},
             {"huge-size.tsv", "w_2021_23\t" + d2 + "\t99999999999999999999\n", "is not a whole number of bytes"},
             {"many-fields.tsv", "w_2021_23" + std::string(100000, '\t') + "\n", "found 100001 fields"},
             {"garbage.tsv", garbage, "garbage.tsv:"},
             {"cr-only.tsv", "w_2021_23\t" + d2 + "\rw_2021_24\t" + d2 + "\r", "is not sha256"},
         }) {
        CAPTURE(bad.name);
        write_text(dir.file(bad.name), bad.text);
        const auto result = run_rspcat(ingest_args(db, dir.file(bad.name)));
        CHECK(result.exit_code == 1);
        CHECK(result.err.find(bad.message) != std::string::npos);
        CHECK(result.err.find("nothing was written") != std::string::npos);
        CHECK(result.err.size() < 400);  // a 10 MB value is not echoed back whole
        CHECK(dump(db) == before);
    }
}

TEST_CASE("hostile JSON listings are refused with a short message and change nothing", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("good.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    REQUIRE(run_rspcat(ingest_args(db, dir.file("good.tsv"))).exit_code == 0);
    const std::string before = dump(db);
    std::mt19937 random(13);
    std::string garbage(1 << 16, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    for (const char* format : {"gar", "gcloud", "docker-json"}) {
        for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
                 {"deep.json", std::string(100000, '[') + std::string(100000, ']')},
                 {"deep-object.json", "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}"},
                 {"nul.json", std::string("{\"w_2021\0_23\": \"", 17) + d2 + "\"}"},
                 {"utf8.json", "{\"w_\xff\": \"" + d2 + "\"}"},
                 {"huge.json", "[{\"uri\": \"" + std::string(1 << 20, 'u') + "\", \"tags\": [\"x\"]}]"},
                 {"garbage.json", garbage},
                 // Found by fuzz_json_listing: a number too large for a double escaped as
                 // nlohmann's out_of_range, not an InputError.
                 {"overflow.json", "[{\"uri\": \"x\", \"image_size_bytes\": 29e8456}]"},
                 {"overflow-object.json", "{\"a\": 1e99999}"},
             }) {
            CAPTURE(format, name);
            write_text(dir.file(name), text);
            auto args = ingest_args(db, dir.file(name));
            args.insert(args.end() - 1, {"--format", format});
            const auto result = run_rspcat(args);
            CHECK(result.exit_code == 1);
            CHECK(result.err.find(name) != std::string::npos);
            CHECK(result.err.size() < 600);
            CHECK(dump(db) == before);
        }
    }
}

TEST_CASE("hostile command-line values", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("good.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    // Names are values, bound as such: SQL in them is just text. `ingest` refuses them (a registry
    // is HOST[:PORT], a repository follows Docker's grammar); queries look them up and find nothing.
    const std::string registry = "x'); DROP TABLE images; --", repository = "lab\"; DELETE FROM tags; --";
    const auto refused = run_rspcat({"--db", db, "ingest", "--registry", registry, "--repository", "lab", "--alias",
                                     "recommended", dir.file("good.tsv")});
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("is not a registry's HOST[:PORT]") != std::string::npos);
    CHECK(run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", repository, "--alias",
                      "recommended", dir.file("good.tsv")})
              .exit_code == 2);
    CHECK_FALSE(std::filesystem::exists(db));
    REQUIRE(run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", "--alias",
                        "recommended", dir.file("good.tsv")})
                .exit_code == 0);
    const auto unknown = run_rspcat({"--db", db, "images", "--registry", registry, "--repository", repository});
    CHECK(unknown.exit_code == 1);
    CHECK(unknown.err.find("has no repository " + registry + "/" + repository) != std::string::npos);
    const auto listed = run_rspcat({"--db", db, "images", "--format", "json"});
    REQUIRE(listed.exit_code == 0);
    const json images = json::parse(listed.out);
    REQUIRE(images.size() == 2);
    CHECK(images[0].at("reference") == "example.org/lab:recommended");

    // Nodes are free text: invalid UTF-8 and a huge name are stored, and listings stay valid JSON.
    const std::string odd_node = "node-\xff\xfe-\xc3\xa9";
    REQUIRE(run_rspcat({"--db", db, "seen", d1, odd_node}).exit_code == 0);
    REQUIRE(run_rspcat({"--db", db, "seen", d1, std::string(100000, 'n')}).exit_code == 0);
    const auto shown = run_rspcat({"--db", db, "show", "w_2021_22", "--format", "json"});
    INFO(shown.err);
    REQUIRE(shown.exit_code == 0);
    const json image = json::parse(shown.out);
    CHECK(image.at("nodes").size() == 2);
    CHECK(image.at("nodes")[1] == "node-\xef\xbf\xbd\xef\xbf\xbd-\xc3\xa9");  // JSON shows U+FFFD
    CHECK(run_rspcat({"--db", db, "images", "--format", "csv"}).exit_code == 0);
    CHECK(run_rspcat({"--db", db, "images"}).exit_code == 0);

    // Tags and other values that cannot exist (100 kB: the most one argument may hold on Linux).
    for (const std::string& tag : {std::string("w_\xff"), std::string(100000, 'w'), std::string("' OR 1=1 --")}) {
        const auto result = run_rspcat({"--db", db, "show", tag});
        CHECK(result.exit_code == 1);
        CHECK(result.err.find("no image with tag") != std::string::npos);
    }
    const auto alias = run_rspcat(
        {"--db", db, "ingest", "--registry", "r", "--repository", "p", "--alias", "bad\xff", dir.file("good.tsv")});
    CHECK(alias.exit_code == 1);
    CHECK(alias.err.find("is not a Docker tag") != std::string::npos);
    const auto parsed = run_rspcat({"parse", "w_2021_22_\xff-amd64", std::string(100000, 'x'), "--format", "json"});
    REQUIRE(parsed.exit_code == 0);
    const json tags = json::parse(parsed.out);
    CHECK(tags[0].at("extra") == "\xef\xbf\xbd");
    CHECK(run_rspcat({"--db", db, "subset", "--include", "w_\xff", "--include", "w_2021_22"}).exit_code == 0);
    CHECK(run_rspcat({"--db", db, "images", "--cycle", "99999999999999999999999"}).exit_code == 2);
    CHECK(run_rspcat({"--db", db, "images", "--cycle", "-1"}).exit_code == 2);
    // CLI11 alone read a number too large for 64 bits as the largest one, and `010` as 8.
    CHECK(run_rspcat({"--db", db, "images", "--cycle", "9223372036854775808"}).exit_code == 2);
    CHECK(run_rspcat({"--db", db, "images", "--cycle", "0009223372036854775807"}).exit_code == 0);
    CHECK(run_rspcat({"--db", db, "subset", "--weeklies", "010"}).exit_code == 0);
    const std::string cycles = dir.file("cycles.db");
    write_text(dir.file("cycle.tsv"), "w_2021_22_c0010.001\t" + d1 + "\n");
    REQUIRE(run_rspcat({"--db", cycles, "ingest", "--registry", "r", "--repository", "p", dir.file("cycle.tsv")}).exit_code == 0);
    const auto cycle10 = run_rspcat({"--db", cycles, "images", "--cycle", "0010", "--format", "json"});
    REQUIRE(cycle10.exit_code == 0);
    CHECK(json::parse(cycle10.out).size() == 1);
    const auto size = run_rspcat({"--db", db, "seen", d1, "n", "--size", "99999999999999999999999"});
    CHECK(size.exit_code == 2);
    CHECK(size.err.find("is too large") != std::string::npos);
}

TEST_CASE("hostile policy files are refused with a message that names them", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("good.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    REQUIRE(run_rspcat(ingest_args(db, dir.file("good.tsv"))).exit_code == 0);
    // "Billion laughs": 40 levels of aliases, each doubling the one before.
    std::string laughs = "l0: &l0 [lol, lol]\n";
    for (int i = 1; i < 40; ++i) {
        laughs += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [*l" + std::to_string(i - 1) + ", *l" +
                  std::to_string(i - 1) + "]\n";
    }
    std::mt19937 random(11);
    std::string garbage(1 << 16, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    struct Bad {
        std::string name, text;
    };
    for (const Bad& bad : std::vector<Bad>{
             {"nul.json", std::string("{\"weekly\": {\"number\": 2\0}}", 24)},
             {"nul-key.yaml", std::string("weekly:\n  num\0ber: 2\n", 21)},
             {"utf8.json", "{\"weekly\": {\"age\": \"3\xff\"}}"},
             {"utf8.yaml", "weekly:\n  cutoffVersion: \"1.\xfe.0\"\n"},
             {"huge.json", "{\"weekly\": {\"number\": " + std::string(1 << 20, '9') + "}}"},
             {"deep.yaml", std::string(100000, '[') + std::string(100000, ']')},
             {"deep.json", std::string(100000, '[') + std::string(100000, ']')},
             {"anchors.yaml", "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: [*c, *c]\nweekly: {number: -1}\n"},
             {"laughs.yaml", laughs},
             // Found by fuzz_policy: a mapping as a key threw yaml-cpp's BadConversion.
             {"key.yaml", "{!\"daily\":{\"cutoffDate\":\"2077-03-01T00:00:00Z\"},\"release\":{},{\"releaseCandidate\": 1}: 2}"},
             {"list-key.yaml", "? [weekly]\n: {number: 1}\n"},
             {"utf8-list.json", "{\"weekly\": {\"number\": [\"\xff\"]}}"},
             {"garbage.yaml", garbage},
             {"garbage.json", garbage},
         }) {
        CAPTURE(bad.name);
        write_text(dir.file(bad.name), bad.text);
        for (const char* command : {"filter", "prune"}) {
            const auto result = run_rspcat({"--db", db, command, "--policy", dir.file(bad.name)});
            CHECK(result.exit_code == 1);
            CHECK(result.err.find(bad.name) != std::string::npos);
            CHECK(result.err.size() < 1000);
        }
    }
}

TEST_CASE("node names with NUL and invalid UTF-8 come back byte for byte through the API", "[hostile]") {
    Catalog catalog(":memory:");
    std::istringstream listing("w_2030_01\t" + d1 + "\n");
    TsvListingReader reader(listing, "test");
    catalog.ingest({{"r", "p"}, {}, *parse_timestamp("2030-01-01"), "test", false}, [&] { return reader.next_row(); });
    const std::string nul_node("a\0b", 3), bad_node = "\xff\"\\\n";
    REQUIRE(catalog.mark_seen(d1, nul_node, std::nullopt, *parse_timestamp("2030-01-02")));
    REQUIRE(catalog.mark_seen(d1, bad_node, 5, *parse_timestamp("2030-01-02")));
    const auto images = catalog.images({});
    REQUIRE(images.size() == 1);
    CHECK(images[0].nodes == std::vector<std::string>{nul_node, bad_node});
}

TEST_CASE("read-only catalogs answer queries and refuse writes with a clear message", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("good.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    REQUIRE(run_rspcat(ingest_args(db, dir.file("good.tsv"))).exit_code == 0);
    const std::string before = dump(db);

    SECTION("--read-only and Catalog::Mode::read_only") {
        CHECK(run_rspcat({"--db", db, "--read-only", "images"}).exit_code == 0);
        const auto ingest = run_rspcat({"--db", db, "--read-only", "ingest", "--registry", "example.org",
                                        "--repository", "lab", dir.file("good.tsv")});
        CHECK(ingest.exit_code == 2);
        CHECK(ingest.err.find("cannot run with --read-only") != std::string::npos);
        const auto seen = run_rspcat({"--db", db, "--read-only", "seen", d1, "node"});
        CHECK(seen.exit_code == 2);
        CHECK(seen.err.find("cannot run with --read-only") != std::string::npos);
        {
            Catalog catalog(db, Catalog::Mode::read_only);
            CHECK(catalog.images({}).size() == 2);
            CHECK_THROWS_WITH(catalog.mark_seen(d1, "n", std::nullopt, now_utc()), Catch::Contains("open read-only"));
            CHECK_THROWS_WITH(catalog.writer(), Catch::Contains("open read-only"));
        }
        CHECK(dump(db) == before);
    }

    SECTION("a catalog on a read-only file system") {
        // Tests run as root, for whom permission bits stop no write; a read-only mount does.
        // It needs a private mount namespace (unshare -m), which some sandboxes do not allow.
        const std::string script = R"sh(
set -u
rspcat=$1 db=$2 listing=$3 ro=$4
mount -t tmpfs rspcat-ro "$ro" && cp "$db" "$ro/c.db" && mount -o remount,ro "$ro" || exit 99
echo "== images"; "$rspcat" --db "$ro/c.db" --read-only images --format json; echo "exit $?"
echo "== images rw"; "$rspcat" --db "$ro/c.db" images --format json; echo "exit $?"
echo "== ingest"; "$rspcat" --db "$ro/c.db" ingest --registry example.org --repository lab --at 2099-01-01 --allow-future "$listing" 2>&1; echo "exit $?"
echo "== seen"; "$rspcat" --db "$ro/c.db" seen sha256:1111111111111111111111111111111111111111111111111111111111111111 n 2>&1; echo "exit $?"
)sh";
        write_text(dir.file("ro.sh"), script);
        std::filesystem::create_directories(dir.file("ro"));
        const auto result = run_command("/usr/bin/unshare",
                                        {"-m", "sh", dir.file("ro.sh"), RSPCAT_BINARY, db, dir.file("good.tsv"), dir.file("ro")});
        if (result.exit_code == 99 || result.out.find("== images") == std::string::npos) {
            WARN("no read-only mount here (unshare -m and mount need privileges): " << result.err);
            return;
        }
        INFO(result.out << result.err);
        CHECK(result.out.find("== images\n[{") != std::string::npos);
        CHECK(result.out.find("== images rw\n[{") != std::string::npos);
        CHECK(result.out.find("== ingest\nrspcat: catalog " + dir.file("ro") + "/c.db is on a read-only file system; nothing can be ingested") != std::string::npos);
        CHECK(result.out.find("== seen\nrspcat: catalog " + dir.file("ro") + "/c.db is on a read-only file system; cannot record a node") != std::string::npos);
        CHECK(result.out.find("exit 0\n== ingest") != std::string::npos);
        CHECK(result.out.find("exit 4\n== seen") != std::string::npos);  // cannot be written
        CHECK(result.out.find("exit 4\n") != result.out.rfind("exit 4\n"));  // seen too
    }
}

TEST_CASE("views, generated columns and indexes over the extension work with trusted_schema=OFF", "[hostile]") {
    TempDir dir;
    const std::string path = dir.file("t.db");
    auto open = [&](sqlite3** db) {
        REQUIRE(sqlite3_open(path.c_str(), db) == SQLITE_OK);
        REQUIRE(rsp_register_sql(*db) == SQLITE_OK);
        // A function without SQLITE_INNOCUOUS: the control that shows the pragma bites.
        REQUIRE(sqlite3_create_function_v2(*db, "risky", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                                           [](sqlite3_context* c, int, sqlite3_value** v) { sqlite3_result_value(c, v[0]); },
                                           nullptr, nullptr, nullptr) == SQLITE_OK);
    };
    sqlite3* db = nullptr;
    open(&db);
    for (const char* sql : {
             "CREATE TABLE t (tag TEXT, type TEXT GENERATED ALWAYS AS (rsp_tag_type(tag)) VIRTUAL)",
             "CREATE INDEX t_by_version ON t (rsp_tag_version(tag))",
             "CREATE INDEX t_menu ON t (tag COLLATE rsp_tag)",
             "INSERT INTO t (tag) VALUES ('w_2021_22'), ('r22_0_1'), ('recommended'), ('d_2021_05_27')",
             "CREATE VIEW v AS SELECT tag, rsp_tag_display_name(tag) AS name, rsp_parse_tag(tag) AS parsed, "
             "rsp_tag_compare(tag, 'w_2021_01') AS cmp, rsp_semver_compare(coalesce(rsp_tag_version(tag), '0.0.0'), '1.0.0') AS sv, "
             "rsp_alias_tag(tag) AS alias, rsp_tag_cycle(tag) AS c, rsp_tag_cycle_build(tag) AS cb, rsp_tag_rsp_build(tag) AS rb, "
             "rsp_tag_architecture(tag) AS a, rsp_tag_extra(tag) AS e, rsp_tag_base(tag) AS b, rsp_tag_date(tag) AS d, "
             "rsp_version() AS version FROM t ORDER BY tag COLLATE rsp_tag DESC",
             "CREATE VIEW risky_view AS SELECT risky(tag) FROM t",
         }) {
        CAPTURE(sql);
        REQUIRE(query(db, sql) == "");
    }
    sqlite3_close(db);

    open(&db);
    REQUIRE(query(db, "PRAGMA trusted_schema = OFF") == "");
    REQUIRE(query(db, "PRAGMA trusted_schema") == "0");
    int rc = 0;
    CHECK(query(db, "SELECT group_concat(tag || ':' || name, ' ') FROM v", &rc) ==
          "r22_0_1:Release r22.0.1 w_2021_22:Weekly 2021_22 d_2021_05_27:Daily 2021_05_27 recommended:recommended");
    CHECK(rc == SQLITE_OK);
    CHECK(query(db, "SELECT count(*) FROM v WHERE version IS NOT NULL AND alias IS NOT NULL") == "4");
    CHECK(query(db, "SELECT group_concat(type, ',') FROM (SELECT type FROM t ORDER BY tag COLLATE rsp_tag)") ==
          "Unknown,Daily,Weekly,Release");
    CHECK(query(db, "SELECT tag FROM t WHERE rsp_tag_version(tag) = '22.0.1'") == "r22_0_1");
    CHECK(query(db, "INSERT INTO t (tag) VALUES ('w_2021_23')", &rc) == "");
    CHECK(rc == SQLITE_OK);
    CHECK(query(db, "PRAGMA integrity_check") == "ok");
    // The control: a function that is not innocuous is refused in a view.
    CHECK(query(db, "SELECT * FROM risky_view", &rc).find("unsafe use of risky") != std::string::npos);
    CHECK(rc == SQLITE_ERROR);
    sqlite3_close(db);
}
