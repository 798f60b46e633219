// Rules of model.md §1.2–1.5 that the vectors do not reach: 64-bit overflow, impossible dates, deep
// exp_ nesting, arbitrary bytes, SemVer edge cases. Expected values are worked out from docs/model.md.
#include <catch2/catch.hpp>
#include <random>
#include <tuple>
#include <vector>

#include "rspcat/tag.hpp"

using rspcat::ImageType;
using rspcat::parse_alias_tag;
using rspcat::parse_tag;

TEST_CASE("a number that does not fit in 64 bits makes its rule fail", "[tags]") {
    // INT64_MAX still fits.
    const auto fits = parse_tag("r9223372036854775807_0_0");
    CHECK(fits.type == ImageType::release);
    CHECK(fits.version->major == INT64_MAX);

    const auto major = parse_tag("r9223372036854775808_0_0");
    CHECK(major.type == ImageType::unknown);
    CHECK(major.base == "r9223372036854775808_0_0");

    // The candidate rule fails on its cycle; the release rule then takes `rc1_c….1` as extra.
    const auto cycle = parse_tag("r1_0_0_rc1_c99999999999999999999.1");
    CHECK(cycle.type == ImageType::release);
    CHECK(cycle.extra == "rc1_c99999999999999999999.1");
    CHECK(cycle.display_name == "Release r1.0.0 [rc1_c99999999999999999999.1]");

    // Rule 7 fails on the cycle, rule 8 takes the whole tag.
    const auto unknown = parse_tag("recommended_c99999999999999999999");
    CHECK(unknown.type == ImageType::unknown);
    CHECK_FALSE(unknown.cycle.has_value());
    CHECK(unknown.base == "recommended_c99999999999999999999");

    const auto alias = parse_alias_tag("recommended_c99999999999999999999-amd64");
    CHECK(alias.type == ImageType::alias);
    CHECK_FALSE(alias.cycle.has_value());
    CHECK(alias.base == "recommended_c99999999999999999999");
    CHECK(alias.display_name == "Recommended C99999999999999999999 [amd64]");
}

TEST_CASE("a date that does not exist makes its rule fail", "[tags]") {
    using Row = std::tuple<const char*, ImageType>;
    auto [tag, type] = GENERATE(table<const char*, ImageType>({
        Row{"w_2020_53", ImageType::weekly},   // 2020 is a long ISO year
        Row{"w_2021_53", ImageType::unknown},  // 2021 is not
        Row{"w_2021_00", ImageType::unknown},
        Row{"w_0_10", ImageType::unknown},
        Row{"w_10000_10", ImageType::unknown},
        Row{"w_9999_52", ImageType::weekly},
        Row{"d_2024_02_29", ImageType::daily},
        Row{"d_2023_02_29", ImageType::unknown},
        Row{"d_2021_13_01", ImageType::unknown},
        Row{"d_0000_01_01", ImageType::unknown},
        Row{"d_0001_01_01", ImageType::daily},
    }));
    CAPTURE(tag);
    CHECK(parse_tag(tag).type == type);
}

TEST_CASE("dates print with an unpadded year", "[tags]") {
    CHECK(rspcat::format_date(*parse_tag("d_1_8_2").date) == "1-08-02 00:00:00");
    // ISO 2021-W22 Thursday is 3 June 2021.
    CHECK(rspcat::format_date(*parse_tag("w_2021_22").date) == "2021-06-03 00:00:00");
    CHECK(rspcat::format_date(*parse_tag("w_2021_22").date) == "2021-06-03 00:00:00");
}

TEST_CASE("a weekly's date is the Thursday of its ISO week", "[tags]") {
    // Python's date.fromisocalendar(year, week, 4), as nublado would compute it.
    for (const auto& [tag, date] : std::vector<std::pair<const char*, const char*>>{
             {"w_2020_01", "2020-01-02 00:00:00"},  // the week starts on 30 December 2019
             {"w_2026_01", "2026-01-01 00:00:00"},  // ... on 29 December 2025
             {"w_2021_01", "2021-01-07 00:00:00"},  // ... on 4 January 2021
             {"w_2020_53", "2020-12-31 00:00:00"},
             {"w_2015_53", "2015-12-31 00:00:00"},
             {"w_1_01", "1-01-04 00:00:00"},
             {"w_9999_52", "9999-12-30 00:00:00"},
         }) {
        CAPTURE(tag);
        CHECK(rspcat::format_date(*parse_tag(tag).date) == date);
    }
}

TEST_CASE("deep exp_ nesting parses without recursion", "[tags]") {
    std::string tag;
    for (int i = 0; i < 100000; ++i) tag += "exp_";
    tag += "w_2021_22-amd64";
    const auto parsed = parse_tag(tag);
    CHECK(parsed.type == ImageType::experimental);
    CHECK(parsed.tag == tag);
    CHECK(parsed.version->major == 2021);
    CHECK(parsed.architecture == "amd64");
    CHECK(parsed.display_name.size() == 100000 * std::string("Experimental ").size() +
                                            std::string("Weekly 2021_22 [amd64]").size());
    // `exp_` with nothing after it is not experimental.
    CHECK(parse_tag("exp_").type == ImageType::unknown);
    CHECK(parse_tag("exp_exp_").display_name == "Experimental exp_");
}

