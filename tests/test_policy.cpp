// Policies: durations, nublado's document format and its errors, the real deployment policies
// on the sample history (expectations worked out by hand from the data files), prune plans.
#include <catch2/catch.hpp>
#include <date/date.h>
#include <fstream>
#include <map>

#include "rspcat/catalog.hpp"
#include "rspcat/prune.hpp"
#include "catalog_support.hpp"
#include "cli_support.hpp"

using namespace rspcat;
using std::chrono::seconds;

namespace {

std::map<ImageType, std::vector<std::string>> by_type(const std::vector<Image>& images) {
    std::map<ImageType, std::vector<std::string>> out;
    for (const auto& image : images) out[image.tag.type].push_back(image.tag.tag);
    return out;
}

}  // namespace

TEST_CASE("times (cutoffDate, --at) in the forms time.hpp names, written in UTC", "[policy]") {
    using Row = std::tuple<const char*, const char*>;
    auto [text, expected] = GENERATE(table<const char*, const char*>({
        Row{"2025-06-05T12:00:00Z", "2025-06-05T12:00:00Z"},
        Row{"2025-06-05t12:00z", "2025-06-05T12:00:00Z"},
        Row{"2025-06-05 12:00:07.123456789", "2025-06-05T12:00:07Z"},
        Row{"2025-06-05T12:00:00+02:00", "2025-06-05T10:00:00Z"},
        Row{"2025-06-05T12:00-0130", "2025-06-05T13:30:00Z"},
        Row{"2024-02-29", "2024-02-29T00:00:00Z"},
        Row{"0000-01-01", "0000-01-01T00:00:00Z"},
        Row{"0000-01-01T00:00+01:00", "-0001-12-31T23:00:00Z"},
        Row{"9999-12-31T23:59:59-01:00", "10000-01-01T00:59:59Z"},
        // What date::parse would take and the catalog's form never had: refused.
        Row{"2025-6-5", ""},
        Row{"+2025-06-05", ""},
        Row{"2025-06-05T12:00+02", ""},
        Row{"2025-06-05T24:00", ""},
        Row{"2023-02-29", ""},
        Row{"2025-06-05T12:00:00Zjunk", ""},
    }));
    CAPTURE(text);
    const auto t = parse_timestamp(text);
    CHECK((t ? format_timestamp(*t) : std::string()) == expected);
}

TEST_CASE("durations in every form model.md §4 names", "[policy]") {
    using Row = std::tuple<const char*, long long>;
    auto [text, expected] = GENERATE(table<const char*, long long>({
        Row{"3600", 3600},
        Row{"3w", 3 * 604800},
        Row{"5w4d", 5 * 604800 + 4 * 86400},
        Row{"4h 3minutes", 4 * 3600 + 3 * 60},
        Row{"2 weeks", 2 * 604800},
        Row{" 1d 2hr 3min 4s ", 86400 + 7200 + 180 + 4},
        Row{"1day2hours3mins4secs", 86400 + 7200 + 180 + 4},
        Row{"P3W", 3 * 604800},
        Row{"P1DT12H", 86400 + 12 * 3600},
        Row{"PT90M", 90 * 60},
        Row{"P1W2DT3H4M5S", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5},
    }));
    CAPTURE(text);
    const auto d = parse_duration(text);
    REQUIRE(d);
    CHECK(d->count() == expected);
}

TEST_CASE("durations that are not durations", "[policy]") {
    for (const char* bad : {"", "w", "3", "3x", "3d2w", "3w3w", "5ms", "P1Y", "P1M", "P", "PT", "P1.5D", "P1H",
                            "-3w", "3 w 2", "99999999999999999999w", "1000000000000000w"}) {
        CAPTURE(bad);
        // "3" is three seconds; everything else here is malformed.
        if (std::string(bad) == "3") {
            CHECK(parse_duration(bad) == seconds{3});
        } else {
            CHECK_FALSE(parse_duration(bad).has_value());
        }
    }
}

