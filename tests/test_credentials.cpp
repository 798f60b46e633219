// Credentials as Docker, crane and podman find them: which files are read and in what order,
// credHelpers and credsStore through a fake `docker-credential-test` helper (a shell script in a
// temporary directory that is the helper's PATH), identity tokens POSTed to the token service,
// `sync --username --password-stdin`, and secrets kept out of every message and the catalog.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "fake_registry.hpp"
#include "rspcat/registry.hpp"

using namespace rspcat::registry;
using namespace rspcat::test;

namespace {

const std::string digest = fake_image("a");
const std::string secret = "s3cret-pw";
const std::string robot_basic = "Basic cm9ib3Q6czNjcmV0LXB3";  // robot:s3cret-pw

// `docker-credential-NAME` in `dir`: a /bin/sh script with `body` after a line that saves what
// it was given on standard input to `dir/asked-NAME`.
void write_helper(const TempDir& dir, const std::string& name, const std::string& body) {
    const std::string path = dir.file("docker-credential-" + name);
    write_text(path, "#!/bin/sh\nserver=$(cat)\nprintf '%s' \"$server\" > " + shell_quote(dir.file("asked-" + name)) +
                         "\n[ \"$1\" = get ] || exit 9\n" + body + "\n");
    ::chmod(path.c_str(), 0755);
}

// A helper that answers robot and the secret.
void write_good_helper(const TempDir& dir, const std::string& name = "test") {
    write_helper(dir, name, R"(printf '{"ServerURL":"%s","Username":"robot","Secret":")" + secret + R"("}' "$server")");
}

// A lookup that sees nothing of the environment of whoever runs the tests.
CredentialLookup lookup_in(const TempDir& dir) {
    CredentialLookup lookup;
    lookup.home = dir.file("home");
    lookup.path = dir.path().string();
    return lookup;
}

std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no error)";
}

std::string authority_of(const FakeRegistry& registry) { return registry.url().substr(std::string("http://").size()); }

// rspcat with nothing of the caller's environment but what the test gives: HOME is `dir/home`,
// PATH is `dir` then the system's.
CommandResult run_isolated(const TempDir& dir, const std::vector<std::string>& environment,
                           const std::vector<std::string>& args, const std::string& stdin_file = "/dev/null") {
    std::vector<std::string> command = {"-i", "HOME=" + dir.file("home"), "PATH=" + dir.path().string() + ":/usr/bin:/bin"};
    command.insert(command.end(), environment.begin(), environment.end());
    command.push_back(RSPCAT_BINARY);
    command.insert(command.end(), args.begin(), args.end());
    return run_command("/usr/bin/env", command, stdin_file);
}

}  // namespace

TEST_CASE("credential_files: the order of the files read", "[credentials]") {
    CredentialLookup lookup;
    CHECK(credential_files(lookup).empty());
    lookup.home = "/h";
    CHECK(credential_files(lookup) == std::vector<std::string>{"/h/.docker/config.json"});
    lookup.registry_auth_file = "/r/auth.json";
    lookup.xdg_runtime_dir = "/run/user/1";
    CHECK(credential_files(lookup) ==
          std::vector<std::string>{"/h/.docker/config.json", "/r/auth.json", "/run/user/1/containers/auth.json"});
    lookup.docker_config = "/d";  // instead of ~/.docker, as Docker reads it
    CHECK(credential_files(lookup) ==
          std::vector<std::string>{"/d/config.json", "/r/auth.json", "/run/user/1/containers/auth.json"});
    lookup.config_file = "/given.json";  // --credentials: that file alone
    CHECK(credential_files(lookup) == std::vector<std::string>{"/given.json"});
}

