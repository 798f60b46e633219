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
#include "manifest_reading.hpp"
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

    // The tag's digest, or nullopt when the registry no longer has the tag (404: deleted since
    // the tag list was read).
    std::optional<std::string> resolve_digest(HttpSession& session, const std::string& tag) {
        const std::string url = repository_url() + "/manifests/" + tag;
        const HttpResponse response = send(session, Method::head, url, manifest_accept);
        if (response.status == 404) return std::nullopt;
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

    // What the image with `digest` is: its manifest and, for an index, each platform's
    // manifest, and the config blob of each image manifest, every one checked against its digest.
    ManifestDetails read_details(HttpSession& session, const std::string& digest) {
        const auto [top, top_url] = fetch_manifest(session, digest);
        ManifestDetails details;
        details.digest = digest;
        details.media_type = top.media_type;
        details.platforms = top.platforms;
        std::vector<detail::ManifestDocument> images;
        if (top.is_index) {
            for (const Platform& platform : top.platforms) {
                auto [child, child_url] = fetch_manifest(session, platform.digest);
                // An index inside an index is left unread: no registry tool builds one for an
                // image, and reading it would let a registry lead the client down without end.
                if (!child.is_index) images.push_back(std::move(child));
            }
        } else {
            images.push_back(top);
        }
        for (const detail::ManifestDocument& image : images) {
            const std::string url = repository_url() + "/blobs/" + image.config->digest;
            const std::string config = fetch_blob(session, image.config->digest);
            std::optional<Timestamp> created;
            try {
                created = detail::read_config_created(config);
            } catch (const std::invalid_argument& e) {
                throw RegistryError("GET " + url + ": " + e.what());
            }
            if (created && (!details.created || *created > *details.created)) details.created = created;
        }
        try {
            details.size = detail::distinct_blob_bytes(images);
        } catch (const std::invalid_argument& e) {
            throw RegistryError("GET " + top_url + ": " + e.what());
        }
        return details;
    }

    // DELETE of the manifest `digest`: every tag on it goes too.
    void delete_manifest(HttpSession& session, const std::string& digest) {
        const std::string url = repository_url() + "/manifests/" + digest;
        const HttpResponse response = send(session, Method::del, url, manifest_accept);
        // 404: the manifest is gone already; a DELETE retried after its answer was lost (a 502
        // from a proxy, a dropped connection) finds it so, and the goal is reached either way.
        if (response.status == 202 || response.status == 200 || response.status == 404) return;
        if (response.status == 405) {
            fail_status(Method::del, url, response, ": the registry does not allow deletes (Docker Distribution: "
                                                    "storage.delete.enabled)");
        }
        fail_status(Method::del, url, response);
    }

   private:
    std::string repository_url() const { return options_.url.text() + "/v2/" + options_.repository; }

    // GET of a manifest by digest, checked against it and read.
    std::pair<detail::ManifestDocument, std::string> fetch_manifest(HttpSession& session, const std::string& digest) {
        const std::string url = repository_url() + "/manifests/" + digest;
        const HttpResponse response = send(session, Method::get, url, manifest_accept);
        if (response.status != 200) fail_status(Method::get, url, response);
        check_content(url, response.body, digest);
        try {
            return {detail::read_manifest(response.body, response.header("content-type").value_or("")), url};
        } catch (const std::invalid_argument& e) {
            throw RegistryError("GET " + url + ": " + e.what());
        }
    }

    // GET of a blob, following the redirects with which registries hand blobs to a storage
    // service; credentials go only to the registry itself.
    std::string fetch_blob(HttpSession& session, const std::string& digest) {
        const std::string first = repository_url() + "/blobs/" + digest;
        std::string url = first;
        constexpr int max_redirects = 5;
        for (int hop = 0;; ++hop) {
            const bool at_registry = same_origin(url);
            const HttpResponse response = at_registry ? send(session, Method::get, url, "Accept: */*")
                                                      : send_with_retries(session, Method::get, url, {"Accept: */*"}, nullptr);
            const bool redirect = response.status == 301 || response.status == 302 || response.status == 303 ||
                                  response.status == 307 || response.status == 308;
            if (!redirect) {
                if (response.status != 200) fail_status(Method::get, url, response);
                check_content(first, response.body, digest);
                return response.body;
            }
            const auto location = response.header("location");
            if (!location || hop == max_redirects) {
                fail_status(Method::get, url, response, location ? " (more than 5 redirects)" : " without a Location");
            }
            detail::Url next;
            if (next.set(url) != nullptr || next.set(*location) != nullptr) {
                fail_status(Method::get, url, response, " with a Location that is not a URL");
            }
            const auto scheme = next.get(CURLUPART_SCHEME);
            if (scheme != "http" && scheme != "https") fail_status(Method::get, url, response, " to a Location that is not http(s)");
            url = next.get(CURLUPART_URL).value_or(*location);
        }
    }

    bool same_origin(const std::string& url) const {
        const std::string base = options_.url.text();
        return url.size() > base.size() && url.starts_with(base) && url[base.size()] == '/';
    }

    // A registry that sends other bytes than the digest names is broken or lying; nothing it
    // says about the image can be kept.
    static void check_content(const std::string& url, std::string_view body, const std::string& digest) {
        const std::string actual = sha256_digest(body);
        if (actual != digest) {
            throw RegistryError("GET " + url + ": the content's digest is " + actual + ", not the one asked for");
        }
    }

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

// Runs `work(session, i)` for i in [0, count) on up to `concurrency` threads, each with its own
// connection, calling `progress(done, count)` after each, one call at a time. The first error
// stops the others and is thrown once all have stopped.
template <typename Work>
void run_in_parallel(std::size_t count, const SyncOptions& options, const Work& work,
                     const std::function<void(std::size_t, std::size_t)>& progress) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex progress_mutex;
    std::size_t done = 0;
    std::exception_ptr first_error;
    auto worker = [&]() noexcept {
        try {
            HttpSession session(options.insecure);
            while (!failed) {
                const std::size_t i = next++;
                if (i >= count) return;
                work(session, i);
                const std::lock_guard lock(progress_mutex);
                ++done;
                if (progress) progress(done, count);
            }
        } catch (...) {
            const std::lock_guard lock(progress_mutex);
            if (!first_error) first_error = std::current_exception();
            failed = true;
        }
    };
    const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(options.concurrency), count);
    {
        std::vector<std::jthread> threads;
        for (std::size_t i = 0; i < workers; ++i) threads.emplace_back(worker);
    }  // joined here
    if (first_error) std::rethrow_exception(first_error);
}

