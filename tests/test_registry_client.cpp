// The registry client: its text handling, and fetch_listing against a fake registry on
// 127.0.0.1 that paginates with Link headers, asks for bearer tokens and is overloaded at will.
#include <catch2/catch.hpp>

#include "fake_registry.hpp"
#include "rspcat/registry.hpp"

using namespace rspcat;
using namespace rspcat::registry;
using namespace rspcat::test;

namespace {

std::string digest_of(int n) {
    const std::string hex = "0123456789abcdef";
    std::string digits(64, '0');
    for (std::size_t i = 0; i < digits.size(); ++i) digits[i] = hex[static_cast<std::size_t>(n * 7 + static_cast<int>(i)) % 16];
    return "sha256:" + digits;
}

std::vector<std::pair<std::string, std::string>> weeklies(int count) {
    std::vector<std::pair<std::string, std::string>> tags;
    for (int i = 0; i < count; ++i) {
        tags.emplace_back("w_2077_" + std::string(i + 1 < 10 ? "0" : "") + std::to_string(i + 1), digest_of(i % 5));
    }
    return tags;
}

SyncOptions options_for(const FakeRegistry& registry, const std::string& repository = "lab") {
    SyncOptions options;
    options.url = *parse_base_url(registry.url());
    options.repository = repository;
    options.retry = RetryPolicy{3, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
    return options;
}

std::vector<std::pair<std::string, std::string>> pairs_of(const std::vector<ListingRow>& rows) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row : rows) out.emplace_back(row.tag, row.digest);
    return out;
}