TEST_CASE("policy documents in JSON and YAML, camelCase and snake_case", "[policy]") {
    const auto yaml = parse_policy_yaml(
        "release:\n  cutoff_version: 29.0.0\nrelease_candidate: null\nweekly:\n  number: 78\n  age: 5w4d\n"
        "daily:\n  cutoffDate: 2021-05-31\n  cutoffBuild: 7\n",
        "p.yaml");
    const auto json = parse_policy_json(
        R"({"release": {"cutoffVersion": "29.0.0"}, "weekly": {"number": 78, "age": "5w4d"},
            "daily": {"cutoff_date": "2021-05-31T00:00:00Z", "cutoff_build": 7}})",
        "p.json");
    CHECK(yaml == json);
    CHECK(yaml.block(ImageType::weekly)->age == seconds{5 * 604800 + 4 * 86400});
    CHECK_FALSE(yaml.block(ImageType::candidate).has_value());
    CHECK_FALSE(yaml.block(ImageType::experimental).has_value());

    // Every real deployment policy reads the same from its YAML and its JSON file.
    for (const char* env : {"idfdemo", "idfdev", "idfint", "idfprod", "usdfprod"}) {
        CAPTURE(env);
        const std::string base = test::data_path(std::string("policies/") + env);
        CHECK(load_policy_file(base + ".yaml") == load_policy_file(base + ".json"));
    }
}

TEST_CASE("policy errors name the document, the key and the value", "[policy]") {
    using Row = std::tuple<const char*, const char*>;
    auto [text, message] = GENERATE(table<const char*, const char*>({
        Row{R"({"nightly": {}})", "p: nightly: unknown key"},
        Row{R"({"weekly": {"numbr": 3}})", "p: weekly.numbr: unknown key"},
        Row{R"({"weekly": {"number": -3}})", "p: weekly.number: -3 is negative"},
        Row{R"({"weekly": {"number": "many"}})", "p: weekly.number: 'many' is not a whole number"},
        Row{R"({"weekly": {"number": 2.5}})", "p: weekly.number: 2.5 is not a whole number"},
        Row{R"({"weekly": {"age": "3 fortnights"}})", "p: weekly.age: '3 fortnights' is not a duration"},
        Row{R"({"weekly": {"age": -5}})", "p: weekly.age: -5 is negative"},
        Row{R"({"daily": {"cutoffDate": "yesterday"}})", "p: daily.cutoffDate: 'yesterday' is not an ISO 8601"},
        Row{R"({"release": {"cutoffVersion": "29"}})", "p: release.cutoffVersion: '29' is not a semantic version"},
        Row{R"({"release": {"cutoffBuild": -1}})", "p: release.cutoffBuild: -1 is negative"},
        Row{R"({"release": {"cutoffVersion": "1.0.0", "cutoff_version": "2.0.0"}})", "given twice"},
        Row{R"({"release": 5})", "p: release: expected a mapping"},
        Row{R"([1, 2])", "p: the policy must be a mapping"},
        Row{R"({"release": )", "p: not valid JSON"},
    }));
    CAPTURE(text);
    CHECK_THROWS_WITH(parse_policy_json(text, "p"), Catch::Contains(message));
}

TEST_CASE("JSON policies nested deeper than 64 levels are refused, naming the limit", "[policy]") {
    auto number_nested = [](std::size_t levels) {
        return R"({"weekly": {"number": )" + std::string(levels, '[') + std::string(levels, ']') + "}}";
    };
    // The policy and the block are 2 levels: 62 more make 64, read (and refused for what they are).
    CHECK_THROWS_WITH(parse_policy_json(number_nested(62), "p"), "p: weekly.number: a list is not a whole number");
    CHECK_THROWS_WITH(parse_policy_json(number_nested(63), "p"),
                      Catch::StartsWith("p: ") && Catch::Contains("nested deeper than 64 levels"));
    CHECK_THROWS_WITH(parse_policy_json(number_nested(100000), "p"),
                      Catch::StartsWith("p: ") && Catch::Contains("nested deeper than 64 levels"));
}

