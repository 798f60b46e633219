// Catalog behaviour beyond the vectors: history rows, remembered aliases, subtract, read-only
// and foreign files, rollback on failure.
#include <SQLiteCpp/SQLiteCpp.h>

#include <catch2/catch.hpp>

#include "cli_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;

namespace {

const std::string d1 = "sha256:" + std::string(64, 'a');
const std::string d2 = "sha256:" + std::string(64, 'b');
const std::string d3 = "sha256:" + std::string(64, 'c');
const RepositoryName lab{"example.org", "lab"};

RowSource rows(std::vector<std::pair<std::string, std::string>> listing) {
    auto state = std::make_shared<std::pair<decltype(listing), std::size_t>>(std::move(listing), 0);
    return [state]() -> std::optional<ListingRow> {
        auto& [items, next] = *state;
        if (next == items.size()) return std::nullopt;
        ListingRow row{items[next].first, items[next].second, std::nullopt, next + 1};
        ++next;
        return row;
    };
}

IngestSpec spec(const std::string& at, std::vector<std::string> aliases = {}, bool merge = false) {
    return IngestSpec{lab, std::move(aliases), *parse_timestamp(at), "test", merge};
}

std::vector<std::string> tags(const std::vector<Image>& images) {
    std::vector<std::string> out;
    for (const auto& image : images) out.push_back(image.tag.tag);
    return out;
}

// (tag, digest, started_at, ended_at or "") rows of the timeline, in order.
std::vector<std::string> timeline(const std::string& path) {
    SQLite::Database db(path);
    SQLite::Statement s(db, "SELECT tag || ' ' || digest || ' ' || started_at || ' ' || coalesce(ended_at, '-') "
                            "FROM tag_timeline ORDER BY tag, started_at");
    std::vector<std::string> out;
    while (s.executeStep()) out.push_back(s.getColumn(0).getString());
    return out;
}

}  // namespace

TEST_CASE("the history records each assignment with its start and end", "[catalog]") {
    test::TempDir dir;
    const std::string path = dir.file("c.db");
    {
        Catalog catalog(path);
        catalog.ingest(spec("2030-01-01"), rows({{"w_2030_01", d1}, {"latest", d1}}));
        catalog.ingest(spec("2030-02-01"), rows({{"w_2030_01", d1}, {"w_2030_05", d2}, {"latest", d2}}));
        catalog.ingest(spec("2030-03-01"), rows({{"w_2030_05", d2}}));
        catalog.ingest(spec("2030-03-02", {}, true), rows({{"latest", d3}}));
    }
    const std::string a = "sha256:" + std::string(64, 'a'), b = d2, c = d3;
    CHECK(timeline(path) == std::vector<std::string>{
                                "latest " + a + " 2030-01-01T00:00:00Z 2030-02-01T00:00:00Z",
                                "latest " + b + " 2030-02-01T00:00:00Z 2030-03-01T00:00:00Z",
                                "latest " + c + " 2030-03-02T00:00:00Z -",
                                "w_2030_01 " + a + " 2030-01-01T00:00:00Z 2030-03-01T00:00:00Z",
                                "w_2030_05 " + b + " 2030-02-01T00:00:00Z -",
                            });
}

TEST_CASE("alias tags are remembered and re-parse tags already known", "[catalog]") {
    Catalog catalog(":memory:");
    catalog.ingest(spec("2030-01-01"), rows({{"w_2030_01", d1}, {"w_2030_02", d2}}));
    const CollectionSpec collection{lab, std::nullopt};
    // Declaring an existing weekly tag an alias changes how it is parsed from then on.
    catalog.ingest(spec("2030-01-02", {"w_2030_02"}), rows({{"w_2030_01", d1}, {"w_2030_02", d1}}));
    const auto image = catalog.image_for_tag(collection, "w_2030_02");
    REQUIRE(image);
    CHECK(image->tag.type == ImageType::alias);
    CHECK(image->alias_target == "w_2030_01");
    // The next ingest without --alias still treats it as one.
    catalog.ingest(spec("2030-01-03"), rows({{"w_2030_01", d1}, {"w_2030_02", d1}}));
    CHECK(catalog.image_for_tag(collection, "w_2030_02")->tag.type == ImageType::alias);
}