std::string error_of(const SyncOptions& options) {
    try {
        fetch_listing(options);
    } catch (const RegistryError& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("base URLs, repository names, base64", "[sync]") {
    CHECK(parse_base_url("https://registry.example.org")->text() == "https://registry.example.org");
    CHECK(parse_base_url("http://127.0.0.1:5000/")->authority == "127.0.0.1:5000");
    CHECK(parse_base_url("HTTPS://[::1]:443")->text() == "https://[::1]:443");
    CHECK(parse_base_url("https://REGISTRY.example.org:443/")->authority == "REGISTRY.example.org:443");  // as written
    CHECK(parse_base_url("http://[2001:db8::1]")->authority == "[2001:db8::1]");
    // libcurl reads some of these (`https:/host`, `ho_st`, `127.1`), but not as SCHEME://HOST[:PORT].
    for (const char* bad : {"registry.example.org", "ftp://host", "https://", "https://host/v2/", "https://host:0",
                            "https://host:99999", "https://user@host", "https://host:port", "https://ho st",
                            "https:/host", "https:///host", "https:host", "https://host//", "https://host/.",
                            "https://host?", "https://host#", "https://host:", "https://host:0443", "https://127.1",
                            "https://ho_st", "https://ho%41st", "https://[::1", "https://[fe80::1%25eth0]",
                            " https://host", "https://host "}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_base_url(bad));
    }
    for (const char* good : {"lab", "lsstsqre/sciplat-lab", "library/sketchbook", "a__b/c.d/e---f", "0"}) {
        CAPTURE(good);
        CHECK(is_repository_name(good));
    }
    for (const char* bad : {"", "Lab", "lab/", "/lab", "a//b", "a___b", "a_", "-a", "a.-b", "lab?n=1", "lab/../x"}) {
        CAPTURE(bad);
        CHECK_FALSE(is_repository_name(bad));
    }
    CHECK(base64_decode("dXNlcjpwYXNz") == "user:pass");
    CHECK(base64_decode("YWI=") == "ab");
    CHECK_FALSE(base64_decode("not base64!"));
    CHECK_FALSE(base64_decode("A"));
}

TEST_CASE("WWW-Authenticate challenges", "[sync]") {
    const auto bearer = parse_challenge(
        R"(Bearer realm="https://auth.example.org/token",service="registry.example.org",scope="repository:a/b:pull,push")");
    REQUIRE(bearer);
    CHECK(bearer->scheme == "bearer");
    CHECK(bearer->params.at("realm") == "https://auth.example.org/token");
    CHECK(bearer->params.at("service") == "registry.example.org");
    CHECK(bearer->params.at("scope") == "repository:a/b:pull,push");
    const auto basic = parse_challenge(R"(Basic realm="Registry \"Realm\"")");
    REQUIRE(basic);
    CHECK(basic->scheme == "basic");
    CHECK(basic->params.at("realm") == "Registry \"Realm\"");
    CHECK(parse_challenge("Negotiate")->scheme == "negotiate");
    CHECK_FALSE(parse_challenge(""));
    CHECK_FALSE(parse_challenge("Bearer nonsense"));
}

TEST_CASE("Link headers: path, absolute and relative links, and other hosts refused", "[sync]") {
    const BaseUrl base{"https", "registry.example.org:5000"};
    const std::string current = "https://registry.example.org:5000/v2/a/b/tags/list?n=2";
    struct Case {
        std::string header;
        std::optional<std::string> next;
    };
    for (const Case& c : std::vector<Case>{
             {R"(</v2/a/b/tags/list?n=2&last=x>; rel="next")", "https://registry.example.org:5000/v2/a/b/tags/list?n=2&last=x"},
             {R"(<https://REGISTRY.example.org:5000/v2/a/b/tags/list?last=x>; rel=next)",
              "https://registry.example.org:5000/v2/a/b/tags/list?last=x"},
             {R"(<list?n=2&last=x>; rel="next")", "https://registry.example.org:5000/v2/a/b/tags/list?n=2&last=x"},
             {R"(<?last=x>; rel="next")", "https://registry.example.org:5000/v2/a/b/tags/list?last=x"},
             {R"(</first>; rel="prev", </v2/a/b/tags/list?last=y>; title="a, b"; rel="next")",
              "https://registry.example.org:5000/v2/a/b/tags/list?last=y"},
             {R"(</v2/a/b/tags/list?last=x>; rel="prev")", std::nullopt},
             {R"(<../../c/tags/list?last=x>; rel="next")", "https://registry.example.org:5000/v2/a/c/tags/list?last=x"},
             {R"(<HTTPS://registry.example.org:5000/v2/x#frag>; rel="next")", "https://registry.example.org:5000/v2/x#frag"},
             {"", std::nullopt},
         }) {
        CAPTURE(c.header);
        CHECK(next_page_url(c.header, base, current) == c.next);
    }
    for (const char* other : {R"(<https://evil.example.org/v2/a/b/tags/list>; rel="next")",
                              R"(<http://registry.example.org:5000/v2/a/b/tags/list>; rel="next")",
                              R"(<https://registry.example.org:5001/v2/a/b/tags/list>; rel="next")",
                              R"(<//evil.example.org/v2/a/b/tags/list>; rel="next")"}) {
        CAPTURE(other);
        CHECK_THROWS_WITH(next_page_url(other, base, current), Catch::Contains("refusing to follow the Link to another host"));
    }
    // The same origin with the scheme's port written out or left implicit.
    CHECK(next_page_url(R"(<https://registry.example.org:443/v2/x>; rel="next")", BaseUrl{"https", "registry.example.org"},
                        "https://registry.example.org/v2/a") == "https://registry.example.org/v2/x");
    CHECK(next_page_url(R"(<https://registry.example.org/v2/x>; rel="next")", BaseUrl{"https", "registry.example.org:443"},
                        "https://registry.example.org:443/v2/a") == "https://registry.example.org:443/v2/x");
    CHECK_THROWS_WITH(next_page_url(R"(<https://registry.example.org:5000/a b>; rel="next")", base, current),
                      "GET " + current + ": the Link to the next page is not a URL (Bad path): "
                      "'https://registry.example.org:5000/a b'");
}

TEST_CASE("credentials from a Docker config.json", "[sync]") {
    const std::string config = R"({
      "auths": {
        "https://index.docker.io/v1/": {"auth": "aHVidXNlcjpodWJwYXNz"},
        "registry.example.org:5000": {"auth": "bWU6c2U6Y3JldA=="},
        "https://other.example.org": {"username": "u", "password": "p"},
        "broken.example.org": {"auth": "!!!"},
        "helper.example.org": {}
      },
      "credsStore": "desktop"
    })";
    const auto mine = credentials_from_docker_config(config, "config.json", "registry.example.org:5000");
    REQUIRE(mine);
    CHECK(mine->username == "me");
    CHECK(mine->password == "se:cret");
    CHECK(credentials_from_docker_config(config, "config.json", "registry-1.docker.io")->username == "hubuser");
    CHECK(credentials_from_docker_config(config, "config.json", "OTHER.example.org")->password == "p");
    CHECK_FALSE(credentials_from_docker_config(config, "config.json", "registry.example.org"));
    CHECK_FALSE(credentials_from_docker_config("{}", "config.json", "registry.example.org"));
    CHECK_THROWS_WITH(credentials_from_docker_config(config, "config.json", "broken.example.org"),
                      "config.json: /auths/broken.example.org/auth: not the base64 of USER:PASSWORD");
    CHECK_THROWS_WITH(credentials_from_docker_config(config, "config.json", "helper.example.org"),
                      Catch::StartsWith("config.json: /auths/helper.example.org: no \"auth\""));
    CHECK_THROWS_WITH(credentials_from_docker_config("[", "config.json", "x"), Catch::StartsWith("config.json: not valid JSON"));
    CHECK_THROWS_WITH(credentials_from_docker_config(R"({"auths": []})", "config.json", "x"),
                      "config.json: /auths: expected an object");
}