TEST_CASE("the real deployment policies on the sample history", "[policy][history]") {
    const Catalog catalog = test::history_catalog();
    const Timestamp last = *parse_timestamp("2026-08-06T12:00:00Z");
    // Worked out from the last snapshot of sciplat-lab-history.tsv: 17 releases, 292 generic
    // weeklies (w_2026_32 back to w_2021_01), 23 dailies (d_2026_07_07 … d_2026_08_06), 9 release
    // candidates, one experimental (exp_0.32.1, undated) and four aliases.
    const std::vector<std::string> aliases = {"recommended", "latest_weekly", "latest_release", "latest_daily"};
    const std::vector<std::string> rcs_from_29_2_1 = {"r30_0_10_rc3_rsp2984", "r30_0_10_rc2_rsp2979",
                                                      "r30_0_10_rc1_rsp2969", "r30_0_9_rc1_rsp2957"};
    struct Expect {
        const char* env;
        std::vector<std::string> releases;
        std::size_t weeklies;
        const char* oldest_weekly;
        std::size_t dailies;
        const char* oldest_daily;
    };
    const std::vector<std::string> from_29_0_0 = {"r30_0_10_rsp2991", "r29_2_0_rsp2697", "r29_2_0_rsp2648",
                                                  "r29_2_0_rsp2244", "r29_1_1", "r29_0_0"};
    for (const Expect& e : std::vector<Expect>{
             {"idfprod", from_29_0_0, 78, "w_2025_07", 23, "d_2026_07_07"},
             {"idfint", from_29_0_0, 78, "w_2025_07", 23, "d_2026_07_07"},
             {"usdfprod", from_29_0_0, 78, "w_2025_07", 23, "d_2026_07_07"},
             {"idfdev", {"r30_0_10_rsp2991", "r29_2_0_rsp2697", "r29_2_0_rsp2648", "r29_2_0_rsp2244"}, 26,
              "w_2026_07", 5, "d_2026_07_31"},
             {"idfdemo", {"r30_0_10_rsp2991"}, 3, "w_2026_30", 5, "d_2026_07_31"},
         }) {
        CAPTURE(e.env);
        const FilterPolicy policy = load_policy_file(test::data_path(std::string("policies/") + e.env + ".yaml"));
        auto kept = by_type(catalog.filter({}, policy, {last, true, false}));
        CHECK(kept[ImageType::alias] == aliases);
        CHECK(kept[ImageType::release] == e.releases);
        CHECK(kept[ImageType::weekly].size() == e.weeklies);
        CHECK(kept[ImageType::weekly].front() == "w_2026_32");
        CHECK(kept[ImageType::weekly].back() == e.oldest_weekly);
        CHECK(kept[ImageType::daily].size() == e.dailies);
        CHECK(kept[ImageType::daily].front() == "d_2026_08_06");
        CHECK(kept[ImageType::daily].back() == e.oldest_daily);
        CHECK(kept[ImageType::candidate] == rcs_from_29_2_1);
        CHECK(kept[ImageType::experimental] == std::vector<std::string>{"exp_0.32.1"});

        // Inverted: exactly the rest of each filtered type, nothing of the others.
        auto pruned = by_type(catalog.filter({}, policy, {last, true, true}));
        CHECK(pruned[ImageType::release].size() == 17 - e.releases.size());
        CHECK(pruned[ImageType::weekly].size() == 292 - e.weeklies);
        CHECK(pruned[ImageType::daily].size() == 23 - e.dailies);
        CHECK(pruned[ImageType::candidate].size() == 9 - 4);
        CHECK(pruned[ImageType::alias].empty());
        CHECK(pruned[ImageType::experimental].empty());
    }

    // Ages: on 2 June 2022 three dated experimentals (weeks 4–6 of 2022) were more than 3 weeks
    // old; the undated ones stay.
    const Timestamp june = *parse_timestamp("2022-06-02T12:00:00Z");
    const FilterPolicy idfprod = load_policy_file(test::data_path("policies/idfprod.json"));
    auto then = by_type(catalog.filter({.at = june}, idfprod, {june, true, false}));
    for (const auto& tag : then[ImageType::experimental]) CHECK_FALSE(tag.starts_with("exp_w_"));
    auto dropped = by_type(catalog.filter({.at = june}, idfprod, {june, true, true}));
    CHECK(dropped[ImageType::experimental] ==
          std::vector<std::string>{"exp_w_2022_06_pdf", "exp_w_2022_05_shallowclone", "exp_w_2022_04_mamba"});
}

