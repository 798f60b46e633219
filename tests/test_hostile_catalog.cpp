// Catalog files that rspcat did not write, or that were changed behind its back: schema text
// edited with PRAGMA writable_schema, views replaced, triggers planted, schema versions out of
// range, paths that are not regular files, and a reader who cannot write the catalog's
// directory. Each case runs the real rspcat on a catalog edited with the real sqlite3 shell.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "cli_support.hpp"
#include "process_support.hpp"
#include "shell_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using namespace rspcat::test;

namespace {

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');

// A catalog of two snapshots: w_2021_22 recommended, then w_2021_23 recommended.
void make_catalog(const TempDir& dir, const std::string& db) {
    write_text(dir.file("s1.tsv"), "w_2021_22\t" + d1 + "\t100\nrecommended\t" + d1 + "\n");
    write_text(dir.file("s2.tsv"), "w_2021_22\t" + d1 + "\t100\nw_2021_23\t" + d2 + "\t200\nrecommended\t" + d2 + "\n");
    for (const auto& [file, at] : {std::pair{"s1.tsv", "2021-06-01T00:00:00Z"}, {"s2.tsv", "2021-06-08T00:00:00Z"}}) {
        const auto result = run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab",
                                        "--alias", "recommended", "--at", at, dir.file(file)});
        INFO(result.err);
        REQUIRE(result.exit_code == 0);
    }
}

std::set<std::string> files_in(const std::filesystem::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

// Every command that reads or writes a catalog, as an operator would run it.
std::vector<std::vector<std::string>> every_command(const TempDir& dir, const std::string& db) {
    write_text(dir.file("s3.tsv"), "w_2021_24\t" + d1 + "\n");
    return {
        {"--db", db, "images"},
        {"--db", db, "--read-only", "images"},
        {"--db", db, "images", "--at", "2021-06-02"},
        {"--db", db, "history", "recommended"},
        {"--db", db, "diff", "2021-06-02", "2021-06-09"},
        {"--db", db, "show", "recommended"},
        {"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", "--merge", dir.file("s3.tsv")},
        {"--db", db, "seen", d1, "node1"},
        {"--db", db, "undo"},
    };
}

}  // namespace

TEST_CASE("SQL text stored in a catalog is never executed: a planted script is refused by every command",
          "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    const std::string other = dir.file("other.db");
    make_catalog(dir, db);
    make_catalog(dir, other);
    // Passes integrity_check, and SQLite itself only ever prepares the first statement; rspcat
    // used to pass the whole text to exec when it made its TEMP copies of the views.
    shell(db, "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = sql || '; ATTACH ''" + other +
                  "'' AS v; DELETE FROM v.tag_history; CREATE TABLE v.pwned (x);' WHERE name = 'collection_members';");
    REQUIRE(integrity(db) == "ok");
    const std::string other_before = catalog_content(other);
    const std::string before = catalog_content(db);
    for (const auto& args : every_command(dir, db)) {
        CAPTURE(args);
        const auto files_before = files_in(dir.path());
        const auto result = run_bounded(args);
        CHECK(result.exit_code == 6);  // the catalog is damaged
        CHECK(result.err.find("the view collection_members is not the one schema version 5 defines") !=
              std::string::npos);
        CHECK(result.err.find("changed outside rspcat") != std::string::npos);
        CHECK(catalog_content(other) == other_before);
        CHECK(catalog_content(db) == before);
        CHECK(files_in(dir.path()) == files_before);
    }
    CHECK_THROWS_AS(Catalog(db), CatalogError);
    CHECK_THROWS_AS(Catalog(db, Catalog::Mode::read_only), CatalogError);
}

