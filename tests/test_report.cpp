// Catalog::history_points, the sweep behind rspcat report's charts, against the slow way: a
// listing of the catalog as it was at every snapshot.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "catalog_support.hpp"
#include "cli_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;

TEST_CASE("history_points counts by type and bytes held as the listing at each snapshot does", "[report]") {
    const Catalog catalog = test::history_catalog();
    const auto points = catalog.history_points();
    const auto snapshots = catalog.snapshots();
    std::set<Timestamp> times;
    for (const auto& s : snapshots) times.insert(s.taken_at);
    REQUIRE(points.size() == times.size());
    auto time = times.begin();
    for (const auto& point : points) {
        CAPTURE(format_timestamp(point.at));
        CHECK(point.at == *time++);
        std::array<std::int64_t, image_type_count> tags{};
        std::map<std::string, std::int64_t> sizes;
        for (const auto& image : catalog.images({.at = point.at}, {.hide_arch_specific = false})) {
            ++tags[static_cast<std::size_t>(image.tag.type)];
            // A digest weighs what any of its rows says: an alias row may have no size.
            sizes[image.digest] = std::max(sizes[image.digest], image.size.value_or(0));
        }
        std::int64_t bytes = 0;
        for (const auto& [digest, size] : sizes) bytes += size;
        CHECK(point.tags == tags);
        CHECK(point.bytes == bytes);
    }
}

TEST_CASE("history_points: a digest two tags share is held once, and a removed tag stops counting", "[report]") {
    // `recommended` lists no size: the digest still weighs what its weekly's row says, whichever
    // row the sweep meets first.
    const std::string a = "sha256:" + std::string(64, 'a'), b = "sha256:" + std::string(64, 'b');
    Catalog catalog(":memory:");
    auto ingest = [&](const char* at, std::vector<ListingRow> rows) {
        std::size_t next = 0;
        catalog.ingest({{"r", "p"}, {"recommended"}, *parse_timestamp(at), "t", false},
                       [&]() -> std::optional<ListingRow> {
                           if (next == rows.size()) return std::nullopt;
                           return rows[next++];
                       });
    };
    ingest("2030-01-01", {{"recommended", a, {}, 1}, {"w_2030_01", a, 100, 2}, {"w_2030_02", a, 100, 3}});
    ingest("2030-02-01", {{"w_2030_02", a, 100, 1}, {"r30_0_0", b, 50, 2}});
    ingest("2030-03-01", {});
    const auto points = catalog.history_points();
    REQUIRE(points.size() == 3);
    const auto weekly = static_cast<std::size_t>(ImageType::weekly), release = static_cast<std::size_t>(ImageType::release);
    CHECK(points[0].tags[weekly] == 2);
    CHECK(points[0].tags[static_cast<std::size_t>(ImageType::alias)] == 1);
    CHECK(points[0].bytes == 100);
    CHECK(points[1].tags[weekly] == 1);
    CHECK(points[1].tags[release] == 1);
    CHECK(points[1].bytes == 150);
    CHECK(points[2].tags[weekly] == 0);
    CHECK(points[2].bytes == 0);
}

TEST_CASE("rspcat report is about the last sync, a later one that found the same listing included", "[report][cli]") {
    test::TempDir dir;
    const std::string db = dir.file("c.db"), listing = dir.file("l.tsv");
    test::write_text(listing, "tag\tdigest\tsize\nw_2030_01\tsha256:" + std::string(64, '1') + "\t5\n");
    for (const char* at : {"2030-01-01T00:00:00Z", "2030-02-01T00:00:00Z"}) {
        const auto ingested = test::run_rspcat({"--db", db, "ingest", "-q", "--registry", "example.org", "--repository",
                                                "lab", "--allow-future", "--at", at, listing});
        INFO(ingested.err);
        REQUIRE(ingested.exit_code == 0);
    }
    const auto report = test::run_rspcat({"--db", db, "report"});
    INFO(report.err);
    REQUIRE(report.exit_code == 0);
    CHECK(report.out.find("As of 2030-02-01T00:00:00Z") != std::string::npos);
}