namespace {

Image image(const std::string& tag, const std::string& digest, std::optional<std::int64_t> size = 100,
            std::optional<std::string> alias_target = std::nullopt) {
    Image i;
    i.tag = parse_tag(tag);
    if (alias_target) i.tag.type = ImageType::alias;
    i.alias_target = alias_target;
    i.digest = "sha256:" + std::string(63, '0') + digest;
    i.size = size;
    return i;
}

}  // namespace

TEST_CASE("prune plans delete by digest and protect what is still needed", "[policy]") {
    // Menu order: alias, weeklies newest first with their variants after the generic build.
    const std::vector<Image> images = {
        image("recommended", "3", std::nullopt, "w_2077_03"),
        image("w_2077_05", "5"),
        image("w_2077_05-amd64", "a"),
        image("w_2077_04", "4"),
        image("w_2077_04-amd64", "b"),
        image("w_2077_04-arm64", "c"),
        image("w_2077_03", "3"),
        image("w_2077_02", "2"),
        image("w_2077_02_extra", "2"),
        image("w_2077_01-arm64", "d", 7),  // a variant without a generic build stands for its build
    };
    const FilterPolicy policy = parse_policy_json(R"({"weekly": {"number": 2}})", "p");
    const PrunePlan plan = plan_prune(images, policy, *parse_timestamp("2078-01-01"), {"w_2077_02_extra"});
    // Builds kept: w_2077_05 and w_2077_04 with their variants (number counts builds, not tags).
    std::vector<std::string> deleted;
    for (const auto& d : plan.deletions) {
        for (const auto& t : d.tags) deleted.push_back(t);
    }
    CHECK(deleted == std::vector<std::string>{"w_2077_01-arm64"});
    CHECK(plan.bytes == 7);
    REQUIRE(plan.protections.size() == 2);
    // w_2077_03 is what `recommended` points to.
    CHECK(plan.protections[0].tags == std::vector<std::string>{"w_2077_03"});
    CHECK(plan.protections[0].kept_by == std::vector<std::string>{"recommended"});
    // w_2077_02's digest is also w_2077_02_extra's, which --keep names.
    CHECK(plan.protections[1].tags == std::vector<std::string>{"w_2077_02", "w_2077_02_extra"});
    CHECK(plan.protections[1].kept_by == std::vector<std::string>{"w_2077_02_extra"});

    // Without --keep, that digest goes, with both its tags.
    const PrunePlan no_keep = plan_prune(images, policy, *parse_timestamp("2078-01-01"), {});
    REQUIRE(no_keep.deletions.size() == 2);
    CHECK(no_keep.deletions[0].tags == std::vector<std::string>{"w_2077_02", "w_2077_02_extra"});
    CHECK(no_keep.bytes == 107);
}