TEST_CASE("subtract keeps one image per digest missing from the other collection", "[catalog]") {
    Catalog catalog(":memory:");
    catalog.ingest(spec("2030-01-01", {"recommended"}),
                   rows({{"recommended", d1}, {"w_2030_01", d1}, {"w_2030_02", d2}, {"w_2030_03", d3}}));
    const RepositoryName other{"example.org", "other"};
    catalog.ingest(IngestSpec{other, {}, *parse_timestamp("2030-01-01"), "test", false}, rows({{"x", d2}}));
    const auto missing = catalog.subtract({lab, std::nullopt}, {other, std::nullopt});
    CHECK(tags(missing) == std::vector<std::string>{"w_2030_03", "w_2030_01"});
    CHECK(catalog.subtract({lab, std::nullopt}, {lab, std::nullopt}).empty());
}

TEST_CASE("a failed ingest rolls back everything in its transaction", "[catalog]") {
    Catalog catalog(":memory:");
    catalog.ingest(spec("2030-01-01"), rows({{"w_2030_01", d1}}));
    {
        Catalog::Writer writer = catalog.writer();
        writer.ingest(spec("2030-02-01"), rows({{"w_2030_02", d2}}));
        CHECK_THROWS_AS(writer.ingest(spec("2030-03-01"), rows({{"w_2030_03", d3}, {"w_2030_03", d1}})), InputError);
    }  // not committed
    CHECK(tags(catalog.images({lab, std::nullopt})) == std::vector<std::string>{"w_2030_01"});
    CHECK_THROWS_WITH(catalog.ingest(spec("2029-12-31"), rows({})), Catch::Contains("is before the latest snapshot"));
}

TEST_CASE("read-only catalogs, foreign files and newer schemas", "[catalog]") {
    test::TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog(path).ingest(spec("2030-01-01"), rows({{"w_2030_01", d1}}));
    Catalog read_only(path, Catalog::Mode::read_only);
    CHECK(read_only.images({}).size() == 1);
    CHECK_THROWS_WITH(read_only.ingest(spec("2030-02-01"), rows({})), Catch::Contains("read-only"));

    const std::string foreign = dir.file("foreign.db");
    SQLite::Database(foreign, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE).exec("CREATE TABLE t (x)");
    CHECK_THROWS_WITH(Catalog(foreign), Catch::Contains("is not an rspcat catalog"));

    SQLite::Database(path, SQLite::OPEN_READWRITE).exec("PRAGMA user_version = 99");
    CHECK_THROWS_WITH(Catalog(path), Catch::Contains("newer than this rspcat knows"));

    CHECK_THROWS_WITH(Catalog(dir.file("missing/dir/c.db")), Catch::Contains("cannot open catalog"));
}

namespace {

// Every image's JSON: what a visitor saw, comparable with what images() returned.
std::vector<std::string> json_of(const std::vector<Image>& images) {
    std::vector<std::string> out;
    for (const auto& image : images) out.push_back(to_json(image));
    return out;
}

std::vector<std::string> visited(const Catalog& catalog, const CollectionSpec& collection, const ListOptions& options) {
    std::vector<std::string> out;
    catalog.for_each_image(collection, options, [&](const Image& image) { out.push_back(to_json(image)); });
    return out;
}

struct NotAnError {
    int code;
};

}  // namespace

