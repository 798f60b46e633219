// The catalog's memory, checked against the real history of the `recommended` tag: at every
// snapshot of the sample registry history, `recommended` resolves to the tag that deployments
// had configured then (recommended-history.tsv).
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "rspcat/catalog.hpp"
#include "catalog_calls.hpp"
#include "catalog_support.hpp"

using namespace rspcat;

namespace {

std::vector<std::string> split(const std::string& line, char separator) {
    std::vector<std::string> fields;
    std::stringstream in(line);
    for (std::string field; std::getline(in, field, separator);) fields.push_back(field);
    return fields;
}

struct ConfigChange {
    std::string date, env, key, value;
};

// The tag a configuration row names: a recommendedTag value, or the first pinned tag.
std::string named_tag(const ConfigChange& change) {
    if (change.value.starts_with('[')) {
        const auto pins = nlohmann::json::parse(change.value, nullptr, false);
        return pins.is_array() && !pins.empty() && pins[0].is_string() ? pins[0].get<std::string>() : "";
    }
    return change.value;
}

// The link between the two data files: the tag configured at a snapshot is named by the latest
// change on or before its date, in the data-facility deployments (not the telescope sites nor the
// demo), that names a real tag of that snapshot (not an alias, not "(unset)"), the first such
// change of that day in file order.
std::optional<std::string> configured_tag(const std::vector<ConfigChange>& changes, const std::string& date,
                                          const std::set<std::string>& snapshot_tags) {
    static const std::set<std::string> excluded = {"base", "summit", "tucson-teststand", "idfdemo"};
    std::optional<std::string> picked;
    std::string picked_date;
    for (const auto& change : changes) {
        if (change.date > date || excluded.count(change.env)) continue;
        const std::string tag = named_tag(change);
        if (!snapshot_tags.count(tag) || tag.starts_with("recommended") || tag.starts_with("latest")) continue;
        if (!picked || change.date > picked_date) {
            picked = tag;
            picked_date = change.date;
        }
    }
    return picked;
}

}  // namespace

TEST_CASE("recommended resolves, at every snapshot, to the tag configured then", "[history]") {
    std::map<std::string, std::set<std::string>> snapshots;
    for (const auto& line : test::read_lines(test::data_path("sciplat-lab-history.tsv"))) {
        const auto f = split(line, '\t');
        if (f[0] != "snapshot_at") snapshots[f[0]].insert(f[1]);
    }
    std::vector<ConfigChange> changes;
    for (const auto& line : test::read_lines(test::data_path("recommended-history.tsv"))) {
        const auto f = split(line, '\t');
        if (f.size() == 4 && f[0] != "date") changes.push_back({f[0], f[1], f[2], f[3]});
    }
    REQUIRE(snapshots.size() == 62);
    REQUIRE(changes.size() > 200);

    const Catalog catalog = test::history_catalog();

    std::size_t checked = 0;
    for (const auto& [time, tags] : snapshots) {
        CAPTURE(time);
        const auto expected = configured_tag(changes, time.substr(0, 10), tags);
        const auto image = catalog.image_for_tag({.at = parse_timestamp(time)}, "recommended");
        if (!expected) {
            CHECK_FALSE(image.has_value());
            continue;
        }
        REQUIRE(image.has_value());
        CHECK(image->tag.type == ImageType::alias);
        CHECK(image->alias_target == expected);
        ++checked;
    }
    CHECK(checked == 61);

    // The same answers through the timeline: each assignment of `recommended` resolved to the tag
    // configured when it started.
    const auto timeline = catalog.timeline({}, "recommended");
    REQUIRE(timeline.size() >= 20);
    for (const auto& entry : timeline) {
        const std::string time = format_timestamp(entry.from);
        CAPTURE(time);
        CHECK(entry.resolved_to == configured_tag(changes, time.substr(0, 10), snapshots.at(time)));
    }
}

