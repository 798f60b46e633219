// `rspcat sync` against the fake registry: what lands in the catalog, a failed sync that
// writes nothing, credentials files, usage errors, the progress bar on a terminal, and the
// limits on hostile registries (JSON nested too deep, endless pages, stalled requests). Also
// the usage errors for empty option values, which sync shares with the other commands.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "fake_registry.hpp"
#include "rspcat/registry.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

const std::string d1 = fake_image("a");
const std::string d2 = fake_image("b");
const std::string d3 = fake_image("c");

std::string authority_of(const FakeRegistry& registry) { return registry.url().substr(std::string("http://").size()); }

std::string dump(const std::string& db) { return run_command(SQLITE3_SHELL, {db, ".dump"}).out; }

}  // namespace

TEST_CASE("rspcat sync: pages, bearer token, credentials file, one snapshot", "[sync]") {
    FakeRegistryConfig config;
    config.repository = "library/sketchbook";
    config.tags = {{"w_2077_44", d2}, {"latest_weekly", d2}, {"w_2077_43", d1}, {"recommended", d1},
                   {"w_2077_43-amd64", d3}, {"d_2077_10_23", d3}, {"r21_0_1", d3}};
    config.page_size = 3;
    config.token = "abc";
    config.token_basic_auth = "Basic cm9ib3Q6cHc=";  // robot:pw
    FakeRegistry registry(config);

    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("config.json"), R"({"auths": {")" + authority_of(registry) + R"(": {"auth": "cm9ib3Q6cHc="}}})");
    const auto result = run_rspcat({"--db", db, "sync", "--url", registry.url(), "--repository", "library/sketchbook",
                                    "--alias", "recommended", "--alias", "latest_weekly", "--credentials",
                                    dir.file("config.json"), "--concurrency", "2"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.err.find('\r') == std::string::npos);  // no progress bar: standard error is not a terminal
    CHECK(result.err.rfind(registry.url() + "/library/sketchbook: snapshot ", 0) == 0);
    CHECK(result.err.find(": 7 tags (7 new, 0 moved, 0 removed)") != std::string::npos);

    const json images = json::parse(run_rspcat({"--db", db, "images", "--format", "json"}).out);
    std::vector<std::string> tags;
    for (const auto& image : images) tags.push_back(image.at("tag"));
    CHECK(tags == std::vector<std::string>{"recommended", "latest_weekly", "r21_0_1", "w_2077_44", "w_2077_43",
                                           "d_2077_10_23"});
    CHECK(images[0].at("registry") == authority_of(registry));
    CHECK(images[0].at("repository") == "library/sketchbook");
    CHECK(images[0].at("display_name") == "Recommended (Weekly 2077_43)");
    CHECK(images[0].at("digest") == d1);
    // The registry's listing order decides the primary: the -amd64 image comes first.
    const json shared = json::parse(run_rspcat({"--db", db, "show", d3, "--format", "json"}).out);
    CHECK(shared.at("tag") == "w_2077_43-amd64");
    const auto source = run_command(SQLITE3_SHELL, {db, "select source, kind from snapshots"});
    CHECK(source.out == registry.url() + "/library/sketchbook|full\n");
}

TEST_CASE("rspcat sync: a failed sync writes nothing and names the URL and status", "[sync]") {
    auto broken = std::make_shared<std::atomic<bool>>(false);
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", d1}, {"w_2077_02", d2}, {"recommended", d1}};
    config.intercept = [broken](const FakeRequest& request) -> std::optional<FakeReply> {
        if (*broken && request.method == "HEAD" && request.path.ends_with("/recommended")) {
            return FakeReply{403, {}, ""};
        }
        return std::nullopt;
    };
    FakeRegistry registry(config);
    TempDir dir;
    const std::string db = dir.file("c.db");
    const std::vector<std::string> sync = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab"};
    REQUIRE(run_rspcat(sync).exit_code == 0);
    const std::string before = dump(db);
    *broken = true;
    const auto failed = run_rspcat(sync);
    CHECK(failed.exit_code == 1);
    CHECK(failed.err ==
          "rspcat: HEAD " + registry.url() + "/v2/lab/manifests/recommended: HTTP 403; nothing was written\n");
    CHECK(dump(db) == before);
}

