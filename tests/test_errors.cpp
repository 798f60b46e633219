// The embedding contract (docs/catalog.md, "Errors and guarantees"): every failure is an
// rspcat::Error of a kind a program can act on, misuse of the API is such an error rather than
// undefined behaviour, rows from any RowSource are checked, and none of it changes the catalog.
#include <SQLiteCpp/Database.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

#include "catalog_calls.hpp"
#include "cli_support.hpp"
#include "process_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using namespace rspcat::test;

TEST_CASE("every function of a moved-from Catalog is a misuse error; the one moved to works", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    const std::string before = catalog_content(path);
    Catalog from(path);
    Catalog to(std::move(from));
    for (const auto& [name, call] : every_catalog_call()) {
        CAPTURE(name);
        CHECK(kind_thrown([&] { call(from); }) == ErrorKind::misuse);
    }
    CHECK(catalog_content(path) == before);
    CHECK(to.images({}).size() == 3);
    Catalog assigned(":memory:");
    assigned = std::move(to);
    CHECK(kind_thrown([&] { to.images({}); }) == ErrorKind::misuse);
    CHECK(assigned.images({}).size() == 3);
}

TEST_CASE("a Writer used after commit(), committed twice or moved from is a misuse error", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    Catalog catalog(path);
    Catalog::Writer writer = catalog.writer();
    writer.ingest(spec_at("2021-06-12"), rows_of(next_listing));
    writer.commit();
    const std::string committed = catalog_content(path);
    CHECK(kind_thrown([&] { writer.commit(); }) == ErrorKind::misuse);
    // It used to run in autocommit mode and land anyway.
    CHECK(kind_thrown([&] { writer.ingest(spec_at("2021-06-13"), rows_of(next_listing)); }) == ErrorKind::misuse);
    CHECK(catalog_content(path) == committed);

    Catalog::Writer first = catalog.writer();
    Catalog::Writer second(std::move(first));
    CHECK(kind_thrown([&] { first.ingest(spec_at("2021-06-13"), rows_of(next_listing)); }) == ErrorKind::misuse);
    CHECK(kind_thrown([&] { first.commit(); }) == ErrorKind::misuse);
    second.commit();
    CHECK(catalog_content(path) == committed);
}

TEST_CASE("a second Writer, or Catalog::ingest, while a Writer is open is a misuse error", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    const std::string before = catalog_content(path);
    Catalog catalog(path);
    {
        Catalog::Writer writer = catalog.writer();
        writer.ingest(spec_at("2021-06-12"), rows_of(next_listing));
        CHECK(kind_thrown([&] { catalog.writer(); }) == ErrorKind::misuse);
        CHECK(kind_thrown([&] { catalog.ingest(spec_at("2021-06-13"), rows_of(next_listing)); }) == ErrorKind::misuse);
        // Queries on the same Catalog run inside the Writer's transaction: they see its rows.
        CHECK(catalog.image_for_tag({}, "w_2021_24"));
        // Another connection does not, until commit().
        CHECK(!Catalog(path, Catalog::Mode::read_only).image_for_tag({}, "w_2021_24"));
        CHECK(catalog_content(path) == before);
        writer.commit();
    }
    CHECK(Catalog(path, Catalog::Mode::read_only).image_for_tag({}, "w_2021_24"));
    // Once the Writer is gone, another may begin.
    Catalog::Writer again = catalog.writer();
}

TEST_CASE("a failed ingest rolls its whole Writer back, and the Writer is then a misuse error", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    const std::string before = catalog_content(path);
    Catalog catalog(path);
    Catalog::Writer writer = catalog.writer();
    writer.ingest(spec_at("2021-06-12"), rows_of(next_listing));
    // Out of time order: a failed (not a misuse) error, and the first ingest goes too.
    CHECK(kind_thrown([&] { writer.ingest(spec_at("2021-01-01"), rows_of(next_listing)); }) == ErrorKind::failed);
    CHECK(kind_thrown([&] { writer.commit(); }) == ErrorKind::misuse);
    CHECK(kind_thrown([&] { writer.ingest(spec_at("2021-06-13"), rows_of(next_listing)); }) == ErrorKind::misuse);
    CHECK(!catalog.image_for_tag({}, "w_2021_24"));
    CHECK(catalog_content(path) == before);
    // The failed Writer no longer holds the catalog.
    catalog.ingest(spec_at("2021-06-12"), rows_of(next_listing));
    CHECK(catalog.image_for_tag({}, "w_2021_24"));
}

