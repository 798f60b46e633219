// prune --apply and delete against the fake registry, for what a real one will not do on cue: a
// delete refused half-way through a run, and --limit. The real registry's end-to-end test is in
// test_registry_real.cpp.
#include <atomic>
#include <mutex>
#include <catch2/catch.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "fake_registry.hpp"

using nlohmann::json;
using namespace rspcat::test;

TEST_CASE("prune --apply stops at the first failed delete, journals what went, and honours --limit",
          "[prune][cli]") {
    const std::vector<std::string> weeklies = {fake_image("w1"), fake_image("w2"), fake_image("w3"), fake_image("w4")};
    auto deletes = std::make_shared<std::vector<std::string>>();
    auto mutex = std::make_shared<std::mutex>();
    auto refuse_second = std::make_shared<std::atomic<bool>>(true);
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", weeklies[0]}, {"w_2077_02", weeklies[1]}, {"w_2077_03", weeklies[2]},
                   {"w_2077_04", weeklies[3]}, {"recommended", weeklies[3]}};
    config.intercept = [=](const FakeRequest& request) -> std::optional<FakeReply> {
        if (request.method != "DELETE") return std::nullopt;
        const std::lock_guard lock(*mutex);
        deletes->push_back(request.path);
        if (*refuse_second && deletes->size() == 2) {
            return FakeReply{405, {}, R"({"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]})"};
        }
        return FakeReply{202, {}, ""};
    };
    FakeRegistry registry(config);
    TempDir dir;
    const std::string db = dir.file("c.db");
    const auto synced = run_rspcat({"--db", db, "sync", "--url", registry.url(), "--repository", "lab", "--alias", "recommended"});
    INFO(synced.err);
    REQUIRE(synced.exit_code == 0);
    write_text(dir.file("policy.yaml"), "weekly:\n  number: 1\n");
    const std::vector<std::string> apply = {"--db", db, "prune", "--policy", dir.file("policy.yaml"), "--apply", "--yes",
                                            "--url", registry.url()};

    // Three digests planned, newest first; the second delete is refused.
    std::vector<std::string> limited = apply;
    limited.insert(limited.end(), {"--limit", "3"});
    const auto failed = run_rspcat(limited);
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("HTTP 405") && Catch::Contains("does not allow deletes") &&
                               Catch::Contains("deleted 1, not deleted: " + weeklies[1] + "," + weeklies[0]));
    CHECK(*deletes == std::vector<std::string>{"/v2/lab/manifests/" + weeklies[2], "/v2/lab/manifests/" + weeklies[1]});
    CHECK_THAT(failed.out, Catch::Contains("deleted") && Catch::Contains(weeklies[2]) && Catch::Contains("failed"));
    auto journal = [&] {
        const auto listed = run_rspcat({"--db", db, "deletions", "--format", "json"});
        INFO(listed.err);
        REQUIRE(listed.exit_code == 0);
        return json::parse(listed.out);
    };
    REQUIRE(journal().size() == 1);
    CHECK(journal()[0].at("digest") == weeklies[2]);
    CHECK(journal()[0].at("tags") == json::array({"w_2077_03"}));

    // The fake still lists every tag, so the plan is the same three; --limit 1 takes one.
    *refuse_second = false;
    deletes->clear();
    std::vector<std::string> one = apply;
    one.insert(one.end(), {"--limit", "1"});
    const auto first = run_rspcat(one);
    INFO(first.err);
    CHECK(first.exit_code == 0);
    CHECK(deletes->size() == 1);
    CHECK_THAT(first.err, Catch::Contains("deleted 1 of 1 digest") && Catch::Contains("2 left by --limit"));
    CHECK(journal().size() == 2);

    // delete names what else carries a digest; --force takes it anyway.
    const auto refused = run_rspcat({"--db", db, "delete", "w_2077_04", "--yes", "--url", registry.url()});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("also carries recommended") && Catch::Contains("--force"));
    const auto unknown = run_rspcat({"--db", db, "delete", "w_2099_01", "--yes", "--url", registry.url()});
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.err, Catch::Contains("no tag w_2099_01"));
    deletes->clear();
    const auto forced = run_rspcat({"--db", db, "delete", "w_2077_04", "--force", "--yes", "--url", registry.url()});
    INFO(forced.err);
    CHECK(forced.exit_code == 0);
    CHECK(*deletes == std::vector<std::string>{"/v2/lab/manifests/" + weeklies[3]});
    CHECK(journal()[0].at("tags") == json::array({"recommended", "w_2077_04"}));
    CHECK(journal()[0].at("command") == "delete");
}

TEST_CASE("sync --skip-manifests asks only for the tag list and the HEADs", "[sync][cli]") {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", fake_image("skip1")}, {"w_2077_02", fake_image("skip2")}};
    FakeRegistry registry(config);
    TempDir dir;
    const std::string db = dir.file("c.db");
    const auto synced = run_rspcat({"--db", db, "sync", "--url", registry.url(), "--repository", "lab", "--skip-manifests"});
    INFO(synced.err);
    REQUIRE(synced.exit_code == 0);
    CHECK_THAT(synced.err, Catch::Contains("(2 new, 0 moved, 0 removed); 0 new images read"));
    CHECK(registry.count("GET", "/v2/lab/manifests/") == 0);
    CHECK(registry.count("GET", "/v2/lab/blobs/") == 0);
    CHECK(registry.count("HEAD", "/v2/lab/manifests/") == 2);
    CHECK(run_command(SQLITE3_SHELL, {db, "select count(*), count(size) from images"}).out == "2|0\n");
    // Without it, the next sync reads both, and the sizes are known.
    const auto full = run_rspcat({"--db", db, "sync", "--url", registry.url(), "--repository", "lab"});
    INFO(full.err);
    REQUIRE(full.exit_code == 0);
    CHECK_THAT(full.err, Catch::Contains("2 new images read"));
    CHECK(run_command(SQLITE3_SHELL, {db, "select count(size) from images"}).out == "2\n");
}