TEST_CASE("resolve_credentials: the first file that names the registry decides", "[credentials]") {
    TempDir dir;
    std::filesystem::create_directories(dir.file("home/.docker"));
    std::filesystem::create_directories(dir.file("run/containers"));
    write_good_helper(dir);
    CredentialLookup lookup = lookup_in(dir);
    lookup.registry_auth_file = dir.file("auth.json");
    lookup.xdg_runtime_dir = dir.file("run");

    SECTION("no file at all: anonymous, not an error") { CHECK_FALSE(resolve_credentials("r.example.org", lookup)); }
    SECTION("a Docker config without the registry passes to the containers' auth.json") {
        write_text(dir.file("home/.docker/config.json"), R"({"auths": {"other.example.org": {"auth": "dTpw"}}})");
        write_text(dir.file("auth.json"), R"({"auths": {"r.example.org:5000": {"auth": "YXV0aDpqc29u"}}})");
        const auto found = resolve_credentials("r.example.org:5000", lookup);
        REQUIRE(found);
        CHECK(found->username == "auth");
        CHECK(found->password == "json");
        CHECK(found->source == dir.file("auth.json"));
    }
    SECTION("$XDG_RUNTIME_DIR/containers/auth.json comes last") {
        write_text(dir.file("run/containers/auth.json"), R"({"auths": {"r.example.org": {"auth": "eGRnOnJ1bg=="}}})");
        const auto found = resolve_credentials("r.example.org", lookup);
        REQUIRE(found);
        CHECK(found->username == "xdg");
    }
    SECTION("credHelpers for the registry, before credsStore, before auths") {
        write_text(dir.file("home/.docker/config.json"), R"({
            "auths": {"r.example.org": {"auth": "dTpw"}},
            "credHelpers": {"r.example.org": "test"},
            "credsStore": "absent"})");
        const auto found = resolve_credentials("R.example.org", lookup);
        REQUIRE(found);
        CHECK(found->username == "robot");
        CHECK(found->password == secret);
        CHECK(found->identity_token.empty());
        CHECK(found->source == "docker-credential-test");
        CHECK(slurp(dir.file("asked-test")) == "R.example.org");  // the server on standard input
    }
    SECTION("credsStore for every registry without a credHelpers entry, before auths") {
        write_text(dir.file("home/.docker/config.json"), R"({
            "auths": {"r.example.org": {}},
            "credHelpers": {"other.example.org": "absent"},
            "credsStore": "test"})");
        CHECK(resolve_credentials("r.example.org", lookup)->password == secret);
        // Docker Hub is asked for by its index's URL.
        CHECK(resolve_credentials("registry-1.docker.io", lookup)->username == "robot");
        CHECK(slurp(dir.file("asked-test")) == "https://index.docker.io/v1/");
    }
    SECTION("an identitytoken in auths, or a helper's Username <token>") {
        write_text(dir.file("home/.docker/config.json"),
                   R"({"auths": {"r.example.org": {"auth": "dTo=", "identitytoken": "refresh-1"}}, "credHelpers": {"t.example.org": "tok"}})");
        const auto from_file = resolve_credentials("r.example.org", lookup);
        REQUIRE(from_file);
        CHECK(from_file->identity_token == "refresh-1");
        write_helper(dir, "tok", R"(echo '{"Username":"<token>","Secret":"refresh-2"}')");
        const auto from_helper = resolve_credentials("t.example.org", lookup);
        REQUIRE(from_helper);
        CHECK(from_helper->identity_token == "refresh-2");
        CHECK(from_helper->username.empty());
        CHECK(from_helper->password.empty());
    }
    SECTION("a helper that says credentials not found: the next file, else anonymous") {
        write_helper(dir, "none", "echo 'credentials not found in native keychain'\nexit 1");
        write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "none"})");
        CHECK_FALSE(resolve_credentials("r.example.org", lookup));
        write_text(dir.file("auth.json"), R"({"auths": {"r.example.org": {"auth": "dTpw"}}})");
        const auto next = resolve_credentials("r.example.org", lookup);
        REQUIRE(next);
        CHECK(next->username == "u");
        CHECK(next->source == dir.file("auth.json"));
    }
    SECTION("an empty credsStore is none") {
        write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "", "auths": {"r.example.org": {"auth": "dTpw"}}})");
        CHECK(resolve_credentials("r.example.org", lookup)->username == "u");
    }
    SECTION("$DOCKER_CONFIG instead of ~/.docker") {
        write_text(dir.file("home/.docker/config.json"), R"({"auths": {"r.example.org": {"auth": "aG9tZTpw"}}})");
        std::filesystem::create_directories(dir.file("dc"));
        write_text(dir.file("dc/config.json"), R"({"auths": {"r.example.org": {"auth": "ZGM6cA=="}}})");
        lookup.docker_config = dir.file("dc");
        CHECK(resolve_credentials("r.example.org", lookup)->username == "dc");
    }
}

