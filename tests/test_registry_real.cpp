// rspcat sync against a real registry (Debian's docker-registry) holding images that skopeo
// pushed: single-architecture images, a multi-architecture index, `recommended` on a weekly.
// Then recommended moves, a tag comes and one goes, and the catalog's history says so.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "registry_support.hpp"
#include "rspcat/registry.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

json query(const std::string& db, std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    args.insert(args.end(), {"--format", "json"});
    const auto result = run_rspcat(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
}

std::map<std::string, std::string> digests_by_tag(const json& images) {
    std::map<std::string, std::string> out;
    for (const auto& image : images) out[image.at("tag")] = image.at("digest");
    return out;
}

std::string sql(const std::string& db, const std::string& statement) {
    const auto result = run_command(SQLITE3_SHELL, {db, statement});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

}  // namespace

TEST_CASE("sync a real registry, change it, sync again: the catalog and its history", "[registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path() / "registry");
    const std::string repository = "library/sketchbook";
    ImagePusher images(dir.path() / "layout", registry.address() + "/" + repository);

    std::map<std::string, std::string> digest;
    for (const std::string tag : {"w_2077_41", "w_2077_42", "w_2077_43", "w_2077_45", "d_2077_10_23", "r21_0_1"}) {
        digest[tag] = images.build_image(tag, "contents of " + tag);
    }
    digest["w_2077_44-amd64"] = images.build_image("w_2077_44-amd64", "weekly 44 for amd64", "amd64");
    digest["w_2077_44-arm64"] = images.build_image("w_2077_44-arm64", "weekly 44 for arm64", "arm64");
    digest["w_2077_44"] = images.build_index("w_2077_44", {"w_2077_44-amd64", "w_2077_44-arm64"});
    for (const std::string tag : {"w_2077_41", "w_2077_42", "w_2077_43", "w_2077_44", "w_2077_44-amd64",
                                  "w_2077_44-arm64", "d_2077_10_23", "r21_0_1"}) {
        images.push(tag, tag);
    }
    images.retag("w_2077_43", "recommended");
    images.retag("w_2077_44", "latest_weekly");

    const std::string db = dir.file("c.db");
    const std::vector<std::string> sync = {"--db", db, "sync", "--url", registry.url(), "--repository", repository,
                                           "--alias", "recommended", "--alias", "latest_weekly", "--concurrency", "3"};
    const auto first = run_rspcat(sync);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(first.err.find(": 10 tags (10 new, 0 moved, 0 removed)") != std::string::npos);

    // Every tag with the digest skopeo pushed: the index keeps its own digest.
    std::map<std::string, std::string> expected = digest;
    expected.erase("w_2077_45");
    expected["recommended"] = digest["w_2077_43"];
    expected["latest_weekly"] = digest["w_2077_44"];
    const json all = query(db, {"images", "--all-arch"});
    CHECK(digests_by_tag(all) == expected);
    for (const auto& image : all) CHECK(image.at("registry") == registry.address());

    const json menu = query(db, {"images"});
    std::vector<std::string> tags;
    for (const auto& image : menu) tags.push_back(image.at("tag"));
    CHECK(tags == std::vector<std::string>{"recommended", "latest_weekly", "r21_0_1", "w_2077_44", "w_2077_43",
                                           "w_2077_42", "w_2077_41", "d_2077_10_23"});
    const json recommended = query(db, {"show", "recommended"});
    CHECK(recommended.at("alias_target") == "w_2077_43");
    CHECK(recommended.at("display_name") == "Recommended (Weekly 2077_43)");
    CHECK(query(db, {"show", "latest_weekly"}).at("display_name") == "Latest Weekly (Weekly 2077_44)");
    CHECK(query(db, {"show", "w_2077_44-arm64"}).at("architecture") == "arm64");

    // recommended moves to the multi-architecture weekly, a weekly arrives, the oldest goes.
    images.push("w_2077_45", "w_2077_45");
    images.retag("w_2077_44", "recommended");
    images.remove("w_2077_41");
    const auto second = run_rspcat(sync);
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(second.err.find(": 10 tags (1 new, 1 moved, 1 removed)") != std::string::npos);

    const json moved = query(db, {"show", "recommended"});
    CHECK(moved.at("alias_target") == "w_2077_44");
    CHECK(moved.at("digest") == digest["w_2077_44"]);
    CHECK(moved.at("display_name") == "Recommended (Weekly 2077_44)");
    CHECK(query(db, {"show", "w_2077_45"}).at("digest") == digest["w_2077_45"]);
    CHECK(run_rspcat({"--db", db, "show", "w_2077_41"}).exit_code == 1);

    // The history: recommended's two digests, w_2077_41 ended, w_2077_45 begun, in snapshot order.
    CHECK(sql(db, "select count(*) from snapshots") == "2\n");
    CHECK(sql(db, "select digest, started_snapshot, ended_snapshot from tag_timeline where tag = 'recommended' "
                  "order by started_snapshot") ==
          digest["w_2077_43"] + "|1|2\n" + digest["w_2077_44"] + "|2|\n");
    CHECK(sql(db, "select tag, started_snapshot, ifnull(ended_snapshot, '-') from tag_timeline "
                  "where tag in ('w_2077_41', 'w_2077_45') order by tag") == "w_2077_41|1|2\nw_2077_45|2|-\n");
    CHECK(sql(db, "select count(*) from tag_timeline where ended_at is null") == "10\n");
}

TEST_CASE("sync a real registry behind basic auth (htpasswd)", "[registry]") {
    TempDir dir;
    const std::string htpasswd = dir.file("htpasswd");
    // bcrypt entries, which is what the registry's htpasswd support reads.
    const auto made = run_command(require_tool("htpasswd"), {"-B", "-b", "-c", htpasswd, "robot", "s3cret pass"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    LocalRegistry registry(dir.path() / "registry", htpasswd);
    ImagePusher images(dir.path() / "layout", registry.address() + "/lab", "robot:s3cret pass");
    const std::string weekly = images.build_image("w_2077_43", "weekly 43");
    images.push("w_2077_43", "w_2077_43");
    images.retag("w_2077_43", "recommended");

    const std::string db = dir.file("c.db");
    const std::vector<std::string> sync = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab",
                                           "--alias", "recommended"};
    const auto anonymous = run_rspcat(sync);
    CHECK(anonymous.exit_code == 1);
    CHECK(anonymous.err == "rspcat: GET " + registry.url() +
                               "/v2/lab/tags/list: HTTP 401 (UNAUTHORIZED: authentication required): the registry "
                               "wants credentials and none were given; nothing was written\n");
    CHECK_FALSE(std::filesystem::exists(db));

    auto with_credentials = [&](const std::string& auth) {
        write_text(dir.file("config.json"), R"({"auths": {")" + registry.url() + R"(": {"auth": ")" + auth + R"("}}})");
        std::vector<std::string> args = sync;
        args.insert(args.end(), {"--credentials", dir.file("config.json")});
        return run_rspcat(args);
    };
    const auto wrong = with_credentials("cm9ib3Q6d3Jvbmc=");  // robot:wrong
    CHECK(wrong.exit_code == 1);
    CHECK_THAT(wrong.err, Catch::Contains("HTTP 401") && Catch::Contains("the registry refused the credentials"));

    const auto right = with_credentials("cm9ib3Q6czNjcmV0IHBhc3M=");  // robot:s3cret pass
    INFO(right.err);
    REQUIRE(right.exit_code == 0);
    CHECK(right.err.find(": 2 tags (2 new, 0 moved, 0 removed)") != std::string::npos);
    const json recommended = query(db, {"show", "recommended"});
    CHECK(recommended.at("digest") == weekly);
    CHECK(recommended.at("display_name") == "Recommended (Weekly 2077_43)");

    // The same credentials from a credsStore helper found through $DOCKER_CONFIG and PATH, and
    // from --username with --password-stdin.
    std::filesystem::create_directories(dir.file("docker"));
    write_text(dir.file("docker/config.json"), R"({"credsStore": "real"})");
    const std::string helper = dir.file("docker-credential-real");
    write_text(helper, "#!/bin/sh\ncat > /dev/null\necho '{\"Username\":\"robot\",\"Secret\":\"s3cret pass\"}'\n");
    std::filesystem::permissions(helper, std::filesystem::perms::owner_all);
    std::vector<std::string> from_helper = {"DOCKER_CONFIG=" + dir.file("docker"),
                                            "PATH=" + dir.path().string() + ":/usr/bin:/bin", RSPCAT_BINARY};
    from_helper.insert(from_helper.end(), sync.begin(), sync.end());
    const auto helped = run_command("/usr/bin/env", from_helper);
    INFO(helped.err);
    CHECK(helped.exit_code == 0);
    write_text(dir.file("password"), "s3cret pass\n");
    std::vector<std::string> one_off = sync;
    one_off.insert(one_off.end(), {"--username", "robot", "--password-stdin"});
    const auto given = run_rspcat(one_off, dir.file("password"));
    INFO(given.err);
    CHECK(given.exit_code == 0);
    // The registry did not change: one snapshot, which the two later syncs confirmed.
    CHECK(sql(db, "select count(*), confirmations from snapshots") == "1|2\n");
}

TEST_CASE("sync reads each new digest's size, creation time and platforms, once", "[registry]") {
    TempDir dir;
    LocalRegistry registry(dir.path() / "registry", std::nullopt, true);
    ImagePusher images(dir.path() / "layout", registry.address() + "/lab");
    const std::string weekly = images.build_image("w_2077_43", "weekly 43", "amd64", "2077-10-25T08:30:00.123456789Z");
    const std::string amd64 = images.build_image("w_2077_44-amd64", "weekly 44 amd64", "amd64", "2077-11-01T10:00:00Z");
    const std::string arm64 = images.build_image("w_2077_44-arm64", "weekly 44 arm64", "arm64", "2077-11-01T12:05:00+02:00");
    const std::string index = images.build_index("w_2077_44", {"w_2077_44-amd64", "w_2077_44-arm64"});
    const std::string release = images.build_image("r21_0_1", "release 21.0.1");  // no `created`
    for (const std::string tag : {"w_2077_43", "w_2077_44-amd64", "w_2077_44-arm64", "w_2077_44", "r21_0_1"}) {
        images.push(tag, tag);
    }
    images.retag("w_2077_43", "recommended");

    const std::string db = dir.file("c.db");
    const std::vector<std::string> sync = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab",
                                           "--alias", "recommended"};
    const std::size_t gets_before = registry.requests_like("GET /v2/lab/manifests/");
    const std::size_t blobs_before = registry.requests_like("GET /v2/lab/blobs/");
    const auto first = run_rspcat(sync);
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK_THAT(first.err, Catch::Contains(": 6 tags (6 new, 0 moved, 0 removed); 5 new images read"));

    auto bytes = [&](const std::vector<std::string>& refs) {
        std::int64_t total = 0;
        for (const auto& [digest, size] : images.blobs(refs)) total += size;
        return total;
    };
    const json shown = query(db, {"show", "w_2077_43"});
    CHECK(shown.at("size") == bytes({"w_2077_43"}));
    CHECK(shown.at("created") == "2077-10-25T08:30:00Z");
    CHECK(shown.at("platforms") == json::array());
    CHECK(query(db, {"show", "recommended"}).at("size") == bytes({"w_2077_43"}));
    const json multi = query(db, {"show", "w_2077_44"});
    CHECK(multi.at("size") == bytes({"w_2077_44-amd64", "w_2077_44-arm64"}));
    CHECK(multi.at("created") == "2077-11-01T10:05:00Z");  // the newer platform's, in UTC
    CHECK(multi.at("platforms") ==
          json::parse(R"([{"os":"linux","architecture":"amd64","variant":null,"digest":")" + amd64 +
                      R"("},{"os":"linux","architecture":"arm64","variant":null,"digest":")" + arm64 + R"("}])"));
    CHECK(query(db, {"show", "w_2077_44-arm64"}).at("created") == "2077-11-01T10:05:00Z");
    const json old = query(db, {"show", "r21_0_1"});
    CHECK(old.at("created").is_null());
    CHECK(old.at("size") == bytes({"r21_0_1"}));
    // In plain SQL too, and in the history.
    CHECK(sql(db, "select count(*), sum(created is null) from manifests") == "5|1\n");
    CHECK(sql(db, "select architecture, platform_digest from manifest_platforms where digest = '" + index +
                  "' order by position") == "amd64|" + amd64 + "\narm64|" + arm64 + "\n");
    CHECK(sql(db, "select size from tag_history where digest = '" + weekly + "' and tag_id = "
                  "(select id from tags where tag = 'w_2077_43')") == std::to_string(bytes({"w_2077_43"})) + "\n");

    // Five digests: five manifests, and the index's two platforms read again through it.
    const std::size_t gets_first = registry.requests_like("GET /v2/lab/manifests/") - gets_before;
    CHECK(gets_first == 7);
    const std::size_t blob_gets = registry.requests_like("GET /v2/lab/blobs/") - blobs_before;
    CHECK(blob_gets == 6);  // a config per image manifest, the index's two once more

    // Nothing new: only the tag list and the HEADs, and nothing changes.
    const std::size_t heads = registry.requests_like("HEAD /v2/lab/manifests/");
    const auto again = run_rspcat(sync);
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    CHECK_THAT(again.err, Catch::Contains("(0 new, 0 moved, 0 removed, unchanged since ") && Catch::Contains("); 0 new images read"));
    CHECK(registry.requests_like("GET /v2/lab/manifests/") - gets_before == gets_first);
    CHECK(registry.requests_like("GET /v2/lab/blobs/") - blobs_before == blob_gets);
    CHECK(registry.requests_like("HEAD /v2/lab/manifests/") == heads + 6);
    CHECK(sql(db, "select count(*) from tag_history") == "6\n");

    // A new weekly: only its digest is read.
    images.build_image("w_2077_45", "weekly 45", "amd64", "2077-11-08T00:00:00Z");
    images.push("w_2077_45", "w_2077_45");
    const std::size_t gets_third = registry.requests_like("GET /v2/lab/manifests/");
    const std::size_t blobs_third = registry.requests_like("GET /v2/lab/blobs/");
    const auto third = run_rspcat(sync);
    INFO(third.err);
    REQUIRE(third.exit_code == 0);
    CHECK_THAT(third.err, Catch::Contains("(1 new, 0 moved, 0 removed); 1 new image read"));
    CHECK(registry.requests_like("GET /v2/lab/manifests/") == gets_third + 1);
    CHECK(registry.requests_like("GET /v2/lab/blobs/") == blobs_third + 1);
    CHECK(query(db, {"show", "w_2077_45"}).at("created") == "2077-11-08T00:00:00Z");

    // A platform image of an index that stays is not deleted, though no other tag is on it.
    const auto entry = run_rspcat({"--db", db, "delete", "w_2077_44-amd64", "--yes", "--url", registry.url()});
    CHECK(entry.exit_code == 1);
    CHECK_THAT(entry.err, Catch::Contains(amd64 + " is the linux/amd64 image of index " + index + " (w_2077_44), which stays"));
    CHECK(registry.requests_like("DELETE ") == 0);
}

