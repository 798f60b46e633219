// A registry that serves one repository the way the tests need: tags in pages linked by `Link`
// headers (path, absolute and relative links in turn), manifests by HEAD, and optionally a
// bearer-token flow with its own token endpoint. Built on FakeHttpServer.
#pragma once

#include <openssl/sha.h>

#include <cstdio>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "fake_http_server.hpp"

namespace rspcat::test {

// `sha256:HEX` of `bytes`, by OpenSSL directly rather than by the code under test.
inline std::string openssl_digest(const std::string& bytes) {
    unsigned char hash[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), hash);
    std::string out = "sha256:";
    char hex[3];
    for (unsigned char byte : hash) {
        std::snprintf(hex, sizeof hex, "%02x", byte);
        out += hex;
    }
    return out;
}

// Content that fake registries serve by digest: every manifest and blob fake_image() made, for
// the whole test run (the registries need no configuration for them).
struct FakeContent {
    std::string media_type;
    std::string body;
};
inline std::map<std::string, FakeContent>& fake_content() {
    static std::map<std::string, FakeContent> content;
    return content;
}
inline std::mutex& fake_content_mutex() {
    static std::mutex mutex;
    return mutex;
}

// A real OCI image made from `seed` alone: a config (created at `created`), one 1000-byte
// layer that is never served (sync reads sizes from the manifest), and a manifest whose digest
// this returns. The same seed gives the same digest.
inline std::string fake_image(const std::string& seed, const std::string& created = "2077-01-01T00:00:00Z") {
    const std::string config = R"({"created":")" + created + R"(","architecture":"amd64","os":"linux","seed":")" + seed + R"("})";
    const std::string layer = openssl_digest("layer of " + seed);
    const std::string manifest =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":)"
        R"("application/vnd.oci.image.config.v1+json","digest":")" + openssl_digest(config) + R"(","size":)" +
        std::to_string(config.size()) + R"(},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",)"
        R"("digest":")" + layer + R"(","size":1000}]})";
    const std::string digest = openssl_digest(manifest);
    const std::lock_guard lock(fake_content_mutex());
    fake_content()[openssl_digest(config)] = {"application/vnd.oci.image.config.v1+json", config};
    fake_content()[digest] = {"application/vnd.oci.image.manifest.v1+json", manifest};
    return digest;
}

inline std::optional<FakeContent> fake_content_of(const std::string& digest) {
    const std::lock_guard lock(fake_content_mutex());
    const auto found = fake_content().find(digest);
    if (found == fake_content().end()) return std::nullopt;
    return found->second;
}

inline std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(text[i] == '+' ? ' ' : text[i]);
        }
    }
    return out;
}

inline std::map<std::string, std::string> query_params(const std::string& query) {
    std::map<std::string, std::string> params;
    std::size_t start = 0;
    while (start < query.size()) {
        std::size_t end = query.find('&', start);
        if (end == std::string::npos) end = query.size();
        const std::string pair = query.substr(start, end - start);
        const std::size_t equals = pair.find('=');
        params[percent_decode(pair.substr(0, equals))] =
            equals == std::string::npos ? "" : percent_decode(pair.substr(equals + 1));
        start = end + 1;
    }
    return params;
}

struct FakeRegistryConfig {
    std::string repository = "lab";
    std::vector<std::pair<std::string, std::string>> tags;  // tag, digest, in listing order
    std::size_t page_size = 0;                              // 0: every tag on one page
    std::optional<std::string> token;                       // when set, every /v2 request needs it
    std::optional<std::string> token_basic_auth;            // `Basic …` the token endpoint wants
    // When set, the token endpoint wants an OAuth2 refresh-token POST (docker/distribution's
    // oauth.md) with this refresh token, and refuses a GET.
    std::optional<std::string> refresh_token;
    std::optional<std::string> basic_auth;  // when set (`Basic …`), every /v2 request needs it
    // Consulted first for every request: an answer to give instead of the normal one.
    std::function<std::optional<FakeReply>(const FakeRequest&)> intercept;
};

class FakeRegistry {
   public:
    explicit FakeRegistry(FakeRegistryConfig config)
        : state_(std::make_shared<State>(std::move(config))),
          server_([state = state_](const FakeRequest& request) { return state->answer(request); }) {
    }

    std::string url() const { return server_.url(); }
    std::vector<FakeRequest> requests() const { return server_.requests(); }
    std::size_t count(const std::string& method, const std::string& path_prefix) const {
        std::size_t n = 0;
        for (const auto& request : requests()) {
            if (request.method == method && request.path.rfind(path_prefix, 0) == 0) ++n;
        }
        return n;
    }

   private:
    struct State {
        explicit State(FakeRegistryConfig c) : config(std::move(c)) {}
        FakeRegistryConfig config;

