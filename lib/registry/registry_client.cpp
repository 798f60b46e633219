// Listing a repository through the Docker Registry HTTP API v2: tags page by page, then the
// digest of every tag with HEAD requests from a few threads at once.
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_set>

#include "input_text.hpp"
#include "json_input.hpp"
#include "registry_http.hpp"
#include "request_retry.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::registry {

namespace {

using detail::HttpResponse;
using detail::HttpSession;
using detail::Method;
using detail::TransportError;
using detail::describe;
using detail::fail_status;
using detail::parse_answer;
using Json = nlohmann::json;
using Limit = RegistryLimitError::Limit;

// Everything a tag can point to: Docker v2 and OCI manifests, and their multi-architecture lists.
constexpr const char* manifest_accept =
    "Accept: application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
    "application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.docker.distribution.manifest.v2+json";
constexpr const char* json_accept = "Accept: application/json";

// What the client sends the registry: nothing until it asks, then its Basic credentials (which
// libcurl encodes) or a bearer token.
struct Authorization {
    enum class Kind { none, basic, bearer };
    Kind kind = Kind::none;
    std::string token;  // bearer
    bool operator==(const Authorization&) const = default;
};

class RegistryClient {
   public:
    explicit RegistryClient(const SyncOptions& options)
        : options_(options), sender_(options.retry, options.request_timeout, options.deadline) {}

    std::vector<std::string> list_tags(HttpSession& session) {
        std::string url = repository_url() + "/tags/list";
        std::unordered_set<std::string> pages_read;
        std::unordered_set<std::string> tags_seen;
        std::vector<std::string> tags;
        while (true) {
            if (pages_read.size() >= options_.max_pages) {
                throw RegistryLimitError("GET " + url + ": the registry links more than " +
                                             std::to_string(options_.max_pages) +
                                             (options_.max_pages == 1 ? " page" : " pages") + " of tags (the page limit)",
                                         Limit::pages);
            }
            if (!pages_read.insert(url).second) {
                throw RegistryError("GET " + url + ": the Link header leads back to a page already read");
            }
            const HttpResponse response = send(session, Method::get, url, json_accept);
            if (response.status != 200) fail_status(Method::get, url, response);
            std::vector<std::string> page = tags_of_page(url, response);
            if (page.size() > options_.max_tags - tags.size()) {
                throw RegistryLimitError("GET " + url + ": the registry lists more than " +
                                             std::to_string(options_.max_tags) +
                                             (options_.max_tags == 1 ? " tag" : " tags") + " (the tag limit)",
                                         Limit::tags);
            }
            for (std::string& tag : page) {
                if (!tags_seen.insert(tag).second) {
                    throw RegistryError("GET " + url + ": tag " + rspcat::detail::quoted(tag) + " is listed twice");
                }
                tags.push_back(std::move(tag));
            }
            const auto link = response.header("link");
            const auto next = link ? next_page_url(*link, options_.url, url) : std::nullopt;
            if (!next) return tags;
            url = *next;
        }
    }

    std::string resolve_digest(HttpSession& session, const std::string& tag) {
        const std::string url = repository_url() + "/manifests/" + tag;
        const HttpResponse response = send(session, Method::head, url, manifest_accept);
        if (response.status != 200) fail_status(Method::head, url, response);
        const auto digest = response.header("docker-content-digest");
        if (!digest) fail_status(Method::head, url, response, " without a Docker-Content-Digest header");
        // Two answers to one question: neither can be trusted to be the tag's digest.
        for (const std::string& other : response.headers_named("docker-content-digest")) {
            if (other != *digest) {
                fail_status(Method::head, url, response,
                            " with two different Docker-Content-Digest headers: '" +
                                rspcat::detail::printable(*digest, 100) + "' and '" +
                                rspcat::detail::printable(other, 100) + "'");
            }
        }
        if (!is_sha256_digest(*digest)) {
            fail_status(Method::head, url, response,
                        " with Docker-Content-Digest " + rspcat::detail::quoted(*digest) + ", not a sha256 digest");
        }
        return *digest;
    }

   private:
    std::string repository_url() const { return options_.url.text() + "/v2/" + options_.repository; }

    std::vector<std::string> tags_of_page(const std::string& url, const HttpResponse& response) const {
        std::string why;
        const auto parsed = parse_answer(response, why);
        if (!parsed) throw RegistryError("GET " + url + ": HTTP 200 but the answer is not a JSON object: " + why);
        const Json& page = *parsed;
        if (!page.is_object()) throw RegistryError("GET " + url + ": HTTP 200 but the answer is not a JSON object");
        const auto tags = page.find("tags");
        // An empty repository may list `"tags": null`.
        if (tags == page.end() || tags->is_null()) return {};
        if (!tags->is_array()) throw RegistryError("GET " + url + ": HTTP 200 but \"tags\" is not a list");
        std::vector<std::string> out;
        for (const Json& tag : *tags) {
            if (!tag.is_string() || !is_docker_tag(tag.get_ref<const std::string&>())) {
                throw RegistryError("GET " + url + ": HTTP 200 but " +
                                    rspcat::detail::quoted(rspcat::detail::json_excerpt(tag)) + " is not a Docker tag");
            }
            out.push_back(tag.get<std::string>());
        }
        return out;
    }