TEST_CASE("fetch_listing follows every kind of Link and keeps the registry's order", "[sync]") {
    FakeRegistryConfig config;
    config.repository = "lsst/sciplat-lab";
    config.tags = weeklies(23);
    config.page_size = 4;  // 6 pages: path, absolute and relative links
    FakeRegistry registry(config);
    for (int concurrency : {1, 4}) {
        CAPTURE(concurrency);
        SyncOptions options = options_for(registry, "lsst/sciplat-lab");
        options.concurrency = concurrency;
        std::vector<std::pair<std::size_t, std::size_t>> progress;
        options.on_progress = [&](std::size_t done, std::size_t total) { progress.emplace_back(done, total); };
        CHECK(pairs_of(fetch_listing(options)) == config.tags);
        REQUIRE(progress.size() == 24);
        CHECK(progress.front() == std::pair<std::size_t, std::size_t>{0, 23});
        CHECK(progress.back() == std::pair<std::size_t, std::size_t>{23, 23});
    }
    CHECK(registry.count("GET", "/v2/lsst/sciplat-lab/tags/list") == 12);
    // Every HEAD asks for all four kinds of manifest.
    for (const auto& request : registry.requests()) {
        if (request.method != "HEAD") continue;
        const std::string accept = request.header("accept");
        for (const char* type : {"application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                                 "application/vnd.docker.distribution.manifest.list.v2+json",
                                 "application/vnd.docker.distribution.manifest.v2+json"}) {
            CHECK(accept.find(type) != std::string::npos);
        }
    }
}

TEST_CASE("fetch_listing: an empty repository, null tags", "[sync]") {
    FakeRegistryConfig config;
    config.intercept = [](const FakeRequest& request) -> std::optional<FakeReply> {
        if (request.path == "/v2/lab/tags/list") return FakeReply{200, {}, R"({"name":"lab","tags":null})"};
        return std::nullopt;
    };
    FakeRegistry registry(config);
    CHECK(fetch_listing(options_for(registry)).empty());
}