TEST_CASE("a Writer follows its Catalog when the Catalog moves, and ends when it is destroyed", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    const std::string before = catalog_content(path);
    {
        Catalog catalog(path);
        Catalog::Writer writer = catalog.writer();
        Catalog moved(std::move(catalog));
        writer.ingest(spec_at("2021-06-12"), rows_of(next_listing));
        writer.commit();
        CHECK(moved.image_for_tag({}, "w_2021_24"));
    }
    const std::string committed = catalog_content(path);
    CHECK(committed != before);
    std::optional<Catalog> catalog(std::in_place, path);
    Catalog::Writer writer = catalog->writer();
    writer.ingest(spec_at("2021-06-13"), rows_of({{"w_2021_25", digest('4'), 1, 1}}));
    catalog.reset();  // used to leave the Writer pointing at freed memory
    CHECK(kind_thrown([&] { writer.commit(); }) == ErrorKind::misuse);
    CHECK(kind_thrown([&] { writer.ingest(spec_at("2021-06-14"), rows_of(next_listing)); }) == ErrorKind::misuse);
    CHECK(catalog_content(path) == committed);
}

TEST_CASE("rows from any RowSource are checked like listing rows, naming the source and the row", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    const std::string before = catalog_content(path);
    Catalog catalog(path);
    struct Bad {
        ListingRow row;
        std::string message;
    };
    for (const auto& [row, message] : std::vector<Bad>{
             {{"bad tag!", digest('5'), 1, 0}, "custom:2: tag 'bad tag!' is not a Docker tag"},
             {{"w_2021_30", "nope", 1, 0}, "custom:2: digest 'nope' is not sha256"},
             {{"w_2021_30", "sha256:" + std::string(64, 'A'), 1, 0}, "is not sha256"},
             {{"w_2021_30", digest('5'), -1, 0}, "custom:2: size -1 is negative"},
             {{"bad tag!", digest('5'), 1, 17}, "custom:17: tag 'bad tag!'"},  // the row's own line when it has one
             {{"", digest('5'), 1, 0}, "tag '' is not a Docker tag"},
         }) {
        CAPTURE(message);
        for (const bool merge : {false, true}) {
            IngestSpec spec = spec_at("2021-06-12", "custom");
            spec.merge = merge;
            try {
                catalog.ingest(spec, rows_of({next_listing[0], row}));
                FAIL("ingested");
            } catch (const InputError& e) {
                CHECK_THAT(e.what(), Catch::Contains(message));
                CHECK(e.kind() == ErrorKind::input);
            }
            CHECK(catalog_content(path) == before);
        }
    }
    CHECK(kind_thrown([&] {
              catalog.ingest({sample_repository, {"bad alias"}, *parse_timestamp("2021-06-12"), "custom", false}, rows_of(next_listing));
          }) == ErrorKind::input);
    CHECK(catalog_content(path) == before);
}

namespace {
struct SourceTrouble {  // not a std::exception: it must come back as it is
    int code;
};
struct SourceFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};
}  // namespace

TEST_CASE("an exception thrown by a RowSource reaches the caller unchanged, and nothing is written", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    const std::string before = catalog_content(path);
    Catalog catalog(path);
    for (const bool merge : {false, true}) {
        CAPTURE(merge);
        IngestSpec spec = spec_at("2021-06-12", "custom");
        spec.merge = merge;
        int calls = 0;
        auto throwing = [&](auto exception) -> RowSource {
            return [&calls, exception]() -> std::optional<ListingRow> {
                if (++calls == 2) throw exception;
                return ListingRow{"w_2021_2" + std::to_string(calls + 3), digest('6'), 1, 0};
            };
        };
        try {
            catalog.ingest(spec, throwing(SourceTrouble{42}));
            FAIL("ingested");
        } catch (const SourceTrouble& e) {
            CHECK(e.code == 42);
        }
        calls = 0;
        CHECK_THROWS_AS(catalog.ingest(spec, throwing(SourceFailure("listing went away"))), SourceFailure);
        CHECK(catalog_content(path) == before);
        // A Writer is rolled back as by any failed ingest.
        Catalog::Writer writer = catalog.writer();
        calls = 0;
        CHECK_THROWS_AS(writer.ingest(spec, throwing(SourceFailure("again"))), SourceFailure);
        CHECK(kind_thrown([&] { writer.commit(); }) == ErrorKind::misuse);
    }
    CHECK(catalog_content(path) == before);
}