        FakeReply answer(const FakeRequest& request) const {
            if (config.intercept) {
                if (auto reply = config.intercept(request)) return *reply;
            }
            if (request.path == "/token") return token_reply(request);
            if (config.token && request.header("authorization") != "Bearer " + *config.token) {
                return {401,
                        {{"WWW-Authenticate", "Bearer realm=\"" + request.server_url + "/token\",service=\"fake registry\",scope=\"repository:" +
                                                  config.repository + ":pull\""}},
                        R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
            }
            if (config.basic_auth && request.header("authorization") != *config.basic_auth) {
                return {401, {{"WWW-Authenticate", "Basic realm=\"fake registry\""}},
                        R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})"};
            }
            const std::string prefix = "/v2/" + config.repository;
            if (request.method == "GET" && request.path == prefix + "/tags/list") return tags_page(request);
            if (request.method == "HEAD" && request.path.rfind(prefix + "/manifests/", 0) == 0) {
                const std::string tag = request.path.substr(prefix.size() + 11);
                for (const auto& [name, digest] : config.tags) {
                    if (name == tag) {
                        return {200,
                                {{"Docker-Content-Digest", digest},
                                 {"Content-Type", "application/vnd.oci.image.manifest.v1+json"}},
                                ""};
                    }
                }
                return {404, {}, ""};
            }
            const bool manifest = request.path.rfind(prefix + "/manifests/sha256:", 0) == 0;
            if (request.method == "GET" && (manifest || request.path.rfind(prefix + "/blobs/sha256:", 0) == 0)) {
                const auto content = fake_content_of(request.path.substr(request.path.rfind('/') + 1));
                if (!content) return {404, {}, R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]})"};
                return {200, {{"Content-Type", content->media_type}}, content->body};
            }
            return {404, {}, R"({"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]})"};
        }

        FakeReply token_reply(const FakeRequest& request) const {
            if (config.refresh_token) return oauth_reply(request);
            const auto params = query_params(request.query);
            const auto service = params.find("service");
            const auto scope = params.find("scope");
            if (service == params.end() || service->second != "fake registry" || scope == params.end() ||
                scope->second != "repository:" + config.repository + ":pull") {
                return {400, {}, "bad token request: " + request.query};
            }
            if (config.token_basic_auth && request.header("authorization") != *config.token_basic_auth) {
                return {401, {}, R"({"details":"wrong credentials"})"};
            }
            return {200, {{"Content-Type", "application/json"}}, nlohmann::json{{"token", *config.token}}.dump()};
        }

        // The OAuth2 refresh-token grant: a form POST, checked field by field.
        FakeReply oauth_reply(const FakeRequest& request) const {
            if (request.method != "POST") return {405, {}, "the token service wants a POST with a refresh token"};
            if (request.header("content-type") != "application/x-www-form-urlencoded") {
                return {400, {}, "not a form: " + request.header("content-type")};
            }
            const auto form = query_params(request.body);
            auto field = [&](const std::string& name) {
                const auto found = form.find(name);
                return found == form.end() ? std::string("(none)") : found->second;
            };
            if (field("grant_type") != "refresh_token" || field("service") != "fake registry" ||
                field("scope") != "repository:" + config.repository + ":pull" || field("client_id") == "(none)") {
                return {400, {}, R"({"error":"invalid_request"})"};
            }
            if (field("refresh_token") != *config.refresh_token) return {401, {}, R"({"error":"invalid_grant"})"};
            return {200, {{"Content-Type", "application/json"}}, nlohmann::json{{"access_token", *config.token}}.dump()};
        }

        // Pages of page_size tags after `last`; each page but the last links to the next, with a
        // path-only, an absolute and a relative link in turn.
        FakeReply tags_page(const FakeRequest& request) const {
            const auto params = query_params(request.query);
            std::size_t start = 0;
            if (const auto last = params.find("last"); last != params.end()) {
                while (start < config.tags.size() && config.tags[start].first != last->second) ++start;
                ++start;
            }
            const std::size_t size = config.page_size == 0 ? config.tags.size() : config.page_size;
            nlohmann::json tags = nlohmann::json::array();
            for (std::size_t i = start; i < std::min(config.tags.size(), start + size); ++i) {
                tags.push_back(config.tags[i].first);
            }
            FakeReply reply{200, {{"Content-Type", "application/json"}},
                            nlohmann::json{{"name", config.repository}, {"tags", tags}}.dump()};
            if (start + size < config.tags.size()) {
                const std::string next = "tags/list?n=" + std::to_string(size) +
                                         "&last=" + config.tags[start + size - 1].first;
                const std::size_t page = config.page_size == 0 ? 0 : start / config.page_size;
                const std::string link = page % 3 == 0   ? "/v2/" + config.repository + "/" + next
                                         : page % 3 == 1 ? request.server_url + "/v2/" + config.repository + "/" + next
                                                         : "list?" + next.substr(next.find('?') + 1);
                reply.headers.emplace_back("Link", "<" + link + ">; rel=\"next\"");
            }
            return reply;
        }
    };

    std::shared_ptr<State> state_;
    FakeHttpServer server_;
};

// A registry whose every page of tags (one tag, `t0`, `t1`, …) links a fresh next page: its
// pagination never ends.
inline FakeRegistryConfig endless_pages_registry(const std::string& repository = "lab") {
    FakeRegistryConfig config;
    config.repository = repository;
    const std::string list = "/v2/" + repository + "/tags/list";
    config.intercept = [list](const FakeRequest& request) -> std::optional<FakeReply> {
        if (request.method != "GET" || request.path != list) return std::nullopt;
        const auto params = query_params(request.query);
        const auto last = params.find("last");
        const int page = last == params.end() ? 0 : std::stoi(last->second.substr(1)) + 1;
        const std::string tag = "t" + std::to_string(page);
        return FakeReply{200, {{"Link", "<" + list + "?last=" + tag + ">; rel=\"next\""}}, R"({"tags":[")" + tag + R"("]})"};
    };
    return config;
}

// A registry listing `tags` whose HEAD requests get no answer (until the server stops).
inline FakeRegistryConfig stalled_heads_registry(std::vector<std::pair<std::string, std::string>> tags) {
    FakeRegistryConfig config;
    config.tags = std::move(tags);
    config.intercept = [](const FakeRequest& request) -> std::optional<FakeReply> {
        if (request.method != "HEAD") return std::nullopt;
        return FakeReply{200, {}, "", std::chrono::minutes(10)};
    };
    return config;
}

}  // namespace rspcat::test