TEST_CASE("rspcat sync: usage errors and credentials files", "[sync]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("config.json"), R"({"auths": {"elsewhere.example.org": {"auth": "dTpw"}}})");
    write_text(dir.file("broken.json"), R"({"auths": {"127.0.0.1:9": {"auth": 7}}})");
    struct Case {
        std::vector<std::string> args;
        int exit_code;
        std::string message;
    };
    for (const Case& c : std::vector<Case>{
             {{"sync", "--repository", "lab"}, 2, "--url is required"},
             {{"sync", "--url", "http://127.0.0.1:9"}, 2, "--repository is required"},
             {{"sync", "--url", "127.0.0.1:9", "--repository", "lab"}, 2, "--url '127.0.0.1:9' is not http://HOST[:PORT]"},
             {{"sync", "--url", "http://127.0.0.1:9/v2/", "--repository", "lab"}, 2, "is not http://HOST[:PORT]"},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", "Lab"}, 2, "--repository 'Lab' is not a registry repository name"},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", "lab", "--concurrency", "0"}, 2, "--concurrency"},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", "lab", "--concurrency", "65"}, 2, "--concurrency"},
             {{"--read-only", "sync", "--url", "http://127.0.0.1:9", "--repository", "lab"}, 2, "read-only"},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", "lab", "--credentials", dir.file("absent.json")}, 1,
              "cannot read " + dir.file("absent.json")},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", "lab", "--credentials", dir.file("config.json")}, 1,
              dir.file("config.json") + ": no \"auths\" or \"credHelpers\" entry for 127.0.0.1:9 and no \"credsStore\""},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", "lab", "--credentials", dir.file("broken.json")}, 1,
              dir.file("broken.json") + ": /auths/127.0.0.1:9/auth: not the base64 of USER:PASSWORD"},
         }) {
        CAPTURE(c.args);
        std::vector<std::string> args = {"--db", db};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto result = run_rspcat(args);
        CHECK(result.exit_code == c.exit_code);
        CHECK_THAT(result.err, Catch::Contains(c.message));
    }
    CHECK_FALSE(std::filesystem::exists(db));
    const auto help = run_rspcat({"sync", "--help"});
    CHECK(help.exit_code == 0);
    for (const char* option : {"--url", "--repository", "--alias", "--concurrency", "--credentials", "--insecure"}) {
        CHECK(help.out.find(option) != std::string::npos);
    }
}

TEST_CASE("rspcat sync: a progress bar on a terminal", "[sync]") {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", d1}, {"w_2077_02", d2}, {"w_2077_03", d3}};
    FakeRegistry registry(config);
    TempDir dir;
    // script(1) (util-linux, essential in Debian) gives rspcat a terminal and records it.
    const std::string command = shell_quote(RSPCAT_BINARY) + " --db " + shell_quote(dir.file("c.db")) +
                                " sync --url " + registry.url() + " --repository lab";
    const auto result = run_command("script", {"-qec", command, dir.file("typescript")});
    INFO(result.out);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("\r[" + std::string(30, '#') + "] 3/3 tags") != std::string::npos);
    CHECK(result.out.find("3 tags (3 new, 0 moved, 0 removed)") != std::string::npos);
}

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("rspcat sync: a tag list nested 100,000 deep fails cleanly", "[sync]") {
    FakeRegistryConfig config;
    config.intercept = [](const FakeRequest& request) -> std::optional<FakeReply> {
        if (request.path != "/v2/lab/tags/list") return std::nullopt;
        return FakeReply{200, {}, R"({"tags":["w_2021_01",)" + std::string(100000, '[') + std::string(100000, ']') + "]}"};
    };
    FakeRegistry registry(config);
    TempDir dir;
    const auto result = run_rspcat({"--db", dir.file("c.db"), "sync", "--url", registry.url(), "--repository", "lab"});
    CHECK(result.exit_code == 1);  // was 139: the error message recursed through the value
    CHECK_THAT(result.err, Catch::StartsWith("rspcat: GET " + registry.url() + "/v2/lab/tags/list: HTTP 200 but the answer") &&
                               Catch::Contains("nested deeper than 64 levels") &&
                               Catch::EndsWith("; nothing was written\n"));
    CHECK_FALSE(std::filesystem::exists(dir.file("c.db")));
}