TEST_CASE("a protected multi-architecture build keeps its architecture-specific images", "[policy]") {
    // recommended is on w_2077_03's index; its -amd64 and -arm64 images are what the index
    // references, so they stay with it although no kept tag is on their digests.
    const std::vector<Image> images = {
        image("recommended", "i", std::nullopt, "w_2077_03"),
        image("w_2077_05", "5"),
        image("w_2077_04", "4"),
        image("w_2077_03", "i"),
        image("w_2077_03-amd64", "x", 10),
        image("w_2077_03-arm64", "y", 20),
        image("w_2077_02-amd64", "z", 30),
    };
    const FilterPolicy policy = parse_policy_json(R"({"weekly": {"number": 2}})", "p");
    const PrunePlan plan = plan_prune(images, policy, *parse_timestamp("2078-01-01"), {});
    REQUIRE(plan.deletions.size() == 1);
    CHECK(plan.deletions[0].tags == std::vector<std::string>{"w_2077_02-amd64"});
    CHECK(plan.bytes == 30);
    REQUIRE(plan.protections.size() == 3);
    for (const auto& protection : plan.protections) CHECK(protection.kept_by == std::vector<std::string>{"recommended"});
    CHECK(plan.protections[1].tags == std::vector<std::string>{"w_2077_03-amd64"});
    CHECK(plan.protections[2].tags == std::vector<std::string>{"w_2077_03-arm64"});
}

TEST_CASE("an age that reaches back past the earliest time keeps every date", "[policy]") {
    // Issue 11, item 7: 106751991167300 days and 2^63 − 1 seconds both read as durations, and
    // basis − age overflowed for a basis before 1970 (UBSan halts there) and wrapped to a cut-off
    // far in the future that dropped everything.
    const std::vector<Image> images = {image("w_1899_40", "1"), image("w_1850_01", "2"), image("d_1899_12_31", "3")};
    const Timestamp basis = *parse_timestamp("1900-01-01");
    for (const char* text : {R"({"weekly": {"age": "106751991167300d"}, "daily": {"age": "106751991167300d"}})",
                             R"({"weekly": {"age": 9223372036854775807}, "daily": {"age": 9223372036854775807}})"}) {
        CAPTURE(text);
        const FilterPolicy policy = parse_policy_json(text, "p");
        std::vector<std::string> kept;
        for (const Image& i : apply_policy(images, policy, {basis, true, false})) kept.push_back(i.tag.tag);
        CHECK(kept == std::vector<std::string>{"w_1899_40", "w_1850_01", "d_1899_12_31"});
        CHECK(apply_policy(images, policy, {basis, true, true}).empty());
        CHECK(plan_prune(images, policy, basis, {}).deletions.empty());
    }
    // An age that fits still cuts: 2000 weeks (38 years) before 1900 drops 1850.
    const FilterPolicy short_age = parse_policy_json(R"({"weekly": {"age": "2000w"}})", "p");
    std::vector<std::string> kept;
    for (const Image& i : apply_policy(images, short_age, {basis, true, false})) kept.push_back(i.tag.tag);
    CHECK(kept == std::vector<std::string>{"w_1899_40", "d_1899_12_31"});
}

TEST_CASE("rspcat filter and prune with an age that reaches back past the earliest time", "[policy][cli]") {
    using test::run_rspcat;
    test::TempDir dir;
    const std::string db = dir.file("c.db");
    const std::string d1 = "sha256:" + std::string(64, '1'), d2 = "sha256:" + std::string(64, '2');
    test::write_text(dir.file("l.tsv"), "w_1899_20\t" + d1 + "\t10\nw_1850_01\t" + d2 + "\t20\n");
    test::write_text(dir.file("p.yaml"), "weekly:\n  age: 106751991167300d\n");
    REQUIRE(run_rspcat({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", "--at",
                        "1899-06-01", dir.file("l.tsv")})
                .exit_code == 0);

    const auto filtered = run_rspcat({"--db", db, "filter", "--policy", dir.file("p.yaml"), "--at", "1900-01-01",
                                      "--format", "csv"});
    INFO(filtered.err);
    REQUIRE(filtered.exit_code == 0);
    CHECK(filtered.out.find("\nw_1899_20,") != std::string::npos);
    CHECK(filtered.out.find("\nw_1850_01,") != std::string::npos);

    const auto plan = run_rspcat({"--db", db, "prune", "--policy", dir.file("p.yaml"), "--at", "1900-01-01",
                                  "--format", "json"});
    INFO(plan.err);
    REQUIRE(plan.exit_code == 0);
    CHECK(plan.out == "{\"bytes\":0,\"delete\":[],\"protected\":[]}\n");
}

