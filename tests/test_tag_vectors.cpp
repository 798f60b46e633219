// The test vectors, whole, through the C++ API: every line of tags.jsonl (grammar and alias
// parse), every pair and set of order.json, and nublado's rspimagetag fixtures.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "rspcat/tag.hpp"
#include "test_support.hpp"

using nlohmann::json;
using rspcat::test::read_file;
using rspcat::test::read_lines;
using rspcat::test::vectors_path;

TEST_CASE("every line of tags.jsonl parses as the vector says", "[vectors][tags]") {
    const auto lines = read_lines(vectors_path("tags.jsonl"));
    REQUIRE(lines.size() > 3000);
    std::size_t parse_ok = 0, alias_ok = 0;
    for (const auto& line : lines) {
        const json vector = json::parse(line);
        const std::string tag = vector.at("tag");
        CAPTURE(tag);
        const json parsed = json::parse(rspcat::to_json(rspcat::parse_tag(tag)));
        const json alias = json::parse(rspcat::to_json(rspcat::parse_alias_tag(tag)));
        CHECK(parsed == vector.at("parse"));
        CHECK(alias == vector.at("alias"));
        parse_ok += parsed == vector.at("parse");
        alias_ok += alias == vector.at("alias");
    }
    CHECK(parse_ok == lines.size());
    CHECK(alias_ok == lines.size());
}

TEST_CASE("every pair of order.json compares as the vector says", "[vectors][order]") {
    const json order = json::parse(read_file(vectors_path("order.json")));
    const auto& pairs = order.at("pairs");
    REQUIRE(pairs.size() >= 3000);
    for (const auto& pair : pairs) {
        const std::string a = pair.at("a"), b = pair.at("b");
        CAPTURE(a, b);
        const auto result = rspcat::compare_tags(rspcat::parse_tag(a), rspcat::parse_tag(b));
        if (pair.at("compare").is_null()) {
            CHECK_FALSE(result.has_value());
        } else {
            REQUIRE(result.has_value());
            CHECK(*result == pair.at("compare").get<int>());
        }
    }
}

TEST_CASE("every set of order.json sorts into menu order", "[vectors][order]") {
    const json order = json::parse(read_file(vectors_path("order.json")));
    const auto& sets = order.at("sets");
    REQUIRE(sets.size() >= 200);
    for (const auto& set : sets) {
        std::vector<std::string> tags = set.at("tags");
        const std::vector<std::string> expected = set.at("desc");
        std::stable_sort(tags.begin(), tags.end(), [](const std::string& a, const std::string& b) {
            return rspcat::collate_tags(rspcat::parse_tag(a), rspcat::parse_tag(b)) > 0;
        });
        CAPTURE(set.at("tags").dump());
        CHECK(tags == expected);
    }
}

TEST_CASE("nublado's rspimagetag fixtures parse as nublado parses them", "[vectors][nublado]") {
    const auto dir = std::filesystem::path(vectors_path("nublado/controller/rspimagetag"));
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".json") continue;
        const json expected = json::parse(read_file(entry.path().string()));
        const std::string tag = expected.at("tag");
        CAPTURE(entry.path().filename().string());
        CHECK(json::parse(rspcat::to_json(rspcat::parse_tag(tag))) == expected);
        ++count;
    }
    CHECK(count >= 14);
}