void check_options(const SyncOptions& options) {
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
}

// Runs `body` with only rspcat::Error leaving: what the transport, the JSON parser or the
// standard library throws becomes a RegistryError naming the registry.
template <typename Body>
auto with_registry_errors(const SyncOptions& options, const Body& body) {
    try {
        check_options(options);
        return body();
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const TransportError& e) {
        throw RegistryError(options.url.text() + ": " + e.what());
    } catch (const std::exception& e) {
        throw RegistryError(options.url.text() + ": " + e.what());
    }
}

}  // namespace

RegistryError::~RegistryError() = default;
RegistryLimitError::~RegistryLimitError() = default;

struct RegistrySession::Impl {
    explicit Impl(SyncOptions given) : options(std::move(given)), client(options) {}
    SyncOptions options;
    RegistryClient client;  // holds `options` by reference: Impl never moves
};

RegistrySession::RegistrySession(SyncOptions options) {
    with_registry_errors(options, [] {});  // checks them
    impl_ = std::make_unique<Impl>(std::move(options));
}

RegistrySession::~RegistrySession() = default;
RegistrySession::RegistrySession(RegistrySession&&) noexcept = default;
RegistrySession& RegistrySession::operator=(RegistrySession&&) noexcept = default;

RegistrySession::Impl& RegistrySession::impl() const {
    if (!impl_) throw Error(ErrorKind::misuse, "this RegistrySession was moved from");
    return *impl_;
}

RegistryListing RegistrySession::read_listing(const std::function<void(std::size_t, std::size_t)>& given_progress) {
    const SyncOptions& options = impl().options;
    const auto& on_progress = given_progress ? given_progress : options.on_progress;
    return with_registry_errors(options, [&] {
        RegistryClient& client = impl_->client;
        std::vector<std::string> tags;
        {
            HttpSession session(options.insecure);
            tags = client.list_tags(session);
        }
        if (on_progress) on_progress(0, tags.size());
        std::vector<std::optional<std::string>> digests(tags.size());
        run_in_parallel(
            tags.size(), options, [&](HttpSession& session, std::size_t i) { digests[i] = client.resolve_digest(session, tags[i]); },
            on_progress);
        RegistryListing listing;
        for (std::size_t i = 0; i < tags.size(); ++i) {
            if (!digests[i]) {
                listing.vanished_tags.push_back(tags[i]);
                continue;
            }
            listing.rows.push_back(ListingRow{tags[i], std::move(*digests[i]), std::nullopt, listing.rows.size() + 1});
        }
        return listing;
    });
}

std::vector<ManifestDetails> RegistrySession::fetch_manifest_details(
    const std::vector<std::string>& digests, const std::function<void(std::size_t, std::size_t)>& on_progress) {
    const SyncOptions& options = impl().options;
    return with_registry_errors(options, [&] {
        for (const std::string& digest : digests) {
            if (!is_sha256_digest(digest)) {
                throw RegistryError(rspcat::detail::quoted(digest) + " is not a sha256 digest");
            }
        }
        std::vector<ManifestDetails> details(digests.size());
        run_in_parallel(
            digests.size(), options,
            [&](HttpSession& session, std::size_t i) { details[i] = impl_->client.read_details(session, digests[i]); },
            on_progress);
        return details;
    });
}

void RegistrySession::delete_manifest(const std::string& digest) {
    const SyncOptions& options = impl().options;
    with_registry_errors(options, [&] {
        if (!is_sha256_digest(digest)) throw RegistryError(rspcat::detail::quoted(digest) + " is not a sha256 digest");
        HttpSession session(options.insecure);
        impl_->client.delete_manifest(session, digest);
    });
}

RegistryListing read_listing(const SyncOptions& options) { return RegistrySession(options).read_listing(); }

std::vector<ListingRow> fetch_listing(const SyncOptions& options) {
    RegistryListing listing = read_listing(options);
    if (!listing.vanished_tags.empty()) {
        throw RegistryError("HEAD " + options.url.text() + "/v2/" + options.repository + "/manifests/" +
                            listing.vanished_tags.front() + ": HTTP 404");
    }
    return std::move(listing.rows);
}

std::vector<ManifestDetails> fetch_manifest_details(const SyncOptions& options, const std::vector<std::string>& digests,
                                                    const std::function<void(std::size_t, std::size_t)>& on_progress) {
    return RegistrySession(options).fetch_manifest_details(digests, on_progress);
}

void delete_manifest(const SyncOptions& options, const std::string& digest) {
    RegistrySession(options).delete_manifest(digest);
}

}  // namespace rspcat::registry
