// Every scenario of vectors/collections.jsonl through the real rspcat binary: the first batch as
// a full snapshot, the others with --merge, --cycle when the scenario has one.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "image_json_support.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

std::string tsv_of(const json& batch) {
    std::string text;
    for (const auto& image : batch.at("images")) {
        text += image.at("tag").get<std::string>() + "\t" + image.at("digest").get<std::string>();
        if (!image.at("size").is_null()) text += "\t" + std::to_string(image.at("size").get<std::int64_t>());
        text += "\n";
    }
    return text;
}

json tags_of(const json& images) {
    json tags = json::array();
    for (const auto& image : images) tags.push_back(image.at("tag"));
    return tags;
}

// Runs a query and returns its JSON output, failing the test on a non-zero exit.
json query(const std::vector<std::string>& args) {
    const auto result = run_rspcat(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
}

}  // namespace

TEST_CASE("every collections.jsonl scenario through the rspcat command", "[vectors][cli]") {
    const auto lines = read_lines(vectors_path("collections.jsonl"));
    REQUIRE(lines.size() >= 168);
    std::size_t number = 0;
    for (const auto& line : lines) {
        ++number;
        CAPTURE(number);
        const json scenario = json::parse(line);
        TempDir dir;
        const std::string db = dir.file("catalog.db");
        int second = 0;
        for (const auto& batch : scenario.at("batches")) {
            const std::string listing = dir.file("batch" + std::to_string(second) + ".tsv");
            write_text(listing, tsv_of(batch));
            std::vector<std::string> args = {"--db", db, "ingest", "--registry", scenario.at("registry"),
                                             "--repository", scenario.at("repository"),
                                             "--at", "2077-01-01T00:00:" + std::string(second < 10 ? "0" : "") +
                                                         std::to_string(second) + "Z"};
            // The scenarios are in 2077, and some remove most tags or list none, on purpose.
            args.insert(args.end(), {"--allow-future", "--allow-empty", "--max-removed", "100%"});
            for (const auto& alias : scenario.at("aliases")) args.insert(args.end(), {"--alias", alias});
            if (batch.at("merge").get<bool>()) args.push_back("--merge");
            args.push_back(listing);
            const auto result = run_rspcat(args);
            INFO(result.err);
            REQUIRE(result.exit_code == 0);
            ++second;
        }
        std::vector<std::string> base = {"--db", db};
        std::vector<std::string> cycle;
        if (!scenario.at("cycle").is_null()) cycle = {"--cycle", std::to_string(scenario.at("cycle").get<int>())};
        auto command = [&](std::vector<std::string> args) {
            args.insert(args.begin(), base.begin(), base.end());
            args.insert(args.end(), cycle.begin(), cycle.end());
            args.insert(args.end(), {"--format", "json"});
            return query(args);
        };
        const json& expect = scenario.at("expect");
        CHECK(without_manifest_keys_each(command({"images", "--all-arch"})) == expect.at("all"));
        CHECK(tags_of(command({"images"})) == expect.at("default"));
        CHECK(tags_of(command({"images", "--hide-aliased"})) == expect.at("hide_aliased"));
        CHECK(tags_of(command({"images", "--hide-aliased", "--all-arch"})) == expect.at("hide_aliased_all_arch"));
        CHECK(tags_of(command({"images", "--hide-resolved-aliases"})) == expect.at("hide_resolved_aliases"));
        for (const auto& [type, tag] : expect.at("latest").items()) {
            CAPTURE(type);
            const json image = command({"latest", type});
            CHECK((image.is_null() ? json(nullptr) : image.at("tag")) == tag);
        }
        for (const auto& [digest, tag] : expect.at("by_digest").items()) {
            CAPTURE(digest);
            CHECK(command({"show", digest}).at("tag") == tag);
        }
        int policy_number = 0;
        for (const auto& filter : expect.at("filter")) {
            CAPTURE(filter.dump());
            const std::string policy = dir.file("policy" + std::to_string(policy_number++) + ".json");
            write_text(policy, filter.at("policy").dump());
            std::vector<std::string> args = {"filter", "--policy", policy, "--at", filter.at("at")};
            if (filter.at("all_arch").get<bool>()) args.push_back("--all-arch");
            if (filter.at("invert").get<bool>()) args.push_back("--invert");
            CHECK(tags_of(command(args)) == filter.at("tags"));
        }
        if (expect.contains("subset")) {
            for (const auto& subset : expect.at("subset")) {
                const json& a = subset.at("args");
                CAPTURE(a.dump());
                std::vector<std::string> args = {"subset", "--releases", std::to_string(a.at("releases").get<int>()),
                                                 "--weeklies", std::to_string(a.at("weeklies").get<int>()),
                                                 "--dailies", std::to_string(a.at("dailies").get<int>())};
                for (const auto& tag : a.at("include")) args.insert(args.end(), {"--include", tag});
                if (a.at("all_arch").get<bool>()) args.push_back("--all-arch");
                CHECK(tags_of(command(args)) == subset.at("tags"));
            }
        }
    }
}
