// A small catalog file and every public function of Catalog called on it: for the tests that
// drive each function into its failure paths (test_errors.cpp, test_faults.cpp).
#pragma once

#include <catch2/catch.hpp>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cli_support.hpp"
#include "rspcat/catalog.hpp"

namespace rspcat::test {

inline const RepositoryName sample_repository{"example.org", "lab"};

inline std::string digest(char c) { return "sha256:" + std::string(64, c); }

inline RowSource rows_of(std::vector<ListingRow> rows) {
    auto next = std::make_shared<std::size_t>(0);
    auto all = std::make_shared<std::vector<ListingRow>>(std::move(rows));
    return [next, all]() -> std::optional<ListingRow> {
        if (*next == all->size()) return std::nullopt;
        return (*all)[(*next)++];
    };
}

inline IngestSpec spec_at(const char* at, const std::string& source = "test") {
    return {sample_repository, {"recommended"}, *parse_timestamp(at), source, false};
}

// A catalog file with one snapshot: w_2021_22 and w_2021_23, recommended on the latter.
inline std::string make_catalog(const TempDir& dir) {
    const std::string path = dir.file("c.db");
    Catalog(path).ingest(spec_at("2021-06-10"), rows_of({{"w_2021_22", digest('1'), 100, 1},
                                                         {"w_2021_23", digest('2'), 200, 2},
                                                         {"recommended", digest('2'), std::nullopt, 3}}));
    return path;
}

inline const std::vector<ListingRow> next_listing = {{"w_2021_24", digest('3'), 300, 1}, {"recommended", digest('3'), {}, 2}};

// Every public function of Catalog, each called once in a way that would succeed on the catalog
// that make_catalog() makes.
inline std::vector<std::pair<std::string, std::function<void(Catalog&)>>> every_catalog_call() {
    const CollectionSpec all{};
    const auto at = *parse_timestamp("2021-06-11");
    SubsetOptions one_weekly;
    one_weekly.weeklies = 1;
    MenuOptions menu;
    menu.recommended = "recommended";
    menu.weeklies = 1;
    return {
        {"warnings", [](Catalog& c) { c.warnings(); }},
        {"repositories", [](Catalog& c) { c.repositories(); }},
        {"repository_summaries", [](Catalog& c) { c.repository_summaries(); }},
        {"snapshots", [](Catalog& c) { c.snapshots(sample_repository, 5); }},
        {"add_alias_tags", [](Catalog& c) { c.add_alias_tags({}, {"w_2021_22", "latest"}); }},
        {"remove_alias_tags", [](Catalog& c) { c.remove_alias_tags(sample_repository, {"recommended"}); }},
        {"images", [=](Catalog& c) { c.images(all); }},
        {"latest", [=](Catalog& c) { c.latest(all, ImageType::weekly); }},
        {"image_for_digest", [=](Catalog& c) { c.image_for_digest(all, digest('1')); }},
        {"image_for_tag", [=](Catalog& c) { c.image_for_tag(all, "w_2021_22"); }},
        {"subset", [=](Catalog& c) { c.subset(all, one_weekly); }},
        {"subtract", [=](Catalog& c) { c.subtract(all, all); }},
        {"filter", [=](Catalog& c) { c.filter(all, FilterPolicy{}, {at, false, false}); }},
        {"menu", [=](Catalog& c) { c.menu(all, menu); }},
        {"images --at", [=](Catalog& c) { c.images({.at = at}); }},
        {"timeline", [=](Catalog& c) { c.timeline(all, "recommended"); }},
        {"diff", [=](Catalog& c) { c.diff(all, *parse_timestamp("2021-06-01"), at); }},
        {"mark_seen", [=](Catalog& c) { c.mark_seen(digest('1'), "node1", 5, at); }},
        {"undo --dry-run", [](Catalog& c) { c.undo(sample_repository, true); }},
        {"undo", [](Catalog& c) { c.undo({}); }},
        {"writer", [](Catalog& c) { c.writer(); }},
        {"ingest", [](Catalog& c) { c.ingest(spec_at("2021-06-12"), rows_of(next_listing)); }},
        {"writer ingest commit", [](Catalog& c) {
             Catalog::Writer w = c.writer();
             w.ingest(spec_at("2021-06-12"), rows_of(next_listing));
             w.commit();
         }},
    };
}

// The kind of the rspcat::Error that `call` throws (its message in `*message` when asked); fails
// the test when it throws nothing or something else.
template <typename Call>
ErrorKind kind_thrown(Call&& call, std::string* message = nullptr) {
    try {
        call();
    } catch (const Error& e) {
        UNSCOPED_INFO(e.what());
        if (message) *message = e.what();
        return e.kind();
    } catch (const std::exception& e) {
        FAIL("not an rspcat::Error: " << e.what());
    }
    FAIL("nothing was thrown");
    return ErrorKind::failed;
}

}  // namespace rspcat::test