TEST_CASE("resolve_credentials: files and helpers that fail are errors naming them, without secrets", "[credentials]") {
    TempDir dir;
    std::filesystem::create_directories(dir.file("home/.docker"));
    const std::string config = dir.file("home/.docker/config.json");
    CredentialLookup lookup = lookup_in(dir);
    lookup.helper_timeout = std::chrono::milliseconds(500);
    struct Case {
        std::string name;
        std::string config;
        std::string helper;  // the body of docker-credential-test, or empty for none
        std::string message;
    };
    SECTION("each case") {
    for (const Case& c : std::vector<Case>{
             {"malformed", "{", "", config + ": not valid JSON"},
             {"not an object", "[]", "", config + ": expected a Docker config.json object"},
             {"credHelpers not an object", R"({"credHelpers": []})", "", config + ": /credHelpers: expected an object"},
             {"a helper name with a slash", R"({"credsStore": "../../bin/sh"})", "",
              config + ": /credsStore: '../../bin/sh' is not a credential helper's name"},
             {"a missing helper", R"({"credsStore": "test"})", "",
              "docker-credential-test (credsStore in " + config + "): not found on PATH"},
             {"a failing helper", R"({"credHelpers": {"r.example.org": "test"}})",
              "echo \"cannot unlock " + secret + "\" >&2\necho " + secret + "\nexit 3",
              "docker-credential-test (credHelpers in " + config + "): `docker-credential-test get` exited with status 3"},
             {"a helper killed", R"({"credsStore": "test"})", "kill -9 $$", "was killed by signal 9"},
             {"a helper that answers nonsense", R"({"credsStore": "test"})", "echo " + secret,
              "did not answer a JSON object with \"Username\" and \"Secret\" strings"},
             {"a helper that hangs", R"({"credsStore": "test"})", "exec sleep 30", "no answer within 500 ms; it was stopped"},
             // The parser's own message quotes what it read last: here, the password.
             {"cut short inside a password", R"({"auths": {"r.example.org": {"username": "u", "password": ")" + secret,
              "", config + ": not valid JSON: the text ends before the document does"},
             {"a raw line end inside a password", R"({"auths": {"r.example.org": {"password": ")" + secret + "\n\"}}}",
              "", config + ": not valid JSON at line 1"},
             // Its output closed, but still running: stopped at the deadline, not waited for.
             {"a helper that answers and lingers", R"({"credsStore": "test"})",
              "echo '{\"Username\": \"u\", \"Secret\": \"p\"}'\nexec >&- 2>&-\nexec sleep 30",
              "no answer within 500 ms; it was stopped"},
             {"a helper whose child keeps its output open", R"({"credsStore": "test"})",
              "sleep 30 &\necho '{\"Username\": \"u\", \"Secret\": \"p\"}'", "no answer within 500 ms; it was stopped"},
         }) {
        CAPTURE(c.name);
        write_text(config, c.config);
        std::filesystem::remove(dir.file("docker-credential-test"));
        if (!c.helper.empty()) write_helper(dir, "test", c.helper);
        const auto start = std::chrono::steady_clock::now();
        const std::string message = error_of([&] { resolve_credentials("r.example.org", lookup); });
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
        CHECK_THAT(message, Catch::Contains(c.message));
        CHECK(message.find(secret) == std::string::npos);
    }
    }
    SECTION("a directory where the file should be") {
        std::filesystem::remove(config);
        std::filesystem::create_directories(config);
        CHECK(error_of([&] { resolve_credentials("r.example.org", lookup); }) == "cannot read " + config + ": it is a directory");
    }
    SECTION("--credentials names a file that is not there") {
        lookup.config_file = dir.file("absent.json");
        CHECK_THAT(error_of([&] { resolve_credentials("r.example.org", lookup); }),
                   Catch::StartsWith("cannot read " + dir.file("absent.json")));
    }
}