TEST_CASE("fetch_listing: the bearer-token flow, one token for all threads", "[sync]") {
    FakeRegistryConfig config;
    config.tags = weeklies(9);
    config.page_size = 4;
    config.token = "t0ken";
    config.token_basic_auth = "Basic cm9ib3Q6czNjcmV0";  // robot:s3cret
    FakeRegistry registry(config);
    SyncOptions options = options_for(registry);
    options.credentials = Credentials{"robot", "s3cret", "", ""};
    CHECK(pairs_of(fetch_listing(options)) == config.tags);
    CHECK(registry.count("GET", "/token") == 1);
    // Only the first request went without the token.
    std::size_t refused = 0;
    for (const auto& request : registry.requests()) {
        if (request.path != "/token" && request.header("authorization") != "Bearer t0ken") ++refused;
    }
    CHECK(refused == 1);

    SECTION("wrong credentials are refused at the token endpoint") {
        options.credentials = Credentials{"robot", "wrong", "", ""};
        CHECK_THAT(error_of(options), Catch::Contains("GET " + registry.url() + "/token?service=fake%20registry&scope=") &&
                                          Catch::Contains(": HTTP 401 (asking for a bearer token)"));
    }
}

TEST_CASE("fetch_listing: basic credentials on a Basic challenge", "[sync]") {
    FakeRegistryConfig config;
    config.tags = weeklies(3);
    const std::string expected = "Basic bWU6cHc=";  // me:pw
    config.intercept = [expected](const FakeRequest& request) -> std::optional<FakeReply> {
        if (request.header("authorization") == expected) return std::nullopt;
        return FakeReply{401, {{"WWW-Authenticate", "Basic realm=\"fake\""}}, ""};
    };
    FakeRegistry registry(config);
    SyncOptions options = options_for(registry);
    CHECK_THAT(error_of(options), Catch::Contains("GET " + registry.url() + "/v2/lab/tags/list: HTTP 401") &&
                                      Catch::Contains("wants credentials and none were given"));
    options.credentials = Credentials{"me", "pw", "", ""};
    CHECK(pairs_of(fetch_listing(options)) == config.tags);
    options.credentials = Credentials{"me", "nope", "", ""};
    CHECK_THAT(error_of(options), Catch::Contains("HTTP 401") && Catch::Contains("refused the credentials"));
}

TEST_CASE("fetch_listing: Basic credentials go out as RFC 7617 spells them", "[sync]") {
    // libcurl encodes USER:PASSWORD; these pin the bytes that the hand-written encoder sent.
    for (const auto& [credentials, header] : std::vector<std::pair<Credentials, std::string>>{
             {{"", "", "", ""}, "Basic Og=="},
             {{"a:b", "c", "", ""}, "Basic YTpiOmM="},
             {{"\xc3\xbcser", "p\xc3\xa4ssw\xc3\xb6rd", "", ""}, "Basic w7xzZXI6cMOkc3N3w7ZyZA=="},
         }) {
        CAPTURE(header);
        FakeRegistryConfig config;
        config.tags = weeklies(1);
        config.intercept = [header](const FakeRequest& request) -> std::optional<FakeReply> {
            if (request.header("authorization") == header) return std::nullopt;
            return FakeReply{401, {{"WWW-Authenticate", "Basic realm=\"fake\""}}, ""};
        };
        FakeRegistry registry(config);
        SyncOptions options = options_for(registry);
        options.credentials = credentials;
        CHECK(pairs_of(fetch_listing(options)) == config.tags);
    }
    SyncOptions options;
    options.url = *parse_base_url("http://127.0.0.1:9");
    options.repository = "lab";
    options.credentials = Credentials{"me", std::string("p\0w", 3), "", ""};
    CHECK(error_of(options) == "the credentials hold a NUL byte, which HTTP Basic authentication cannot carry");
}

