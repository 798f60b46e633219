// Catalog::repository_summaries, Catalog::snapshots, Catalog::add_alias_tags and
// Catalog::remove_alias_tags, and the error that lists the repositories when a query names none
// in a catalog of several.
#include <catch2/catch.hpp>

#include "catalog_calls.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using namespace rspcat::test;

namespace {

Timestamp at(const char* text) { return *parse_timestamp(text); }

IngestSpec spec_of(const RepositoryName& repository, const char* time, std::vector<std::string> aliases = {},
                   bool merge = false) {
    return {repository, std::move(aliases), at(time), "test", merge};
}

const RepositoryName lab{"example.org", "lab"};
const RepositoryName other{"other.org", "lab2"};

// example.org/lab: a full snapshot, a merge and a full snapshot; other.org/lab2: one snapshot.
Catalog two_repositories() {
    Catalog catalog(":memory:");
    catalog.ingest(spec_of(lab, "2021-06-01", {"recommended", "latest_weekly"}),
                   rows_of({{"w_2021_22", digest('1'), 100, 1}, {"recommended", digest('1'), {}, 2}}));
    catalog.ingest(spec_of(lab, "2021-06-05", {}, true), rows_of({{"w_2021_23", digest('2'), 200, 1}}));
    catalog.ingest(spec_of(lab, "2021-06-08"), rows_of({{"w_2021_23", digest('2'), 200, 1},
                                                       {"w_2021_24", digest('3'), 300, 2},
                                                       {"recommended", digest('3'), {}, 3}}));
    catalog.ingest(spec_of(other, "2021-07-01"), rows_of({{"w_2021_26", digest('4'), 400, 1}}));
    return catalog;
}

}  // namespace

TEST_CASE("repository_summaries gives each repository's tags, alias tags and snapshot times", "[catalog][admin]") {
    CHECK(Catalog(":memory:").repository_summaries().empty());
    Catalog catalog = two_repositories();
    const auto summaries = catalog.repository_summaries();
    REQUIRE(summaries.size() == 2);
    CHECK(summaries[0].name == lab);
    CHECK(summaries[0].tag_count == 3);
    CHECK(summaries[0].aliases == std::vector<std::string>{"latest_weekly", "recommended"});
    CHECK(summaries[0].snapshot_count == 3);
    CHECK(summaries[0].first_snapshot == at("2021-06-01"));
    CHECK(summaries[0].last_snapshot == at("2021-06-08"));
    CHECK(summaries[1].name == other);
    CHECK(summaries[1].tag_count == 1);
    CHECK(summaries[1].aliases.empty());
    CHECK(summaries[1].snapshot_count == 1);
    CHECK(summaries[1].first_snapshot == at("2021-07-01"));
    CHECK(summaries[1].last_snapshot == at("2021-07-01"));
}

TEST_CASE("snapshots lists a repository's snapshots newest first, with their counts", "[catalog][admin]") {
    Catalog catalog = two_repositories();
    const auto all = catalog.snapshots(lab);
    REQUIRE(all.size() == 3);
    CHECK(all[0].taken_at == at("2021-06-08"));
    CHECK_FALSE(all[0].merge);
    CHECK(all[0].source == "test");
    CHECK(all[0].tag_count == 3);
    CHECK(all[0].added == 1);  // w_2021_24
    CHECK(all[0].moved == 1);  // recommended
    CHECK(all[0].removed == 1);  // w_2021_22
    CHECK(all[1].taken_at == at("2021-06-05"));
    CHECK(all[1].merge);
    CHECK(all[1].added == 1);
    CHECK(all[2].taken_at == at("2021-06-01"));
    CHECK(all[2].added == 2);
    CHECK(all[0].id > all[1].id);
    CHECK(all[1].id > all[2].id);

    const auto newest = catalog.snapshots(lab, 2);
    REQUIRE(newest.size() == 2);
    CHECK(newest[0].id == all[0].id);
    CHECK(newest[1].id == all[1].id);
    CHECK(catalog.snapshots(other).size() == 1);

    // Two snapshots at one time: the later ingest first.
    catalog.ingest(spec_of(other, "2021-07-01", {}, true), rows_of({{"w_2021_27", digest('5'), 500, 1}}));
    const auto same_time = catalog.snapshots(other);
    REQUIRE(same_time.size() == 2);
    CHECK(same_time[0].merge);
    CHECK_FALSE(same_time[1].merge);

    CHECK(kind_thrown([&] { catalog.snapshots(RepositoryName{"nowhere.org", "lab"}); }) == ErrorKind::failed);
}

TEST_CASE("a query that names no repository in a catalog of several lists them", "[catalog][admin]") {
    Catalog catalog = two_repositories();
    std::string message;
    CHECK(kind_thrown([&] { catalog.images({}); }, &message) == ErrorKind::failed);
    CHECK(message == "catalog :memory: holds 2 repositories (example.org/lab, other.org/lab2): name one with "
                     "--registry and --repository");
    message.clear();
    CHECK(kind_thrown([&] { catalog.snapshots(); }, &message) == ErrorKind::failed);
    CHECK(message.find("(example.org/lab, other.org/lab2)") != std::string::npos);
}