// Issue 14 §3: policies read as operators hold them.

TEST_CASE("a policy document that is empty, only comments or not a mapping is refused", "[policy]") {
    using Row = std::tuple<const char*, const char*>;
    auto [text, message] = GENERATE(table<const char*, const char*>({
        Row{"", "p: the document is empty; a policy is a mapping of image types to filters"},
        Row{" \n\t\n", "p: the document is empty"},
        Row{"# weekly:\n#   number: 3\n", "p: the document holds only comments"},
        Row{"---\n# nothing yet\n...\n", "p: the document holds only comments"},
        Row{"null\n", "p: the policy must be a mapping of image types to filters, not null"},
        Row{"~\n", "p: the policy must be a mapping of image types to filters, not null"},
        Row{"- weekly\n", "p: the policy must be a mapping of image types to filters, not a list"},
        Row{"weekly\n", "p: the policy must be a mapping of image types to filters, not 'weekly'"},
    }));
    CAPTURE(text);
    CHECK_THROWS_AS(parse_policy_yaml(text, "p"), PolicyError);
    CHECK_THROWS_WITH(parse_policy_yaml(text, "p"), Catch::StartsWith(message));
}

TEST_CASE("JSON policies that are empty or null are refused, and an empty mapping keeps everything", "[policy]") {
    CHECK_THROWS_WITH(parse_policy_json("", "p"), Catch::StartsWith("p: the document is empty"));
    CHECK_THROWS_WITH(parse_policy_json("  \n", "p"), Catch::StartsWith("p: the document is empty"));
    CHECK_THROWS_WITH(parse_policy_json("null", "p"), Catch::StartsWith("p: the policy must be a mapping"));
    CHECK(parse_policy_json("{}", "p") == FilterPolicy{});
    CHECK(parse_policy_yaml("{}\n", "p") == FilterPolicy{});
    CHECK(parse_policy_yaml("# keeps everything\n{}\n", "p") == FilterPolicy{});
}

TEST_CASE("policy files that cannot be read say why", "[policy]") {
    test::TempDir dir;
    CHECK_THROWS_AS(load_policy_file(dir.path().string()), PolicyError);
    CHECK_THROWS_WITH(load_policy_file(dir.path().string()),
                      "cannot read policy " + dir.path().string() + ": Is a directory");
    CHECK_THROWS_WITH(load_policy_file(dir.file("missing.yaml")),
                      "cannot read policy " + dir.file("missing.yaml") + ": No such file or directory");
    test::write_text(dir.file("empty.yaml"), "");
    CHECK_THROWS_WITH(load_policy_file(dir.file("empty.yaml")),
                      Catch::StartsWith(dir.file("empty.yaml") + ": the document is empty"));
    test::write_text(dir.file("empty.json"), "");
    CHECK_THROWS_WITH(load_policy_file(dir.file("empty.json")),
                      Catch::StartsWith(dir.file("empty.json") + ": the document is empty"));
}