TEST_CASE("fetch_listing: 429 and 5xx are tried again, within bounds", "[sync]") {
    FakeRegistryConfig config;
    config.tags = weeklies(6);
    auto failures = std::make_shared<std::map<std::string, int>>();
    auto mutex = std::make_shared<std::mutex>();
    // Each tag's HEAD fails twice (503, then 429) before it works; the tag list once.
    config.intercept = [failures, mutex](const FakeRequest& request) -> std::optional<FakeReply> {
        const std::lock_guard lock(*mutex);
        int& seen = (*failures)[request.method + request.path];
        ++seen;
        if (request.method == "GET" && seen == 1) return FakeReply{500, {}, ""};
        if (request.method == "HEAD" && seen == 1) return FakeReply{503, {}, ""};
        if (request.method == "HEAD" && seen == 2) return FakeReply{429, {{"Retry-After", "0"}}, ""};
        return std::nullopt;
    };
    FakeRegistry registry(config);
    SyncOptions options = options_for(registry);
    options.concurrency = 3;
    CHECK(pairs_of(fetch_listing(options)) == config.tags);
    CHECK(registry.count("HEAD", "/v2/lab/manifests/") == 18);

    SECTION("a registry that stays overloaded: the error names the URL, the status and the attempts") {
        FakeRegistryConfig down;
        down.tags = weeklies(2);
        down.intercept = [](const FakeRequest& request) -> std::optional<FakeReply> {
            if (request.method == "HEAD" && request.path.ends_with("w_2077_02")) return FakeReply{502, {}, ""};
            return std::nullopt;
        };
        FakeRegistry overloaded(down);
        CHECK(error_of(options_for(overloaded)) ==
              "HEAD " + overloaded.url() + "/v2/lab/manifests/w_2077_02: HTTP 502 (tried 3 times)");
        CHECK(overloaded.count("HEAD", "/v2/lab/manifests/w_2077_02") == 3);
    }
}

TEST_CASE("fetch_listing: what the registry gets wrong is an error naming the URL", "[sync]") {
    struct Case {
        std::string name;
        std::function<std::optional<FakeReply>(const FakeRequest&)> intercept;
        std::string message;
    };
    const std::string d = digest_of(1);
    for (const Case& c : std::vector<Case>{
             {"unknown repository", nullptr, ""},
             {"Link to another host",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.path != "/v2/lab/tags/list") return std::nullopt;
                  return FakeReply{200, {{"Link", "<http://127.0.0.2:1/v2/lab/tags/list?last=a>; rel=\"next\""}},
                                   R"({"tags":["w_2077_01"]})"};
              },
              "/v2/lab/tags/list: refusing to follow the Link to another host: 'http://127.0.0.2:1/v2/lab/tags/list?last=a'"},
             {"Bearer realm not a URL",
              [](const FakeRequest&) -> std::optional<FakeReply> {
                  return FakeReply{401, {{"WWW-Authenticate", R"(Bearer realm="https://",service="x")"}}, ""};
              },
              "/v2/lab/tags/list: HTTP 401 with a Bearer challenge whose realm is not an http(s) URL: 'https://'"},
             {"Link loop",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.path != "/v2/lab/tags/list") return std::nullopt;
                  return FakeReply{200, {{"Link", "</v2/lab/tags/list>; rel=\"next\""}}, R"({"tags":["w_2077_01"]})"};
              },
              "/v2/lab/tags/list: the Link header leads back to a page already read"},
             {"not JSON",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.path == "/v2/lab/tags/list") return FakeReply{200, {}, "<html>"};
                  return std::nullopt;
              },
              "/v2/lab/tags/list: HTTP 200 but the answer is not a JSON object"},
             {"bad tag",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.path == "/v2/lab/tags/list") return FakeReply{200, {}, R"({"tags":["../x"]})"};
                  return std::nullopt;
              },
              "/v2/lab/tags/list: HTTP 200 but '\"../x\"' is not a Docker tag"},
             {"tag listed twice",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.path == "/v2/lab/tags/list") return FakeReply{200, {}, R"({"tags":["a","b","a"]})"};
                  return std::nullopt;
              },
              "/v2/lab/tags/list: tag 'a' is listed twice"},
             {"no digest header",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.method == "HEAD") return FakeReply{200, {}, ""};
                  return std::nullopt;
              },
              "/v2/lab/manifests/w_2077_01: HTTP 200 without a Docker-Content-Digest header"},
             {"not sha256",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.method == "HEAD") return FakeReply{200, {{"Docker-Content-Digest", "sha512:abc"}}, ""};
                  return std::nullopt;
              },
              "/v2/lab/manifests/w_2077_01: HTTP 200 with Docker-Content-Digest 'sha512:abc', not a sha256 digest"},
             {"manifest gone",
              [](const FakeRequest& r) -> std::optional<FakeReply> {
                  if (r.method == "HEAD") return FakeReply{404, {}, ""};
                  return std::nullopt;
              },
              "HEAD "},
         }) {
        CAPTURE(c.name);
        FakeRegistryConfig config;
        config.tags = {{"w_2077_01", d}};
        config.intercept = c.intercept;
        FakeRegistry registry(config);
        if (c.name == "unknown repository") {
            CHECK(error_of(options_for(registry, "nothere")) ==
                  "GET " + registry.url() +
                      "/v2/nothere/tags/list: HTTP 404 (NAME_UNKNOWN: repository name not known to registry)");
        } else if (c.name == "manifest gone") {
            CHECK(error_of(options_for(registry)) == "HEAD " + registry.url() + "/v2/lab/manifests/w_2077_01: HTTP 404");
        } else {
            CHECK_THAT(error_of(options_for(registry)), Catch::StartsWith("GET " + registry.url()) || Catch::StartsWith("HEAD " + registry.url()));
            CHECK_THAT(error_of(options_for(registry)), Catch::Contains(c.message));
        }
    }
}