TEST_CASE("add_alias_tags and remove_alias_tags re-parse the tags and refresh the listing", "[catalog][admin]") {
    TempDir dir;
    const std::string path = dir.file("c.db");
    Catalog catalog(path);
    // A weekly tag on a release's digest: a weekly of its own until it is declared an alias.
    catalog.ingest(spec_of(lab, "2021-06-01", {"recommended"}),
                   rows_of({{"r22_0_1", digest('1'), 100, 1}, {"w_2021_23", digest('1'), 100, 2},
                            {"w_2021_22", digest('2'), 200, 3}, {"recommended", digest('1'), {}, 4}}));
    auto shown = [&](const std::string& tag) {
        const auto image = catalog.image_for_tag({}, tag);
        REQUIRE(image);
        return *image;
    };
    CHECK(shown("w_2021_23").tag.type == ImageType::weekly);
    CHECK_FALSE(shown("w_2021_23").alias_target);

    const AliasTagsChange added = catalog.add_alias_tags(std::nullopt, {"w_2021_23", "latest_daily", "w_2021_23"});
    CHECK(added.repository == lab);
    CHECK(added.changed == std::vector<std::string>{"w_2021_23", "latest_daily"});
    CHECK(added.unchanged.empty());
    const Image alias = shown("w_2021_23");
    CHECK(alias.tag.type == ImageType::alias);
    CHECK(alias.alias_target == "r22_0_1");
    CHECK(alias.tag.display_name == "W 2021 23 (Release r22.0.1)");
    CHECK(catalog.repository_summaries().at(0).aliases ==
          std::vector<std::string>{"latest_daily", "recommended", "w_2021_23"});
    CHECK(Catalog::check(path).clean());

    const AliasTagsChange again = catalog.add_alias_tags(lab, {"recommended", "w_2021_23"});
    CHECK(again.changed.empty());
    CHECK(again.unchanged == std::vector<std::string>{"recommended", "w_2021_23"});

    // A tag not yet listed is remembered, and parsed as an alias when it comes.
    catalog.ingest(spec_of(lab, "2021-06-08"),
                   rows_of({{"r22_0_1", digest('1'), 100, 1}, {"w_2021_23", digest('1'), 100, 2},
                            {"w_2021_22", digest('2'), 200, 3}, {"recommended", digest('1'), {}, 4},
                            {"latest_daily", digest('2'), {}, 5}}));
    CHECK(shown("latest_daily").tag.type == ImageType::alias);
    CHECK(shown("latest_daily").alias_target == "w_2021_22");
    CHECK(Catalog::check(path).clean());

    const AliasTagsChange removed = catalog.remove_alias_tags(lab, {"w_2021_23"});
    CHECK(removed.changed == std::vector<std::string>{"w_2021_23"});
    const Image weekly = shown("w_2021_23");
    CHECK(weekly.tag.type == ImageType::weekly);
    CHECK(weekly.tag.display_name == "Weekly 2021_23");
    CHECK_FALSE(weekly.alias_target);
    CHECK(Catalog::check(path).clean());

    // Through another connection too: it was committed.
    CHECK(Catalog(path, Catalog::Mode::read_only).image_for_tag({}, "w_2021_23")->tag.type == ImageType::weekly);
}

TEST_CASE("alias tag changes that cannot be made change nothing", "[catalog][admin]") {
    TempDir dir;
    const std::string path = make_catalog(dir);  // recommended is an alias tag of example.org/lab
    Catalog catalog(path);
    const auto before = catalog.images({}, {.hide_arch_specific = false});

    std::string message;
    CHECK(kind_thrown([&] { catalog.add_alias_tags({}, {"latest", "not a tag"}); }, &message) == ErrorKind::input);
    CHECK(message.find("'not a tag' is not a Docker tag") != std::string::npos);
    CHECK(kind_thrown([&] { catalog.remove_alias_tags({}, {"recommended", "w_2021_22"}); }, &message) ==
          ErrorKind::failed);
    CHECK(message.find("'w_2021_22' is not an alias tag of example.org/lab (its alias tags: 'recommended')") !=
          std::string::npos);
    CHECK(kind_thrown([&] { catalog.add_alias_tags(RepositoryName{"nowhere.org", "lab"}, {"latest"}); }) ==
          ErrorKind::failed);
    {
        Catalog::Writer writer = catalog.writer();
        CHECK(kind_thrown([&] { catalog.add_alias_tags({}, {"latest"}); }) == ErrorKind::misuse);
        CHECK(kind_thrown([&] { catalog.remove_alias_tags({}, {"recommended"}); }) == ErrorKind::misuse);
    }
    Catalog read_only(path, Catalog::Mode::read_only);
    CHECK(kind_thrown([&] { read_only.add_alias_tags({}, {"latest"}); }) == ErrorKind::read_only);
    CHECK(kind_thrown([&] { read_only.remove_alias_tags({}, {"recommended"}); }) == ErrorKind::read_only);

    CHECK(catalog.images({}, {.hide_arch_specific = false}) == before);
    CHECK(catalog.repository_summaries().at(0).aliases == std::vector<std::string>{"recommended"});
    CHECK(Catalog::check(path).clean());
}