TEST_CASE("resolve_credentials: a helper gets none of our descriptors", "[credentials]") {
    TempDir dir;
    std::filesystem::create_directories(dir.file("home/.docker"));
    write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "test"})");
    // Every descriptor the helper's shell has, by what it points to.
    write_helper(dir, "test", "for fd in /proc/$$/fd/*; do readlink \"$fd\"; done > " + shell_quote(dir.file("fds")) +
                                  "\necho '{\"Username\":\"u\",\"Secret\":\"p\"}'");
    write_text(dir.file("marker"), "");
    // Opened without O_CLOEXEC, as a careless library might.
    const int leaky = ::open(dir.file("marker").c_str(), O_RDONLY);
    REQUIRE(leaky >= 0);
    const auto found = resolve_credentials("r.example.org", lookup_in(dir));
    ::close(leaky);
    REQUIRE(found);
    const std::string fds = slurp(dir.file("fds"));
    INFO(fds);
    CHECK(fds.find("pipe:") != std::string::npos);  // it did list its descriptors
    CHECK(fds.find("marker") == std::string::npos);
}

TEST_CASE("fetch_listing: an identity token is POSTed to the token service as an OAuth2 refresh token", "[credentials][sync]") {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", digest}};
    config.token = "access-1";
    config.refresh_token = "refresh-secret";
    FakeRegistry registry(config);
    SyncOptions options;
    options.url = *parse_base_url(registry.url());
    options.repository = "lab";
    options.retry.first_delay = std::chrono::milliseconds(1);
    Credentials credentials;
    credentials.identity_token = "refresh-secret";
    credentials.source = "docker-credential-test";
    options.credentials = credentials;
    const auto rows = fetch_listing(options);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].digest == digest);
    std::size_t posts = 0;
    for (const auto& request : registry.requests()) {
        if (request.path != "/token") continue;
        CHECK(request.method == "POST");
        CHECK(request.query.empty());  // the token never goes into a URL
        CHECK(request.header("authorization").empty());
        const auto form = query_params(request.body);
        CHECK(form.at("grant_type") == "refresh_token");
        CHECK(form.at("refresh_token") == "refresh-secret");
        CHECK(form.at("service") == "fake registry");
        CHECK(form.at("scope") == "repository:lab:pull");
        ++posts;
    }
    CHECK(posts == 1);

    SECTION("a refused token names where it came from, not what it is") {
        options.credentials->identity_token = "wrong-refresh-secret";
        const std::string message = error_of([&] { fetch_listing(options); });
        CHECK_THAT(message, Catch::StartsWith("POST " + registry.url() + "/token: HTTP 401") &&
                                Catch::Contains("with the credentials from docker-credential-test"));
        CHECK(message.find("wrong-refresh-secret") == std::string::npos);
    }
    SECTION("without the identity token the token service is asked by GET, which it refuses") {
        options.credentials.reset();
        CHECK_THAT(error_of([&] { fetch_listing(options); }), Catch::StartsWith("GET " + registry.url() + "/token?") &&
                                                                  Catch::Contains("HTTP 405"));
    }
    SECTION("an identity token cannot answer a Basic challenge") {
        FakeRegistryConfig basic;
        basic.tags = config.tags;
        basic.basic_auth = robot_basic;
        FakeRegistry basic_registry(basic);
        options.url = *parse_base_url(basic_registry.url());
        CHECK_THAT(error_of([&] { fetch_listing(options); }),
                   Catch::Contains("the registry wants Basic credentials, and an identity token from "
                                   "docker-credential-test is only for a Bearer token service"));
    }
}