TEST_CASE("for_each_image visits the images of images(), in the same order", "[catalog][visit]") {
    Catalog catalog(":memory:");
    catalog.ingest(spec("2030-01-01", {"recommended"}),
                   rows({{"recommended", d1}, {"w_2030_01", d1}, {"w_2030_02", d2}, {"w_2030_02-arm64", d2},
                         {"r30_0_0", d3}, {"d_2030_01_03", d3}}));
    catalog.ingest(spec("2030-02-01", {}, true), rows({{"w_2030_05", d2}}));
    catalog.mark_seen(d2, "node-1", 5, *parse_timestamp("2030-02-02"));
    const std::vector<CollectionSpec> collections{{lab}, {lab, 2030}, {lab, std::nullopt, parse_timestamp("2030-01-15")}};
    const std::vector<ListOptions> options{{}, {false, false, false}, {true, true, false}, {false, false, true}};
    for (const auto& collection : collections) {
        for (const auto& option : options) {
            const auto expected = json_of(catalog.images(collection, option));
            CHECK(visited(catalog, collection, option) == expected);
        }
    }
    CHECK(visited(catalog, {lab}, {false, false, false}).size() == 7);

    FilterPolicy policy;
    ImageFilter one_weekly;
    one_weekly.number = 1;
    policy.blocks[static_cast<std::size_t>(ImageType::weekly)] = one_weekly;
    for (const bool invert : {false, true}) {
        const FilterOptions filter{*parse_timestamp("2030-03-01"), true, invert};
        std::vector<std::string> seen;
        catalog.for_each_filtered({lab}, policy, filter, [&](const Image& image) { seen.push_back(to_json(image)); });
        CHECK(seen == json_of(catalog.filter({lab}, policy, filter)));
        CHECK(seen == json_of(apply_policy(catalog.images({lab}, {false, false, false}), policy, filter)));
        CHECK(seen.size() == (invert ? 2 : 4));
    }
}

TEST_CASE("what a visitor throws reaches the caller unchanged, and the catalog stays usable", "[catalog][visit]") {
    test::TempDir dir;
    Catalog catalog(dir.file("c.db"));
    catalog.ingest(spec("2030-01-01"), rows({{"w_2030_01", d1}, {"w_2030_02", d2}, {"w_2030_03", d3}}));
    int calls = 0;
    CHECK_THROWS_WITH(catalog.for_each_image({lab}, {}, [&](const Image&) {
        ++calls;
        throw std::runtime_error("stop here");
    }), "stop here");
    CHECK(calls == 1);
    try {
        catalog.for_each_filtered({lab}, FilterPolicy{}, {}, [&](const Image& image) {
            if (image.tag.tag == "w_2030_02") throw NotAnError{7};
        });
        FAIL("the visitor's exception was swallowed");
    } catch (const NotAnError& e) {
        CHECK(e.code == 7);
    }
    // A CatalogError from the visitor is its own, not one made by the catalog.
    CHECK_THROWS_WITH(catalog.for_each_image({lab}, {}, [](const Image&) { throw CatalogError("mine"); }), "mine");
    // Nothing stayed open: queries and writes go on.
    CHECK(tags(catalog.images({lab})) == std::vector<std::string>{"w_2030_03", "w_2030_02", "w_2030_01"});
    catalog.ingest(spec("2030-02-01"), rows({{"w_2030_05", d1}}));
    CHECK(visited(catalog, {lab}, {}).size() == 1);
}

TEST_CASE("for_each_image fails as images() does, before any visit", "[catalog][visit]") {
    Catalog catalog(":memory:");
    int calls = 0;
    auto count = [&](const Image&) { ++calls; };
    CHECK_THROWS_AS(catalog.for_each_image({}, {}, count), CatalogError);
    catalog.ingest(spec("2030-01-01"), rows({{"w_2030_01", d1}}));
    CHECK_THROWS_WITH(catalog.for_each_image({RepositoryName{"example.org", "nothing"}}, {}, count),
                      Catch::Contains("has no repository example.org/nothing"));
    CHECK_THROWS_AS(catalog.for_each_filtered({RepositoryName{"example.org", "nothing"}}, {}, {}, count), CatalogError);
    CHECK(calls == 0);
}