TEST_CASE("any byte string parses, and the parse is deterministic", "[tags]") {
    std::mt19937 rng(12345);
    const std::string alphabet = std::string("rwdexpc_-.0123456789amd") + '\0' + "\xff\n";
    for (int i = 0; i < 20000; ++i) {
        std::string tag;
        const int length = static_cast<int>(rng() % 40);
        for (int j = 0; j < length; ++j) tag.push_back(alphabet[rng() % alphabet.size()]);
        const auto a = parse_tag(tag);
        CHECK(a == parse_tag(tag));
        CHECK(a.tag == (tag.empty() ? "latest" : tag));
        CHECK(rspcat::collate_tags(a, a) == 0);
        (void)parse_alias_tag(tag);
    }
}

// TagView is what the SQL accessors, rsp_parse_tag and the rsp_tag collation read: it must say
// exactly what the Tag that parse_tag() makes of it says.
TEST_CASE("a TagView says what its Tag says", "[tags]") {
    std::mt19937 rng(6789);
    const std::string alphabet = std::string("rwdexpcsb_-.0123456789amd\"\\\t") + '\0' + "\xff\xc3\xa9";
    const std::vector<std::string> pieces = {"r", "w_", "d_", "exp_", "_c", ".", "_rsp", "_rc", "-amd64", "_",
                                             "2021", "53", "29", "02", "9223372036854775808", "latest"};
    for (int i = 0; i < 20000; ++i) {
        std::string a, b;
        for (std::string* tag : {&a, &b}) {
            const int length = static_cast<int>(rng() % 12);
            for (int j = 0; j < length; ++j) {
                if (rng() % 2) {
                    tag->append(pieces[rng() % pieces.size()]);
                } else {
                    tag->push_back(alphabet[rng() % alphabet.size()]);
                }
            }
        }
        CAPTURE(a, b);
        const auto tag = parse_tag(a);
        const auto view = rspcat::parse_tag_view(a);
        CHECK(rspcat::to_json(view) == rspcat::to_json(tag));
        std::string name;
        rspcat::append_display_name(name, view);
        CHECK(name == tag.display_name);
        CHECK(rspcat::tag_date(view) == tag.date);
        CHECK((view.version ? std::optional(rspcat::to_semver(*view.version)) : std::nullopt) == tag.version);
        const auto other = parse_tag(b);
        const auto other_view = rspcat::parse_tag_view(b);
        CHECK(rspcat::compare_tags(view, other_view) == rspcat::compare_tags(tag, other));
        CHECK(rspcat::collate_tags(view, other_view) == rspcat::collate_tags(tag, other));
    }
}

TEST_CASE("Title() upper-cases letters after non-letters", "[tags]") {
    CHECK(rspcat::title_case("abc1def") == "Abc1Def");
    CHECK(rspcat::title_case("MiXeD_CaSe") == "Mixed Case");
    CHECK(rspcat::title_case("latest_weekly") == "Latest Weekly");
    CHECK(rspcat::title_case("") == "");
}

TEST_CASE("SemVer precedence", "[semver]") {
    using rspcat::compare_semver;
    using rspcat::parse_semver;
    auto less = [](const char* a, const char* b) {
        CAPTURE(a, b);
        REQUIRE(parse_semver(a));
        REQUIRE(parse_semver(b));
        CHECK(compare_semver(*parse_semver(a), *parse_semver(b)) == -1);
        CHECK(compare_semver(*parse_semver(b), *parse_semver(a)) == 1);
    };
    // The chain from the SemVer 2.0.0 text.
    less("1.0.0-alpha", "1.0.0-alpha.1");
    less("1.0.0-alpha.1", "1.0.0-alpha.beta");
    less("1.0.0-alpha.beta", "1.0.0-beta");
    less("1.0.0-beta", "1.0.0-beta.2");
    less("1.0.0-beta.2", "1.0.0-beta.11");
    less("1.0.0-beta.11", "1.0.0-rc.1");
    less("1.0.0-rc.1", "1.0.0");
    less("1.0.0-rc10", "1.0.0-rc2");
    less("2.9.9", "10.0.0");
    CHECK(compare_semver(*parse_semver("1.0.0+a"), *parse_semver("1.0.0+b")) == 0);
    for (const char* bad : {"", "1", "1.2", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.3+", "1.2.3-a..b",
                            "a.b.c", "1.2.3.4", "99999999999999999999.0.0", "1.2.3 "}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_semver(bad).has_value());
    }
    CHECK(rspcat::to_string(*parse_semver("1.2.3-rc.1+b.5")) == "1.2.3-rc.1+b.5");
}

TEST_CASE("image type names", "[tags]") {
    CHECK(rspcat::image_type_from_name("release-candidate") == ImageType::candidate);
    CHECK(rspcat::image_type_from_name("candidate") == ImageType::candidate);
    CHECK(rspcat::image_type_from_name("Release Candidate") == ImageType::candidate);
    CHECK(rspcat::image_type_from_name("WEEKLY") == ImageType::weekly);
    CHECK_FALSE(rspcat::image_type_from_name("nightly").has_value());
    CHECK(rspcat::type_name(ImageType::experimental) == "Experimental");
}