TEST_CASE("a catalog another connection holds locked past the busy timeout is a busy error", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);
    const std::string before = catalog_content(path);
    SQLite::Database holder(path, SQLite::OPEN_READWRITE);
    holder.exec("BEGIN IMMEDIATE");
    Catalog catalog(path, Catalog::Mode::read_write, std::chrono::milliseconds(50));
    CHECK(catalog.images({}).size() == 3);  // readers do not wait under WAL
    CHECK(kind_thrown([&] { catalog.writer(); }) == ErrorKind::busy);
    CHECK(kind_thrown([&] { catalog.ingest(spec_at("2021-06-12"), rows_of(next_listing)); }) == ErrorKind::busy);
    CHECK(kind_thrown([&] { catalog.mark_seen(digest('1'), "n", 1, now_utc()); }) == ErrorKind::busy);
    // The command-line tool says so with exit status 3.
    write_text(dir.file("next.tsv"), "w_2021_24\t" + digest('3') + "\n");
    const auto result = run_rspcat({"--db", path, "--busy-timeout", "0", "ingest", "--registry", "example.org",
                                    "--repository", "lab", "--at", "2021-06-12", dir.file("next.tsv")});
    CHECK(result.exit_code == 3);
    CHECK_THAT(result.err, Catch::Contains("busy timeout"));
    holder.exec("ROLLBACK");
    CHECK(catalog_content(path) == before);
    catalog.ingest(spec_at("2021-06-12"), rows_of(next_listing));
}

TEST_CASE("each way a catalog file can be unusable has its own kind and exit status", "[errors]") {
    TempDir dir;
    const std::string path = make_catalog(dir);

    SECTION("read-only") {
        Catalog catalog(path, Catalog::Mode::read_only);
        CHECK(kind_thrown([&] { catalog.writer(); }) == ErrorKind::read_only);
        CHECK(kind_thrown([&] { catalog.mark_seen(digest('1'), "n", 1, now_utc()); }) == ErrorKind::read_only);
    }
    SECTION("not a catalog: a text file") {
        write_text(dir.file("notes.txt"), std::string(5000, 'x'));
        CHECK(kind_thrown([&] { Catalog{dir.file("notes.txt")}; }) == ErrorKind::not_a_catalog);
        const auto result = run_rspcat({"--db", dir.file("notes.txt"), "images"});
        CHECK(result.exit_code == 7);
    }
    SECTION("not a catalog: another application's database") {
        SQLite::Database(dir.file("other.db"), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE).exec("CREATE TABLE t (x)");
        CHECK(kind_thrown([&] { Catalog{dir.file("other.db")}; }) == ErrorKind::not_a_catalog);
    }
    SECTION("a newer schema") {
        SQLite::Database(path, SQLite::OPEN_READWRITE).exec("PRAGMA user_version = 99");
        CHECK(kind_thrown([&] { Catalog{path}; }) == ErrorKind::newer_schema);
        CHECK(run_rspcat({"--db", path, "images"}).exit_code == 8);
    }
    SECTION("corrupt: pages overwritten") {
        {
            // Every page but the first (the schema) filled with junk.
            std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
            const auto size = std::filesystem::file_size(path);
            REQUIRE(size > 8192);
            file.seekp(4096);
            file << std::string(size - 4096, '\x5a');
        }
        const auto kind = kind_thrown([&] {
            Catalog catalog(path);
            catalog.images({});
        });
        CHECK(kind == ErrorKind::corrupt);
        const auto result = run_rspcat({"--db", path, "images"});
        CHECK(result.exit_code == 6);
        CHECK_THAT(result.err, Catch::Contains("rspcat check"));
    }
    SECTION("a constraint: a unique index of the user's own") {
        // One new tag of each type: two new weeklies break it.
        SQLite::Database(path, SQLite::OPEN_READWRITE)
            .exec("CREATE UNIQUE INDEX one_new_per_type ON tags (image_type) WHERE id > 3");
        const std::string before = catalog_content(path);
        Catalog catalog(path);
        const std::vector<ListingRow> two = {{"w_2021_24", digest('3'), 1, 1}, {"w_2021_25", digest('4'), 1, 2}};
        CHECK(kind_thrown([&] { catalog.ingest(spec_at("2021-06-12"), rows_of(two)); }) ==
              ErrorKind::constraint);
        CHECK(catalog_content(path) == before);
    }
    SECTION("failed: an unknown repository") {
        Catalog catalog(path);
        CHECK(kind_thrown([&] { catalog.images({.repository = RepositoryName{"example.org", "other"}}); }) ==
              ErrorKind::failed);
    }
}

TEST_CASE("every kind has a name", "[errors]") {
    CHECK(kind_name(ErrorKind::busy) == "busy");
    CHECK(kind_name(ErrorKind::read_only) == "read-only");
    CHECK(kind_name(ErrorKind::disk_full) == "disk-full");
    CHECK(kind_name(ErrorKind::not_a_catalog) == "not-a-catalog");
    CHECK(kind_name(ErrorKind::newer_schema) == "newer-schema");
}