TEST_CASE("rspcat sync: limits on pages, tags and time name the option that raises them", "[sync]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    auto sync = [&](const FakeRegistry& registry, std::vector<std::string> extra) {
        std::vector<std::string> args = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_rspcat(args);
    };
    SECTION("endless pages stop at --max-pages") {
        FakeRegistry registry(endless_pages_registry());
        const auto result = sync(registry, {"--max-pages", "5"});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::StartsWith("rspcat: GET " + registry.url() + "/v2/lab/tags/list?last=t4: ") &&
                                   Catch::Contains("more than 5 pages of tags") && Catch::Contains("--max-pages"));
        CHECK(registry.count("GET", "/v2/lab/tags/list") == 5);
        CHECK_FALSE(std::filesystem::exists(db));
    }
    SECTION("more tags than --max-tags") {
        FakeRegistryConfig config;
        config.tags = {{"a", d1}, {"b", d1}, {"c", d2}, {"d", d2}};
        FakeRegistry registry(config);
        const auto result = sync(registry, {"--max-tags", "3"});
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains("/v2/lab/tags/list: ") && Catch::Contains("more than 3 tags") &&
                                   Catch::Contains("--max-tags"));
        CHECK_FALSE(std::filesystem::exists(db));
        CHECK(sync(registry, {"--max-tags", "4"}).exit_code == 0);
    }
    SECTION("a stalled HEAD fails at --timeout, naming the URL") {
        FakeRegistry registry(stalled_heads_registry({{"w_2077_01", d1}}));
        const auto start = std::chrono::steady_clock::now();
        const auto result = sync(registry, {"--timeout", "1"});
        CHECK(seconds_since(start) < 10);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::StartsWith("rspcat: HEAD " + registry.url() + "/v2/lab/manifests/w_2077_01: ") &&
                                   Catch::Contains("no complete answer within 1 s") && Catch::Contains("--timeout"));
    }
    SECTION("a stalled HEAD fails at --deadline, naming the URL and the deadline") {
        FakeRegistry registry(stalled_heads_registry({{"w_2077_01", d1}}));
        const auto start = std::chrono::steady_clock::now();
        const auto result = sync(registry, {"--deadline", "1"});
        CHECK(seconds_since(start) < 10);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::StartsWith("rspcat: HEAD " + registry.url() + "/v2/lab/manifests/w_2077_01: ") &&
                                   Catch::Contains("deadline of 1 s") && Catch::Contains("--deadline"));
    }
}

TEST_CASE("empty option values are usage errors naming the option", "[sync][cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("l.tsv"), "w_2077_01\t" + d1 + "\n");
    write_text(dir.file("p.json"), "{}");
    REQUIRE(run_rspcat({"--db", db, "ingest", "--registry", "r", "--repository", "lab", dir.file("l.tsv")}).exit_code == 0);
    const std::string before = dump(db);
    struct Case {
        std::vector<std::string> args;
        std::string option;
    };
    for (const Case& c : std::vector<Case>{
             {{"ingest", "--registry", "", "--repository", "lab", dir.file("l.tsv")}, "--registry"},
             {{"ingest", "--registry", "r", "--repository", "", dir.file("l.tsv")}, "--repository"},
             {{"ingest", "--registry", "r", "--repository", "lab", "--at", "", dir.file("l.tsv")}, "--at"},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", ""}, "--repository"},
             {{"sync", "--url", "http://127.0.0.1:9", "--repository", "lab", "--credentials", ""}, "--credentials"},
             {{"images", "--at", ""}, "--at"},
             {{"images", "--registry", "", "--repository", ""}, "--registry"},
             {{"history", "w_2077_01", "--registry", "", "--repository", "lab"}, "--registry"},
             {{"filter", "--policy", dir.file("p.json"), "--at", ""}, "--at"},
             {{"seen", d1, ""}, "node"},
             {{"menu", "--recommended", "w_2077_01", "--nodes", ""}, "--nodes"},
             {{"menu", "--recommended", "w_2077_01", "--nodes", "n1,,n2"}, "--nodes"},
             {{"menu", "--recommended", "w_2077_01", "--nodes", "n1,"}, "--nodes"},
         }) {
        CAPTURE(c.args);
        std::vector<std::string> args = {"--db", db};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto result = run_rspcat(args);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Catch::Contains(c.option) && Catch::Contains("empty"));
    }
    CHECK(dump(db) == before);
}
