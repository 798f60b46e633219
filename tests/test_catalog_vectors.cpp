// Every scenario of vectors/collections.jsonl through the catalog's C++ API: the first batch as a
// full snapshot, every later one as a merge, and each expectation (`filter` aside, which belongs
// to policies) compared whole.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "rspcat/catalog.hpp"
#include "image_json_support.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat;

namespace {

std::vector<ListingRow> rows_of(const json& batch) {
    std::vector<ListingRow> rows;
    for (const auto& image : batch.at("images")) {
        ListingRow row;
        row.tag = image.at("tag");
        row.digest = image.at("digest");
        if (!image.at("size").is_null()) row.size = image.at("size").get<std::int64_t>();
        row.line = rows.size() + 1;
        rows.push_back(row);
    }
    return rows;
}

RowSource source_of(const std::vector<ListingRow>& rows) {
    auto next = std::make_shared<std::size_t>(0);
    return [&rows, next]() -> std::optional<ListingRow> {
        if (*next == rows.size()) return std::nullopt;
        return rows[(*next)++];
    };
}

json tags_of(const std::vector<Image>& images) {
    json tags = json::array();
    for (const auto& image : images) tags.push_back(image.tag.tag);
    return tags;
}

json images_json(const std::vector<Image>& images) {
    json array = json::array();
    for (const auto& image : images) array.push_back(test::without_manifest_keys(json::parse(to_json(image))));
    return array;
}

}  // namespace

TEST_CASE("every collections.jsonl scenario through the catalog", "[vectors][catalog][policy]") {
    const auto lines = test::read_lines(test::vectors_path("collections.jsonl"));
    REQUIRE(lines.size() >= 168);
    std::size_t scenario_number = 0;
    for (const auto& line : lines) {
        ++scenario_number;
        const json scenario = json::parse(line);
        CAPTURE(scenario_number);
        Catalog catalog(":memory:");
        const RepositoryName repository{scenario.at("registry"), scenario.at("repository")};
        int second = 0;
        for (const auto& batch : scenario.at("batches")) {
            const auto rows = rows_of(batch);
            IngestSpec spec{repository, scenario.at("aliases").get<std::vector<std::string>>(),
                            *parse_timestamp("2077-01-01T00:00:" + std::string(second < 10 ? "0" : "") +
                                             std::to_string(second) + "Z"),
                            "scenario", batch.at("merge").get<bool>()};
            ++second;
            catalog.ingest(spec, source_of(rows));
        }
        CollectionSpec collection{repository, std::nullopt};
        if (!scenario.at("cycle").is_null()) collection.cycle = scenario.at("cycle").get<std::int64_t>();
        const json& expect = scenario.at("expect");

        CHECK(images_json(catalog.images(collection, {.hide_arch_specific = false})) == expect.at("all"));
        CHECK(tags_of(catalog.images(collection)) == expect.at("default"));
        CHECK(tags_of(catalog.images(collection, {.hide_aliased = true})) == expect.at("hide_aliased"));
        CHECK(tags_of(catalog.images(collection, {.hide_arch_specific = false, .hide_aliased = true})) ==
              expect.at("hide_aliased_all_arch"));
        CHECK(tags_of(catalog.images(collection, {.hide_resolved_aliases = true})) ==
              expect.at("hide_resolved_aliases"));
        for (const auto& [type_text, tag] : expect.at("latest").items()) {
            CAPTURE(type_text);
            const auto type = image_type_from_name(type_text);
            REQUIRE(type);
            const auto latest = catalog.latest(collection, *type);
            CHECK((latest ? json(latest->tag.tag) : json(nullptr)) == tag);
        }
        for (const auto& [digest, tag] : expect.at("by_digest").items()) {
            CAPTURE(digest);
            const auto image = catalog.image_for_digest(collection, digest);
            CHECK((image ? json(image->tag.tag) : json(nullptr)) == tag);
        }
        for (const auto& filter : expect.at("filter")) {
            CAPTURE(filter.dump());
            const FilterPolicy policy = parse_policy_json(filter.at("policy").dump(), "policy");
            const FilterOptions options{*parse_timestamp(filter.at("at").get<std::string>()),
                                        !filter.at("all_arch").get<bool>(), filter.at("invert").get<bool>()};
            CHECK(tags_of(catalog.filter(collection, policy, options)) == filter.at("tags"));
        }
        if (expect.contains("subset")) {
            for (const auto& subset : expect.at("subset")) {
                const json& args = subset.at("args");
                CAPTURE(args.dump());
                SubsetOptions options;
                options.releases = args.at("releases");
                options.weeklies = args.at("weeklies");
                options.dailies = args.at("dailies");
                options.include = args.at("include").get<std::vector<std::string>>();
                options.remove_arch_specific = !args.at("all_arch").get<bool>();
                CHECK(tags_of(catalog.subset(collection, options)) == subset.at("tags"));
            }
        }
    }
}