TEST_CASE("fetch_listing: nothing listening, bad options", "[sync]") {
    SyncOptions options;
    {
        // A port that was just free: nothing answers there.
        FakeRegistry gone(FakeRegistryConfig{});
        options = options_for(gone);
    }
    CHECK_THAT(error_of(options), Catch::StartsWith("GET " + options.url.text() + "/v2/lab/tags/list: ") &&
                                      Catch::Contains("onnect"));
    options.repository = "Not/Valid";
    CHECK_THAT(error_of(options), Catch::Contains("is not a registry repository name"));
    options.repository = "lab";
    options.concurrency = 0;
    CHECK_THAT(error_of(options), Catch::Contains("concurrency must be between 1 and 64"));
}

namespace {

// `[[…]]`, `levels` arrays deep.
std::string nested_arrays(std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

// A registry with one tag whose tag list (or, with `path`, another GET) answers `reply`.
FakeRegistryConfig answering(const std::string& path, FakeReply reply) {
    FakeRegistryConfig config;
    config.tags = {{"w_2077_01", digest_of(1)}};
    config.intercept = [path, reply](const FakeRequest& request) -> std::optional<FakeReply> {
        if (request.method == "GET" && request.path == path) return reply;
        return std::nullopt;
    };
    return config;
}

}  // namespace

TEST_CASE("fetch_listing: JSON nested deeper than 64 levels is refused, not written out", "[sync]") {
    const std::string list = "/v2/lab/tags/list";
    SECTION("a tag nested 100,000 deep (it crashed the client: the error message dumped it)") {
        FakeRegistry registry(answering(list, {200, {}, R"({"tags":["w_2021_01",)" + nested_arrays(100000) + "]}"}));
        const std::string error = error_of(options_for(registry));
        CHECK_THAT(error, Catch::StartsWith("GET " + registry.url() + list + ": HTTP 200 but the answer ") &&
                              Catch::Contains("nested deeper than 64 levels"));
        CHECK(error.size() < 300);
    }
    SECTION("64 levels are read, 65 are not") {
        FakeRegistry at_limit(answering(list, {200, {}, R"({"tags":["w_2077_01"],"x":)" + nested_arrays(63) + "}"}));
        CHECK(fetch_listing(options_for(at_limit)).size() == 1);
        FakeRegistry over(answering(list, {200, {}, R"({"tags":["w_2077_01"],"x":)" + nested_arrays(64) + "}"}));
        CHECK_THAT(error_of(options_for(over)), Catch::Contains("nested deeper than 64 levels"));
    }
    SECTION("an error body nested deep: the status alone") {
        FakeRegistry registry(answering(list, {404, {}, R"({"errors":)" + nested_arrays(100000) + "}"}));
        CHECK(error_of(options_for(registry)) == "GET " + registry.url() + list + ": HTTP 404");
    }
    SECTION("a token answer nested deep") {
        FakeRegistryConfig config = answering("/token", {200, {}, R"({"token":)" + nested_arrays(100000) + "}"});
        config.token = "t0ken";
        FakeRegistry registry(config);
        CHECK_THAT(error_of(options_for(registry)),
                   Catch::StartsWith("GET " + registry.url() + "/token?") && Catch::Contains("nested deeper than 64 levels"));
    }
}

TEST_CASE("a Docker config.json nested deeper than 64 levels is refused, naming the limit", "[sync]") {
    const std::string deep = R"({"auths": {"x": )" + nested_arrays(100000) + "}}";
    CHECK_THROWS_WITH(credentials_from_docker_config(deep, "config.json", "x"),
                      Catch::StartsWith("config.json: ") && Catch::Contains("nested deeper than 64 levels"));
}

TEST_CASE("fetch_listing: two different Docker-Content-Digest headers are an error naming both", "[sync]") {
    const std::string d1 = digest_of(1), d2 = digest_of(2);
    auto heads_answer = [](std::vector<std::pair<std::string, std::string>> headers) {
        FakeRegistryConfig config;
        config.tags = {{"w_2077_01", digest_of(1)}};
        config.intercept = [headers](const FakeRequest& request) -> std::optional<FakeReply> {
            if (request.method == "HEAD") return FakeReply{200, headers, ""};
            return std::nullopt;
        };
        return config;
    };
    FakeRegistry two(heads_answer({{"Docker-Content-Digest", d1}, {"Docker-Content-Digest", d2}}));
    CHECK(error_of(options_for(two)) == "HEAD " + two.url() +
                                            "/v2/lab/manifests/w_2077_01: HTTP 200 with two different "
                                            "Docker-Content-Digest headers: '" + d1 + "' and '" + d2 + "'");
    // The same digest twice says nothing contradictory.
    FakeRegistry same(heads_answer({{"Docker-Content-Digest", d1}, {"docker-content-digest", d1}}));
    CHECK(pairs_of(fetch_listing(options_for(same))) == std::vector<std::pair<std::string, std::string>>{{"w_2077_01", d1}});
}

TEST_CASE("fetch_listing: a response header too large for libcurl is named as such, not as out of memory", "[sync]") {
    const std::string list = "/v2/lab/tags/list";
    const std::string link = "<" + list + "?last=" + std::string(200 * 1024, 'x') + ">; rel=\"next\"";
    FakeRegistry registry(answering(list, {200, {{"Link", link}}, R"({"tags":["w_2077_01"]})"}));
    const std::string error = error_of(options_for(registry));
    CHECK_THAT(error, Catch::StartsWith("GET " + registry.url() + list + ": ") &&
                          Catch::Contains("a response header larger than 100 KB"));
    CHECK_THAT(error, !Catch::Contains("ut of memory"));
}

namespace {

// The limit a sync ran into, or nothing.
std::optional<RegistryLimitError::Limit> limit_hit(const SyncOptions& options) {
    try {
        fetch_listing(options);
    } catch (const RegistryLimitError& e) {
        return e.limit;
    } catch (const RegistryError&) {
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("fetch_listing: pagination that never ends stops at the page limit", "[sync]") {
    FakeRegistry registry(endless_pages_registry());
    SyncOptions options = options_for(registry);
    options.max_pages = 20;
    CHECK(error_of(options) == "GET " + registry.url() +
                                   "/v2/lab/tags/list?last=t19: the registry links more than 20 pages of tags (the page limit)");
    CHECK(limit_hit(options) == RegistryLimitError::Limit::pages);
    CHECK(registry.count("GET", "/v2/lab/tags/list") == 2 * 20);
}

TEST_CASE("fetch_listing: more tags than the tag limit", "[sync]") {
    FakeRegistryConfig config;
    config.tags = weeklies(10);
    config.page_size = 3;
    FakeRegistry registry(config);
    SyncOptions options = options_for(registry);
    options.max_tags = 7;  // reached on the third page
    CHECK_THAT(error_of(options), Catch::StartsWith("GET " + registry.url() + "/v2/lab/tags/list?n=3&last=w_2077_06: ") &&
                                      Catch::EndsWith("the registry lists more than 7 tags (the tag limit)"));
    CHECK(limit_hit(options) == RegistryLimitError::Limit::tags);
    options.max_tags = 10;
    CHECK(fetch_listing(options).size() == 10);
}

TEST_CASE("fetch_listing: a stalled request fails at the per-request timeout or the deadline, whichever is first",
          "[sync]") {
    FakeRegistry registry(stalled_heads_registry(weeklies(1)));
    const std::string head = "HEAD " + registry.url() + "/v2/lab/manifests/w_2077_01: ";
    SyncOptions options = options_for(registry);
    options.concurrency = 1;
    auto timed = [](const SyncOptions& o) {
        const auto start = std::chrono::steady_clock::now();
        std::string error = error_of(o);
        return std::pair(error, std::chrono::steady_clock::now() - start);
    };
    SECTION("the per-request timeout, not tried again") {
        options.request_timeout = std::chrono::milliseconds(300);
        const auto [error, took] = timed(options);
        CHECK(error == head + "no complete answer within 300 ms (the per-request timeout)");
        CHECK(took < std::chrono::seconds(3));
        CHECK(registry.count("HEAD", "/v2/lab/manifests/") == 1);
        CHECK(limit_hit(options) == RegistryLimitError::Limit::request_timeout);
    }
    SECTION("the deadline, when it comes first") {
        options.deadline = std::chrono::milliseconds(400);
        const auto [error, took] = timed(options);
        CHECK(error == head + "the sync's deadline of 400 ms passed");
        CHECK(took < std::chrono::seconds(3));
        CHECK(limit_hit(options) == RegistryLimitError::Limit::deadline);
    }
}

TEST_CASE("fetch_listing: no waiting to try again past the deadline", "[sync]") {
    FakeRegistryConfig config = answering("/v2/lab/tags/list", {503, {{"Retry-After", "5"}}, ""});
    FakeRegistry registry(config);
    SyncOptions options = options_for(registry);
    options.retry = RetryPolicy{5, std::chrono::milliseconds(10), std::chrono::seconds(8)};
    options.deadline = std::chrono::seconds(1);
    const auto start = std::chrono::steady_clock::now();
    CHECK(error_of(options) == "GET " + registry.url() + "/v2/lab/tags/list: the sync's deadline of 1 s passed");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
    CHECK(registry.count("GET", "/v2/lab/tags/list") == 1);
}

TEST_CASE("SyncOptions: the documented default limits", "[sync]") {
    const SyncOptions options;
    CHECK(options.max_pages == 10'000);
    CHECK(options.max_tags == 1'000'000);
    CHECK(options.request_timeout == std::chrono::seconds(60));
    CHECK(options.deadline == std::chrono::minutes(30));
}