namespace {

std::set<std::string> tags_in_registry(const TempDir& dir, const LocalRegistry& registry, const std::string& name) {
    const std::string db = dir.file("look-" + std::to_string(std::rand()) + ".db");
    const auto synced = run_rspcat({"--db", db, "sync", "--url", registry.url(), "--repository", name, "-q"});
    INFO(synced.err);
    REQUIRE(synced.exit_code == 0);
    std::set<std::string> tags;
    for (const auto& image : query(db, {"images", "--all-arch"})) tags.insert(image.at("tag").get<std::string>());
    return tags;
}

}  // namespace

TEST_CASE("prune --apply deletes exactly the plan from a real registry, refuses a stale plan, and journals it",
          "[registry][prune]") {
    TempDir dir;
    LocalRegistry registry(dir.path() / "registry", std::nullopt, true);
    ImagePusher images(dir.path() / "layout", registry.address() + "/lab");
    std::map<std::string, std::string> digest;
    for (const std::string tag : {"w_2077_40", "w_2077_41", "w_2077_42", "w_2077_43", "w_2077_44", "w_2077_45", "r21_0_1"}) {
        digest[tag] = images.build_image(tag, "contents of " + tag);
        images.push(tag, tag);
    }
    images.retag("w_2077_42", "recommended");
    const std::string db = dir.file("c.db");
    const auto synced = run_rspcat({"--db", db, "sync", "--url", registry.url(), "--repository", "lab", "--alias", "recommended"});
    INFO(synced.err);
    REQUIRE(synced.exit_code == 0);
    write_text(dir.file("policy.yaml"), "weekly:\n  number: 2\nrelease:\n  number: 5\n");
    const std::vector<std::string> prune = {"--db", db, "prune", "--policy", dir.file("policy.yaml")};

    // The plan: the two oldest weeklies and w_2077_43 go; recommended keeps w_2077_42.
    const json plan = query(db, {"prune", "--policy", dir.file("policy.yaml")});
    std::set<std::string> planned;
    for (const auto& deletion : plan.at("delete")) planned.insert(deletion.at("digest").get<std::string>());
    CHECK(planned == std::set<std::string>{digest["w_2077_40"], digest["w_2077_41"], digest["w_2077_43"]});
    REQUIRE(plan.at("protected").size() == 1);
    CHECK(plan.at("protected")[0].at("digest") == digest["w_2077_42"]);

    std::vector<std::string> apply = prune;
    apply.insert(apply.end(), {"--apply", "--url", registry.url()});
    // Without --yes, and no terminal to ask on: a usage error, before any request.
    const auto unconfirmed = run_rspcat(apply);
    CHECK(unconfirmed.exit_code == 2);
    CHECK_THAT(unconfirmed.err, Catch::Contains("pass --yes"));
    apply.push_back("--yes");

    // recommended moves onto a weekly the plan deletes after the sync: the plan is stale.
    images.retag("w_2077_43", "recommended");
    const auto stale = run_rspcat(apply);
    CHECK(stale.exit_code == 1);
    CHECK_THAT(stale.err, Catch::Contains("the registry no longer matches the plan") &&
                              Catch::Contains("recommended points to " + digest["w_2077_43"]) &&
                              Catch::Contains("nothing was deleted"));
    CHECK(registry.requests_like("DELETE ") == 0);
    images.retag("w_2077_42", "recommended");

    // Another registry than the catalog's is refused.
    std::vector<std::string> elsewhere = prune;
    elsewhere.insert(elsewhere.end(), {"--apply", "--yes", "--url", "http://localhost:1"});
    CHECK(run_rspcat(elsewhere).exit_code == 2);

    const auto applied = run_rspcat(apply);
    INFO(applied.err);
    REQUIRE(applied.exit_code == 0);
    CHECK(registry.requests_like("DELETE /v2/lab/manifests/sha256:") == 3);
    CHECK(tags_in_registry(dir, registry, "lab") ==
          std::set<std::string>{"r21_0_1", "recommended", "w_2077_42", "w_2077_44", "w_2077_45"});
    // The catalog synced after the deletes, and recommended still resolves.
    std::set<std::string> current;
    for (const auto& image : query(db, {"images", "--all-arch"})) current.insert(image.at("tag").get<std::string>());
    CHECK(current == std::set<std::string>{"r21_0_1", "recommended", "w_2077_42", "w_2077_44", "w_2077_45"});
    CHECK(query(db, {"show", "recommended"}).at("alias_target") == "w_2077_42");
    CHECK(sql(db, "select count(*) from snapshots") == "2\n");
    CHECK(sql(db, "select count(*) from tag_timeline where tag = 'w_2077_40' and ended_snapshot = 2") == "1\n");

    // The journal: the three digests, their tags, the policy file and the SHA-256 of its bytes
    // (sha256sum's, not rspcat's).
    const auto sum = run_command("sha256sum", {dir.file("policy.yaml")});
    REQUIRE(sum.exit_code == 0);
    const std::string policy_sha256 = "sha256:" + sum.out.substr(0, 64);
    const json journal = query(db, {"deletions"});
    REQUIRE(journal.size() == 3);
    std::set<std::string> deleted;
    for (const auto& entry : journal) {
        deleted.insert(entry.at("digest").get<std::string>());
        CHECK(entry.at("command") == "prune");
        CHECK(entry.at("policy_file") == dir.file("policy.yaml"));
        CHECK(entry.at("policy_sha256") == policy_sha256);
        CHECK(entry.at("tags").size() == 1);
        CHECK(entry.at("size").is_number_integer());
    }
    CHECK(deleted == planned);

    // delete TAG: refused while another tag carries the digest, done when none does.
    const auto shared = run_rspcat({"--db", db, "delete", "w_2077_42", "--yes", "--url", registry.url()});
    CHECK(shared.exit_code == 1);
    CHECK_THAT(shared.err, Catch::Contains("also carries recommended"));
    const auto one = run_rspcat({"--db", db, "delete", "w_2077_44", "--yes", "--url", registry.url()});
    INFO(one.err);
    REQUIRE(one.exit_code == 0);
    CHECK(tags_in_registry(dir, registry, "lab") == std::set<std::string>{"r21_0_1", "recommended", "w_2077_42", "w_2077_45"});
    const json latest = query(db, {"deletions", "--limit", "1"});
    REQUIRE(latest.size() == 1);
    CHECK(latest[0].at("digest") == digest["w_2077_44"]);
    CHECK(latest[0].at("command") == "delete");
    CHECK(latest[0].at("policy_file").is_null());
}