TEST_CASE("keys given twice are refused in YAML and JSON, naming the key and where", "[policy]") {
    // Before: YAML kept the first and JSON the last, so one policy meant two things.
    CHECK_THROWS_WITH(parse_policy_yaml("weekly:\n  number: 2\n  age: 3w\n  number: 9\n", "p"),
                      "p: weekly.number: given twice (lines 2 and 4)");
    CHECK_THROWS_WITH(parse_policy_yaml("weekly: {number: 2}\ndaily: {}\nweekly: {number: 9}\n", "p"),
                      "p: weekly: given twice (lines 1 and 3)");
    CHECK_THROWS_WITH(parse_policy_json(R"({"weekly": {"number": 2, "age": "3w", "number": 9}})", "p"),
                      "p: weekly.number: given twice");
    CHECK_THROWS_WITH(parse_policy_json("{\"weekly\": {\"number\": 2},\n \"weekly\": {\"number\": 9}}", "p"),
                      "p: weekly: given twice");
    // JSON read as YAML (a .yaml file, standard input) is refused the same way.
    CHECK_THROWS_WITH(parse_policy_yaml(R"({"weekly": {"number": 2, "number": 9}})", "p"),
                      Catch::StartsWith("p: weekly.number: given twice"));
    // Anywhere in the document, lists included: a values file's other settings too.
    CHECK_THROWS_WITH(parse_policy_yaml("lab:\n  volumes:\n    - name: a\n    - name: b\n      name: c\nweekly: {}\n",
                                        "p", "weekly"),
                      "p: lab.volumes[1].name: given twice (lines 4 and 5)");
    CHECK_THROWS_WITH(parse_policy_json(R"({"lab": [{"name": "a"}, {"name": "b", "name": "c"}], "weekly": {}})", "p",
                                        "weekly"),
                      "p: lab[1].name: given twice");
    // The same key in different mappings is no duplicate.
    CHECK(parse_policy_json(R"({"weekly": {"number": 2}, "daily": {"number": 2}})", "p") ==
          parse_policy_yaml("weekly: {number: 2}\ndaily: {number: 2}\n", "p"));
}

TEST_CASE("YAML in a .json policy fails in rspcat's words, and JSON in a .yaml policy reads", "[policy]") {
    const std::string yaml = test::read_file(test::data_path("policies/idfprod.yaml"));
    const std::string json = test::read_file(test::data_path("policies/idfprod.json"));
    const auto yaml_as_json = [&] { parse_policy(yaml, "idfprod.json", PolicyFormat::json); };
    CHECK_THROWS_AS(yaml_as_json(), PolicyError);
    CHECK_THROWS_WITH(yaml_as_json(), Catch::StartsWith("idfprod.json: not valid JSON at line 1, column 1 (near 'daily:')") &&
                                          Catch::EndsWith("; the text is YAML, which rspcat reads only from files "
                                                          "not named .json") &&
                                          !Catch::Contains("json.exception") && !Catch::Contains("parse error"));
    CHECK_THROWS_WITH(parse_policy_json("{\"weekly\": {\"number\": 2}\n", "p"),
                      "p: not valid JSON at line 2, column 1: the text ends before the document does");
    CHECK_THROWS_WITH(parse_policy_json("{\"weekly\": {\"number\": 2}\n \"daily\": {}}", "p"),
                      Catch::StartsWith("p: not valid JSON at line 2, column ") && !Catch::Contains("the text is YAML"));
    CHECK(parse_policy(json, "idfprod.yaml", PolicyFormat::yaml) == parse_policy(json, "idfprod.json", PolicyFormat::json));
    CHECK(policy_format_of("a/idfprod.json") == PolicyFormat::json);
    CHECK(policy_format_of("a/idfprod.yaml") == PolicyFormat::yaml);
    CHECK(policy_format_of("values.yml") == PolicyFormat::yaml);
}