    // One request as the registry wants it: with the credentials it asks for, tried again while
    // it is overloaded. 401 leads to one round of authentication, then to an error.
    HttpResponse send(HttpSession& session, Method method, const std::string& url, const char* accept) {
        bool authenticated = false;
        while (true) {
            const Authorization sent = authorization();
            std::vector<std::string> headers = {accept};
            if (sent.kind == Authorization::Kind::bearer) headers.push_back("Authorization: Bearer " + sent.token);
            const Credentials* basic = sent.kind == Authorization::Kind::basic ? &*options_.credentials : nullptr;
            HttpResponse response = send_with_retries(session, method, url, headers, basic);
            if (response.status != 401) return response;
            if (authenticated) fail_status(method, url, response, ": the registry refused the credentials" + from());
            authenticate(session, method, url, response, sent);
            authenticated = true;
        }
    }

    Authorization authorization() const {
        const std::lock_guard lock(auth_mutex_);
        return authorization_;
    }

    HttpResponse send_with_retries(HttpSession& session, Method method, const std::string& url,
                                   const std::vector<std::string>& headers, const Credentials* basic,
                                   const std::string& form = "") const {
        return sender_.send(session, method, url, headers, basic, form);
    }

    // Answers a 401: a Bearer challenge gets a token from its realm; a Basic one gets the
    // credentials. Threads that were refused together authenticate once.
    void authenticate(HttpSession& session, Method method, const std::string& url, const HttpResponse& refused,
                      const Authorization& sent) {
        const std::lock_guard lock(auth_mutex_);
        if (authorization_ != sent) return;  // another thread has authenticated meanwhile
        std::optional<Challenge> bearer, basic;
        for (const std::string& header : refused.headers_named("www-authenticate")) {
            auto challenge = parse_challenge(header);
            if (challenge && challenge->scheme == "bearer" && !bearer) bearer = std::move(challenge);
            if (challenge && challenge->scheme == "basic" && !basic) basic = std::move(challenge);
        }
        if (bearer) {
            authorization_ = Authorization{Authorization::Kind::bearer, fetch_token(session, *bearer, method, url)};
        } else if (basic) {
            if (!options_.credentials) fail_status(method, url, refused, ": the registry wants credentials and none were given");
            const Credentials& given = *options_.credentials;
            if (!given.identity_token.empty() && given.username.empty() && given.password.empty()) {
                fail_status(method, url, refused,
                            ": the registry wants Basic credentials, and an identity token" + from() +
                                " is only for a Bearer token service");
            }
            authorization_ = Authorization{Authorization::Kind::basic, {}};
        } else {
            fail_status(method, url, refused, " without a Basic or Bearer WWW-Authenticate challenge");
        }
    }

    std::string fetch_token(HttpSession& session, const Challenge& challenge, Method method, const std::string& url) {
        const auto realm = challenge.params.find("realm");
        detail::Url token;
        const bool http_realm = realm != challenge.params.end() && token.set(realm->second) == nullptr &&
                                (token.get(CURLUPART_SCHEME) == "https" || token.get(CURLUPART_SCHEME) == "http");
        if (!http_realm) {
            throw RegistryError(describe(method, url) + ": HTTP 401 with a Bearer challenge whose realm is not an http(s) URL" +
                                (realm != challenge.params.end() ? ": " + rspcat::detail::quoted(realm->second) : ""));
        }
        std::vector<std::string> query;
        if (const auto service = challenge.params.find("service"); service != challenge.params.end()) {
            query.push_back("service=" + session.escape(service->second));
        }
        const auto scope = challenge.params.find("scope");
        query.push_back("scope=" + session.escape(scope != challenge.params.end() ? scope->second
                                                                                  : "repository:" + options_.repository + ":pull"));
        for (const std::string& pair : query) {
            if (const char* why = token.append_query(pair)) {
                throw RegistryError(describe(method, url) + ": cannot add " + pair + " to the Bearer realm " +
                                    rspcat::detail::quoted(realm->second) + ": " + why);
            }
        }
        const std::string token_url = token.get(CURLUPART_URL).value_or(realm->second);
        std::vector<std::string> headers = {json_accept};
        HttpResponse response;
        Method token_method = Method::get;
        if (options_.credentials && !options_.credentials->identity_token.empty()) {
            // An identity token is an OAuth2 refresh token: POSTed to the realm, form-encoded,
            // with the service and scope (docker/distribution docs/spec/auth/oauth.md). The realm
            // is asked as the challenge named it; the token travels in the body, never in a URL.
            token_method = Method::post;
            std::string form = "grant_type=refresh_token&refresh_token=" + session.escape(options_.credentials->identity_token) +
                               "&client_id=rspcat";
            for (const std::string& pair : query) form += "&" + pair;
            headers.emplace_back("Expect:");  // no `100 Continue` round trip for a long token
            response = send_with_retries(session, Method::post, realm->second, headers, nullptr, form);
        } else {
            // The token service gets the Basic credentials too: it decides what they may pull.
            const Credentials* basic = options_.credentials ? &*options_.credentials : nullptr;
            response = send_with_retries(session, Method::get, token_url, headers, basic);
        }
        const std::string& asked = token_method == Method::post ? realm->second : token_url;
        if (response.status != 200) {
            fail_status(token_method, asked, response,
                        " (asking for a bearer token" + (from().empty() ? std::string() : " with the credentials" + from()) + ")");
        }
        std::string why;
        const auto parsed = parse_answer(response, why);
        if (!parsed) throw RegistryError(describe(token_method, asked) + ": HTTP 200 but the answer holds no token: " + why);
        const Json& answer = *parsed;
        for (const char* key : {"token", "access_token"}) {
            if (answer.is_object() && answer.contains(key) && answer[key].is_string() && !answer[key].get<std::string>().empty()) {
                return answer[key].get<std::string>();
            }
        }
        throw RegistryError(describe(token_method, asked) + ": HTTP 200 but the answer holds no token");
    }