TEST_CASE("a catalog whose views or tables differ from rspcat's schema is refused, naming the object",
          "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    make_catalog(dir, db);
    const std::string pristine = dir.file("pristine.db");
    std::filesystem::copy_file(db, pristine);
    struct Edit {
        std::string name, sql, message;
    };
    for (const Edit& edit : std::vector<Edit>{
             // A view that never ends: without the check, `images --at` hung.
             {"endless view", "DROP VIEW digest_groups; CREATE VIEW digest_groups AS WITH RECURSIVE n(i) AS "
                              "(SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT NULL AS digest, i FROM n;",
              "the view digest_groups is not the one schema version 5 defines"},
             {"dropped view", "DROP VIEW tag_timeline;", "lacks the view tag_timeline of schema version 5"},
             {"dropped index", "DROP INDEX listing_by_menu;", "lacks the index listing_by_menu"},
             {"dropped trigger", "DROP TRIGGER images_added;", "lacks the trigger images_added"},
             {"altered table", "ALTER TABLE tags ADD COLUMN note TEXT;", "the table tags is not the one"},
         }) {
        CAPTURE(edit.name);
        std::filesystem::copy_file(pristine, db, std::filesystem::copy_options::overwrite_existing);
        shell(db, edit.sql);
        for (const auto& args : every_command(dir, db)) {
            CAPTURE(args);
            const auto result = run_bounded(args);
            CHECK(result.exit_code == 6);
            CHECK(result.err.find(edit.message) != std::string::npos);
        }
    }
}

TEST_CASE("a trigger that rspcat did not make stops writes but not reads, and the user's own views and indexes are fine",
          "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    make_catalog(dir, db);
    shell(db, "CREATE VIEW my_report AS SELECT tag FROM tags; CREATE INDEX my_index ON tags (image_type);");
    const auto ingest = every_command(dir, db)[6];
    const auto with_own_objects = run_bounded(ingest);
    INFO(with_own_objects.err);
    CHECK(with_own_objects.exit_code == 0);

    shell(db, "CREATE TRIGGER planted AFTER INSERT ON snapshots BEGIN DELETE FROM tag_history; END;");
    const std::string before = catalog_content(db);
    for (const auto& args : every_command(dir, db)) {
        CAPTURE(args);
        const bool writes = args[2] == "ingest" || args[2] == "seen" || args[2] == "undo";
        const auto result = run_bounded(args);
        if (writes) {
            CHECK(result.exit_code == 4);  // cannot be written
            CHECK(result.err.find("has a trigger planted on snapshots that rspcat did not make") != std::string::npos);
        } else {
            INFO(result.err);
            CHECK(result.exit_code == 0);
        }
    }
    CHECK(catalog_content(db) == before);
}

TEST_CASE("a schema version outside what this build knows is refused before anything runs", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    make_catalog(dir, db);
    const std::string pristine = dir.file("pristine.db");
    std::filesystem::copy_file(db, pristine);
    for (const std::string version : {"-1", "-5", "-2147483648"}) {
        CAPTURE(version);
        std::filesystem::copy_file(pristine, db, std::filesystem::copy_options::overwrite_existing);
        shell(db, "PRAGMA user_version = " + version);
        const std::string before = catalog_content(db);
        for (const auto& args : every_command(dir, db)) {
            CAPTURE(args);
            const auto result = run_bounded(args);
            CHECK(result.exit_code == 7);
            CHECK(result.err.find("is not an rspcat catalog (schema version " + version + ")") != std::string::npos);
        }
        CHECK(catalog_content(db) == before);
        CHECK_THROWS_WITH(Catalog(db), Catch::Contains("schema version " + version));
    }
    for (const std::string& version : {std::to_string(Catalog::schema_version() + 1), std::string("2147483647")}) {
        CAPTURE(version);
        std::filesystem::copy_file(pristine, db, std::filesystem::copy_options::overwrite_existing);
        shell(db, "PRAGMA user_version = " + version);
        const auto result = run_bounded({"--db", db, "images"});
        CHECK(result.exit_code == 8);
        CHECK(result.err.find("has schema version " + version + ", newer than this rspcat knows") != std::string::npos);
        try {
            Catalog{db};
            FAIL("opened");
        } catch (const Error& e) {
            CHECK(e.kind() == ErrorKind::newer_schema);
        }
    }
}