TEST_CASE("a policy inside a deployment's values file, by its key path", "[policy]") {
    const std::string values = test::source_path("tests/policies/values-idfprod.yaml");
    const FilterPolicy idfprod = load_policy_file(test::data_path("policies/idfprod.yaml"));
    CHECK(load_policy_file(values, "controller.config.dropdownMenu") == idfprod);
    CHECK(parse_policy_yaml(test::read_file(values), "v", "controller.config.dropdownMenu") == idfprod);

    // The whole values file is no policy; paths that lead nowhere name where they stop.
    CHECK_THROWS_WITH(load_policy_file(values), Catch::StartsWith(values + ": controller: unknown key"));
    CHECK_THROWS_WITH(load_policy_file(values, "controller.config.dropdown"),
                      values + ": no policy at controller.config.dropdown: controller.config has no key 'dropdown' "
                               "(it has keys dropdownMenu, images, lab)");
    CHECK_THROWS_WITH(load_policy_file(values, "controler.config.dropdownMenu"),
                      values + ": no policy at controler.config.dropdownMenu: the document has no key 'controler' "
                               "(it has keys controller, hub)");
    CHECK_THROWS_WITH(load_policy_file(values, "controller.slackAlerts.dropdownMenu"),
                      values + ": no policy at controller.slackAlerts.dropdownMenu: controller.slackAlerts is true, "
                               "not a mapping");
    CHECK_THROWS_WITH(load_policy_file(values, "controller.config.lab.volumes"),
                      Catch::StartsWith(values + ": controller.config.lab.volumes: the policy must be a mapping of "
                                                 "image types to filters, not a list"));
    CHECK_THROWS_WITH(load_policy_file(values, "controller.config"),
                      Catch::StartsWith(values + ": controller.config.dropdownMenu: unknown key"));
    for (const char* bad : {"controller..config", ".controller", "controller."}) {
        CAPTURE(bad);
        CHECK_THROWS_WITH(load_policy_file(values, bad), Catch::Contains("is not a key path"));
    }

    // Errors inside the policy name the whole path; an empty value at the path is no policy.
    CHECK_THROWS_WITH(parse_policy_yaml("controller:\n  config:\n    dropdownMenu:\n      weekly:\n        number: -5\n",
                                        "v", "controller.config.dropdownMenu"),
                      "v: controller.config.dropdownMenu.weekly.number: -5 is negative");
    CHECK_THROWS_WITH(parse_policy_yaml("controller:\n  config:\n    dropdownMenu:\n", "v", "controller.config.dropdownMenu"),
                      Catch::StartsWith("v: controller.config.dropdownMenu: the policy must be a mapping of image types "
                                        "to filters, not null"));
    CHECK_THROWS_WITH(parse_policy_json(R"({"controller": {"config": {"dropdownMenu": {"nightly": {}}}}})", "v",
                                        "controller.config.dropdownMenu"),
                      Catch::StartsWith("v: controller.config.dropdownMenu.nightly: unknown key"));
    CHECK(parse_policy_json(R"({"a": {"b": {"weekly": {"number": 78}}}})", "v", "a.b") ==
          parse_policy_json(R"({"weekly": {"number": 78}})", "v"));
}

TEST_CASE("policy references: FILE and FILE#KEY.PATH", "[policy]") {
    test::TempDir dir;
    const auto ref = parse_policy_reference("values.yaml#controller.config.dropdownMenu");
    CHECK(ref.file == "values.yaml");
    CHECK(ref.key_path == "controller.config.dropdownMenu");
    CHECK(parse_policy_reference("idfprod.yaml").key_path.empty());
    CHECK(parse_policy_reference("a#b/values.yaml#x.y").file == "a#b/values.yaml");
    CHECK(parse_policy_reference("-#x.y").file == "-");
    // A file whose name has a '#' is that file.
    test::write_text(dir.file("odd#name.yaml"), "{}\n");
    CHECK(parse_policy_reference(dir.file("odd#name.yaml")).file == dir.file("odd#name.yaml"));
    CHECK(parse_policy_reference(dir.file("odd#name.yaml")).key_path.empty());
}

TEST_CASE("format_timestamp writes what date::format writes, every year from 0 to 9999 and beyond", "[policy]") {
    // Written by hand for speed: checked against the library it replaced, on a day of every
    // year (leap days, ends of months, and seconds through the day) and outside 0…9999.
    std::size_t checked = 0;
    for (long long year = -3; year <= 10002; ++year) {
        const auto day = date::sys_days{date::year{static_cast<int>(year)} / date::month{2} / date::last};
        for (const long long seconds : {0LL, 1LL, 59LL, 3599LL, 45296LL, 86399LL}) {
            const Timestamp t = day + std::chrono::seconds{seconds} + date::days{year % 300};
            CHECK(format_timestamp(t) == date::format("%Y-%m-%dT%H:%M:%SZ", t));
            ++checked;
        }
    }
    CHECK(checked == 6 * 10006);
    CHECK(format_timestamp(*parse_timestamp("2024-02-29T23:59:59Z")) == "2024-02-29T23:59:59Z");
}
