// A catalog that an older rspcat wrote (tests/fixtures/catalog-v3.db, schema version 3) opened
// by this one: upgraded in place, its images and history unchanged, checked clean, and its
// snapshots, journalled by the old version, still undone exactly.
#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "rspcat/catalog.hpp"
#include "image_json_support.hpp"
#include "shell_support.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

json images_of(const std::string& db) {
    const auto result = run_rspcat({"--db", db, "images", "--format", "json"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return without_manifest_keys_each(json::parse(result.out));
}

}  // namespace

TEST_CASE("a schema-3 catalog written by rspcat 0.1.0 is upgraded and keeps working", "[schema][cli]") {
    TempDir dir;
    const std::string db = dir.file("old.db");
    std::filesystem::copy_file(source_path("tests/fixtures/catalog-v3.db"), db);
    REQUIRE(shell(db, "PRAGMA user_version") == "3\n");

    // What the old rspcat printed for it.
    const json before = json::parse(read_file(source_path("tests/fixtures/catalog-v3-images.json")));
    REQUIRE(before.size() == 15);
    CHECK(images_of(db) == before);
    CHECK(shell(db, "PRAGMA user_version") == std::to_string(rspcat::Catalog::schema_version()) + "\n");
    CHECK(shell(db, "SELECT count(*) FROM manifests") == "0\n");
    const auto checked = run_rspcat({"--db", db, "check"});
    INFO(checked.out << checked.err);
    CHECK(checked.exit_code == 0);

    // The same listings ingested by this rspcat, all but the last snapshot: what undo must give.
    const std::string history = source_path("tests/fixtures/catalog-v3-history.tsv");
    const std::string fresh = dir.file("fresh.db");
    const auto lines = read_lines(history);
    std::string two_snapshots;
    for (const auto& line : lines) {
        if (line.rfind("2021-09", 0) != 0) two_snapshots += line + "\n";
    }
    write_text(dir.file("two.tsv"), two_snapshots);
    const auto ingested = run_rspcat({"--db", fresh, "ingest", "--registry", "docker.io", "--repository",
                                      "lsstsqre/sciplat-lab", "--alias", "recommended", "--alias", "latest",
                                      dir.file("two.tsv")});
    INFO(ingested.err);
    REQUIRE(ingested.exit_code == 0);

    // The old catalog's node, as tests/fixtures/README.md says it was recorded.
    const std::string seen_digest = read_lines(history).at(2).substr(read_lines(history).at(2).find("sha256:"), 71);
    const auto seen = run_rspcat({"--db", fresh, "seen", seen_digest, "node-a", "--size", "123"});
    INFO(seen.err);
    REQUIRE(seen.exit_code == 0);

    const auto undone = run_rspcat({"--db", db, "undo"});
    INFO(undone.err);
    REQUIRE(undone.exit_code == 0);
    CHECK(images_of(db) == images_of(fresh));
    CHECK(shell(db, "SELECT count(*) FROM snapshots") == "2\n");
}