    // ` from SOURCE` for messages about the credentials: where they came from, never what they are.
    std::string from() const {
        if (!options_.credentials || options_.credentials->source.empty()) return "";
        return " from " + options_.credentials->source;
    }

    const SyncOptions& options_;
    detail::RetryingSender sender_;
    mutable std::mutex auth_mutex_;
    Authorization authorization_;
};

// Resolves every tag's digest on `workers` threads, each with its own connection. The first
// error stops the others and is thrown once all have stopped.
std::vector<ListingRow> resolve_all(RegistryClient& client, const std::vector<std::string>& tags,
                                    const SyncOptions& options) {
    std::vector<ListingRow> rows(tags.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex progress_mutex;
    std::size_t resolved = 0;
    std::exception_ptr first_error;
    auto work = [&]() noexcept {
        try {
            HttpSession session(options.insecure);
            while (!failed) {
                const std::size_t i = next++;
                if (i >= tags.size()) return;
                rows[i] = ListingRow{tags[i], client.resolve_digest(session, tags[i]), std::nullopt, i + 1};
                const std::lock_guard lock(progress_mutex);
                ++resolved;
                if (options.on_progress) options.on_progress(resolved, tags.size());
            }
        } catch (...) {
            const std::lock_guard lock(progress_mutex);
            if (!first_error) first_error = std::current_exception();
            failed = true;
        }
    };
    const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(options.concurrency), tags.size());
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < workers; ++i) threads.emplace_back(work);
    }  // joined here
    if (first_error) std::rethrow_exception(first_error);
    return rows;
}

}  // namespace

RegistryError::~RegistryError() = default;
RegistryLimitError::~RegistryLimitError() = default;

namespace {

std::vector<ListingRow> fetch_checked_listing(const SyncOptions& options);

}  // namespace

std::vector<ListingRow> fetch_listing(const SyncOptions& options) {
    // Only rspcat::Error leaves: what the transport, the JSON parser or the standard library
    // throws becomes a RegistryError naming the registry.
    try {
        return fetch_checked_listing(options);
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw RegistryError(options.url.text() + ": " + e.what());
    }
}

namespace {

std::vector<ListingRow> fetch_checked_listing(const SyncOptions& options) {
    if (!is_repository_name(options.repository)) {
        throw RegistryError("repository " + rspcat::detail::quoted(options.repository) +
                            " is not a registry repository name (lower-case components joined by /)");
    }
    if (options.concurrency < 1 || options.concurrency > max_concurrency) {
        throw RegistryError("concurrency must be between 1 and " + std::to_string(max_concurrency));
    }
    if (options.max_pages < 1 || options.request_timeout.count() < 1 || (options.deadline && options.deadline->count() < 1)) {
        throw RegistryError("the page limit, the request timeout and the deadline must be positive");
    }
    if (options.credentials && (options.credentials->username.find('\0') != std::string::npos ||
                                options.credentials->password.find('\0') != std::string::npos ||
                                options.credentials->identity_token.find('\0') != std::string::npos)) {
        throw RegistryError("the credentials hold a NUL byte, which HTTP Basic authentication cannot carry");
    }
    RegistryClient client(options);
    std::vector<std::string> tags;
    try {
        HttpSession session(options.insecure);
        tags = client.list_tags(session);
    } catch (const TransportError& e) {
        throw RegistryError(options.url.text() + ": " + e.what());
    }
    if (options.on_progress) options.on_progress(0, tags.size());
    return resolve_all(client, tags, options);
}

}  // namespace

}  // namespace rspcat::registry