TEST_CASE("rspcat sync: credentials from helpers, DOCKER_CONFIG, REGISTRY_AUTH_FILE and XDG_RUNTIME_DIR", "[credentials][sync]") {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", digest}};
    config.basic_auth = robot_basic;
    FakeRegistry registry(config);
    TempDir dir;
    std::filesystem::create_directories(dir.file("home/.docker"));
    std::filesystem::create_directories(dir.file("dc"));
    std::filesystem::create_directories(dir.file("run/containers"));
    write_good_helper(dir);
    const std::string db = dir.file("c.db");
    const std::vector<std::string> sync = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab"};
    const std::string entry = "{\"" + authority_of(registry) + "\": ";

    SECTION("nothing: the registry refuses") {
        const auto result = run_isolated(dir, {}, sync);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains("the registry wants credentials and none were given"));
    }
    SECTION("credsStore in ~/.docker/config.json") {
        write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "test"})");
        const auto result = run_isolated(dir, {}, sync);
        INFO(result.err);
        CHECK(result.exit_code == 0);
        CHECK(slurp(dir.file("asked-test")) == authority_of(registry));
    }
    SECTION("credHelpers in $DOCKER_CONFIG/config.json, not ~/.docker") {
        write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "absent"})");
        write_text(dir.file("dc/config.json"), R"({"credHelpers": )" + entry + R"("test"}})");
        const auto result = run_isolated(dir, {"DOCKER_CONFIG=" + dir.file("dc")}, sync);
        INFO(result.err);
        CHECK(result.exit_code == 0);
    }
    SECTION("$REGISTRY_AUTH_FILE") {
        write_text(dir.file("auth.json"), R"({"auths": )" + entry + R"({"username": "robot", "password": ")" + secret + R"("}}})");
        const auto result = run_isolated(dir, {"REGISTRY_AUTH_FILE=" + dir.file("auth.json")}, sync);
        INFO(result.err);
        CHECK(result.exit_code == 0);
    }
    SECTION("$XDG_RUNTIME_DIR/containers/auth.json") {
        write_text(dir.file("run/containers/auth.json"), R"({"auths": )" + entry + R"({"auth": "cm9ib3Q6czNjcmV0LXB3"}}})");
        const auto result = run_isolated(dir, {"XDG_RUNTIME_DIR=" + dir.file("run")}, sync);
        INFO(result.err);
        CHECK(result.exit_code == 0);
    }
    SECTION("a helper missing from PATH") {
        write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "nothere"})");
        const auto result = run_isolated(dir, {}, sync);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains("docker-credential-nothere (credsStore in " + dir.file("home/.docker/config.json") +
                                               "): not found on PATH"));
        CHECK_FALSE(std::filesystem::exists(db));
    }
    SECTION("a failing helper that echoes the secret") {
        write_helper(dir, "leaky", "echo \"wrong password " + secret + "\" >&2\necho \"" + secret + "\"\nexit 1");
        write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "leaky"})");
        const auto result = run_isolated(dir, {}, sync);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains("docker-credential-leaky") && Catch::Contains("exited with status 1"));
        CHECK(result.err.find(secret) == std::string::npos);
        CHECK(result.out.find(secret) == std::string::npos);
    }
    SECTION("a wrong secret is refused without being shown") {
        write_helper(dir, "wrong", R"(echo '{"Username":"robot","Secret":"not-the-s3cret"}')");
        write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "wrong"})");
        const auto result = run_isolated(dir, {}, sync);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.err, Catch::Contains("the registry refused the credentials from docker-credential-wrong"));
        CHECK(result.err.find("not-the-s3cret") == std::string::npos);
    }
    if (std::filesystem::exists(db)) {
        const std::string dump = run_command(SQLITE3_SHELL, {db, ".dump"}).out;
        CHECK(dump.find("w_2077_01") != std::string::npos);
        CHECK(dump.find(secret) == std::string::npos);
        CHECK(dump.find("robot") == std::string::npos);
    }
}