TEST_CASE("a --db that names a FIFO, a directory or a symbolic link is refused, saying why", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    make_catalog(dir, db);
    const std::string fifo = dir.file("fifo.db");
    REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    const std::string link = dir.file("link.db");
    std::filesystem::create_symlink(db, link);
    std::filesystem::create_directory(dir.file("dir.db"));
    struct Case {
        std::string path, message;
        int status;
    };
    for (const auto& [path, message, status] : std::vector<Case>{
             {fifo, "it is a FIFO, not a regular file", 7},
             {dir.file("dir.db"), "it is a directory, not a regular file", 7},
             {link, "it is a symbolic link (to " + db + ")", 1},
         }) {
        for (const std::string command : {"images", "ingest"}) {
            CAPTURE(path, command);
            auto args = every_command(dir, path)[command == "images" ? 0 : 6];
            const auto result = run_bounded(args);
            CHECK(result.exit_code == status);  // not 124: a FIFO used to block forever
            CHECK(result.err.find(message) != std::string::npos);
        }
    }
    CHECK_THROWS_WITH(Catalog(fifo), Catch::Contains("FIFO"));
}

TEST_CASE("a --read-only reader who cannot write the catalog's directory reads it, with a warning", "[hostile]") {
    if (geteuid() != 0) {
        WARN("skipped: needs root to run rspcat as another user (setpriv)");
        return;
    }
    TempDir dir;
    // Everything the other user needs is readable by all: the binary is copied beside the
    // catalog, since the build tree may sit under a directory only root can enter.
    std::filesystem::permissions(dir.path(), std::filesystem::perms(0755));
    const std::string data = dir.file("data");
    std::filesystem::create_directory(data);
    std::filesystem::permissions(data, std::filesystem::perms(0755));
    const std::string db = data + "/c.db";
    make_catalog(dir, db);
    const std::string binary = dir.file("rspcat");
    std::filesystem::copy_file(RSPCAT_BINARY, binary);
    std::filesystem::permissions(binary, std::filesystem::perms(0755));
    REQUIRE(!std::filesystem::exists(db + "-shm"));
    REQUIRE(!std::filesystem::exists(db + "-wal"));
    const std::vector<std::string> query = {"--db", db, "--read-only", "images", "--format", "json"};
    std::vector<std::string> args = {"--reuid=65534", "--regid=65534", "--clear-groups", "--", binary};
    args.insert(args.end(), query.begin(), query.end());
    const auto as_nobody = run_command("setpriv", args);
    INFO(as_nobody.err);
    CHECK(as_nobody.exit_code == 0);
    CHECK(as_nobody.err.find("warning: cannot create " + db + "-shm") != std::string::npos);
    CHECK(as_nobody.err.find("changes that another process commits meanwhile are not seen") != std::string::npos);
    CHECK(!std::filesystem::exists(db + "-shm"));
    // Root's read-only open makes a -shm file and leaves it: so it comes last.
    const auto as_root = run_rspcat(query);
    REQUIRE(as_root.exit_code == 0);
    CHECK(as_nobody.out == as_root.out);
}

// Found by fuzz_catalog_file: a malformed stored value escaped as a plain std::runtime_error
// that named neither the catalog nor the tag, and echoed raw bytes.
TEST_CASE("a malformed value stored by hand is a CatalogError naming the tag", "[hostile]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    make_catalog(dir, db);
    shell(db, "UPDATE listing SET date = 'not a date' || char(1) WHERE tag = 'w_2021_22';");
    const auto result = run_bounded({"--db", db, "images"});
    CHECK(result.exit_code == 6);
    CHECK(result.err.find("the catalog's row of tag 'w_2021_22' holds a malformed date 'not a date?'") !=
          std::string::npos);
    CHECK_THROWS_AS(Catalog(db).images({}), CatalogError);
    shell(db, "UPDATE listing SET date = NULL, nodes = '[\"a\",' WHERE tag = 'w_2021_22';");
    CHECK_THROWS_WITH(Catalog(db).images({}), Catch::Contains("tag 'w_2021_22' holds a malformed list"));
}