TEST_CASE("diff between two times lists added, removed and moved tags", "[history]") {
    const std::string a = "sha256:" + std::string(64, 'a'), b = "sha256:" + std::string(64, 'b');
    Catalog catalog(":memory:");
    auto rows = [](std::vector<ListingRow> listing) {
        auto state = std::make_shared<std::pair<std::vector<ListingRow>, std::size_t>>(std::move(listing), 0);
        return [state]() -> std::optional<ListingRow> {
            if (state->second == state->first.size()) return std::nullopt;
            return state->first[state->second++];
        };
    };
    const RepositoryName lab{"r", "p"};
    catalog.ingest({lab, {}, *parse_timestamp("2030-01-01"), "t", false},
                   rows({{"w_2030_01", a, {}, 1}, {"latest", a, {}, 2}, {"w_2029_52", b, {}, 3}}));
    catalog.ingest({lab, {}, *parse_timestamp("2030-02-01"), "t", false},
                   rows({{"w_2030_05", b, {}, 1}, {"latest", b, {}, 2}, {"w_2030_01", a, {}, 3}}));
    const auto changes = catalog.diff({}, *parse_timestamp("2030-01-15"), *parse_timestamp("2030-02-15"));
    REQUIRE(changes.size() == 3);
    CHECK((changes[0].kind == TagChange::Kind::moved && changes[0].tag == "latest" && changes[0].old_digest == a &&
           changes[0].new_digest == b));
    CHECK((changes[1].kind == TagChange::Kind::removed && changes[1].tag == "w_2029_52"));
    CHECK((changes[2].kind == TagChange::Kind::added && changes[2].tag == "w_2030_05"));
    // The past listing as it was in January.
    std::vector<std::string> january;
    for (const auto& image : catalog.images({.at = parse_timestamp("2030-01-15")})) january.push_back(image.tag.tag);
    // `latest` shares w_2030_01's digest, so it resolves to an alias and lists first.
    CHECK(january == std::vector<std::string>{"latest", "w_2030_01", "w_2029_52"});
}

TEST_CASE("a timeline resolves each alias entry as the whole past listing of its time does", "[history]") {
    // The timeline resolves only each entry's digest group; the past listing resolves everything.
    const Catalog catalog = test::history_catalog();
    std::size_t resolved = 0;
    for (const char* tag : {"recommended", "latest_weekly", "latest_daily", "latest_release", "latest"}) {
        const auto timeline = catalog.timeline({}, tag);
        for (const auto& entry : timeline) {
            CAPTURE(tag, format_timestamp(entry.from));
            const auto image = catalog.image_for_tag({.at = entry.from}, tag);
            REQUIRE(image.has_value());
            CHECK(entry.resolved_to == image->alias_target);
            resolved += entry.resolved_to.has_value();
        }
    }
    CHECK(resolved > 40);
    // Every tag that ever pointed to one digest, each resolved at its own time.
    const auto entries = catalog.timeline({}, "recommended");
    REQUIRE_FALSE(entries.empty());
    for (const auto& entry : catalog.digest_timeline({}, entries.back().digest)) {
        CAPTURE(entry.tag, format_timestamp(entry.from));
        const auto image = catalog.image_for_tag({.at = entry.from}, entry.tag);
        REQUIRE(image.has_value());
        CHECK(entry.resolved_to == image->alias_target);
    }
}

TEST_CASE("an entry that starts at the latest snapshot resolves as the current listing does, after a merge",
          "[history]") {
    // After a merge the next full snapshot moves every current image to a new batch, while the
    // history keeps each assignment's batch from when it started: the present is read from the
    // current images, as `images` reads it, and the past from the history, as `--at` reads it.
    using test::digest;
    using test::rows_of;
    const RepositoryName lab{"example.org", "lab"};
    auto spec = [&](const char* time, bool merge) {
        return IngestSpec{lab, {"recommended"}, *parse_timestamp(time), time, merge};
    };
    Catalog catalog(":memory:");
    catalog.ingest(spec("2030-01-01", false), rows_of({{"w_2030_01", digest('1'), 1, 1}, {"w_2030_02", digest('2'), 2, 2}}));
    catalog.ingest(spec("2030-01-02", true), rows_of({{"w_2030_03", digest('3'), 3, 1}}));
    catalog.ingest(spec("2030-01-03", false), rows_of({{"w_2030_01", digest('1'), 1, 1},
                                                       {"w_2030_01-amd64", digest('1'), 1, 2},
                                                       {"recommended", digest('1'), {}, 3}}));
    const auto now = catalog.image_for_tag({}, "recommended");
    REQUIRE(now.has_value());
    CHECK(now->alias_target == "w_2030_01");
    const auto timeline = catalog.timeline({}, "recommended");
    REQUIRE(timeline.size() == 1);
    CHECK(timeline.front().resolved_to == now->alias_target);
}