TEST_CASE("rspcat sync: a helper that has no credentials leaves the sync anonymous", "[credentials][sync]") {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", digest}};
    FakeRegistry registry(config);
    TempDir dir;
    std::filesystem::create_directories(dir.file("home/.docker"));
    write_helper(dir, "test", "echo 'credentials not found in native keychain'\nexit 1");
    write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "test"})");
    const auto result =
        run_isolated(dir, {}, {"--db", dir.file("c.db"), "sync", "--url", registry.url(), "--repository", "lab"});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(slurp(dir.file("asked-test")) == authority_of(registry));
    for (const auto& request : registry.requests()) CHECK(request.header("authorization").empty());
}

TEST_CASE("rspcat sync: an identity token from a helper gets a bearer token by POST", "[credentials][sync]") {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", digest}};
    config.token = "access-2";
    config.refresh_token = "refresh-" + secret;
    FakeRegistry registry(config);
    TempDir dir;
    std::filesystem::create_directories(dir.file("home/.docker"));
    write_helper(dir, "test", R"(echo '{"Username":"<token>","Secret":"refresh-)" + secret + R"("}')");
    write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "test"})");
    const auto result =
        run_isolated(dir, {}, {"--db", dir.file("c.db"), "sync", "--url", registry.url(), "--repository", "lab"});
    INFO(result.err);
    CHECK(result.exit_code == 0);
    CHECK(registry.count("POST", "/token") == 1);
    CHECK(registry.count("GET", "/token") == 0);
}

TEST_CASE("rspcat sync: --username with --password-stdin", "[credentials][sync]") {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", digest}};
    config.basic_auth = robot_basic;
    FakeRegistry registry(config);
    TempDir dir;
    std::filesystem::create_directories(dir.file("home/.docker"));
    // A Docker config that would fail: --username means it is not read.
    write_text(dir.file("home/.docker/config.json"), R"({"credsStore": "nothere"})");
    write_text(dir.file("password"), secret + "\n");
    write_text(dir.file("wrong"), "wrong-" + secret + "\r\n");
    write_text(dir.file("empty"), "\n");
    const std::string db = dir.file("c.db");
    auto sync = [&](std::vector<std::string> extra, const std::string& stdin_file) {
        std::vector<std::string> args = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_isolated(dir, {}, args, stdin_file);
    };
    const auto good = sync({"--username", "robot", "--password-stdin"}, dir.file("password"));
    INFO(good.err);
    CHECK(good.exit_code == 0);
    const auto wrong = sync({"--username", "robot", "--password-stdin"}, dir.file("wrong"));
    CHECK(wrong.exit_code == 1);
    CHECK_THAT(wrong.err, Catch::Contains("the registry refused the credentials from --username and --password-stdin"));
    CHECK(wrong.err.find(secret) == std::string::npos);
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    for (const Case& c : std::vector<Case>{
             {{"--username", "robot"}, "--username needs --password-stdin"},
             {{"--password-stdin"}, "--password-stdin needs --username"},
             {{"--username", "robot", "--password-stdin", "--credentials", dir.file("x.json")}, "excludes"},
             {{"--username", "", "--password-stdin"}, "--username"},
         }) {
        CAPTURE(c.args);
        const auto result = sync(c.args, dir.file("password"));
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Catch::Contains(c.message));
    }
    const auto empty = sync({"--username", "robot", "--password-stdin"}, dir.file("empty"));
    CHECK(empty.exit_code == 2);
    CHECK_THAT(empty.err, Catch::Contains("standard input holds no password"));
    const std::string dump = run_command(SQLITE3_SHELL, {db, ".dump"}).out;
    CHECK(dump.find(secret) == std::string::npos);
}
