// A repository straight from a registry through the Docker Registry HTTP API v2: its tags
// (`GET /v2/<name>/tags/list`, following `Link` pagination), each tag's manifest digest
// (`HEAD /v2/<name>/manifests/<tag>`, `Docker-Content-Digest`), what each digest is (its
// manifest and config blobs), and deletes of manifests; with basic and bearer-token
// authentication and retries. libcurl does the HTTP; none of it shows here.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rspcat/error.hpp"
#include "rspcat/export.hpp"
#include "rspcat/listing.hpp"
#include "rspcat/manifest.hpp"

namespace rspcat::registry {

// The registry could not be listed. The message names the request's URL and, when the registry
// answered, the HTTP status and the registry's own error text.
class RSPCAT_API RegistryError : public Error {
   public:
    explicit RegistryError(const std::string& message) : Error(ErrorKind::registry, message) {}
    // Defined in the library, so that its vtable and typeinfo live there once.
    ~RegistryError() override;
};

// One of the bounds of SyncOptions was reached; `limit` says which, so that a caller can name
// the setting that raises it.
class RSPCAT_API RegistryLimitError : public RegistryError {
   public:
    enum class Limit { pages, tags, request_timeout, deadline };
    RegistryLimitError(const std::string& message, Limit limit) : RegistryError(message), limit(limit) {}
    ~RegistryLimitError() override;
    Limit limit;
};

// `http[s]://HOST[:PORT]`, with at most a trailing `/` after it.
struct BaseUrl {
    std::string scheme;     // `http` or `https`
    std::string authority;  // `HOST[:PORT]` as given: the registry's name in the catalog
    std::string text() const { return scheme + "://" + authority; }
};
RSPCAT_API std::optional<BaseUrl> parse_base_url(std::string_view text);

// A registry's name as the catalog stores it: `HOST[:PORT]` as parse_base_url() reads it after
// a scheme (a host name or IPv4 address of letters, digits, `-` and `.`, or a bracketed IPv6
// address; a port of 1 to 65535 without leading zeros), with the host lower-cased, since host
// names are case-insensitive: `Registry.Example.org:5000` → `registry.example.org:5000`.
// nullopt for anything else: a scheme, a user, a path. `rspcat ingest --registry` and the
// registry that `rspcat sync` stores go through it, so that both name a registry alike.
RSPCAT_API std::optional<std::string> registry_name(std::string_view text);

// The Docker repository name grammar: lower-case alphanumeric components separated by `.`,
// `_`, `__` or dashes, joined by `/`.
RSPCAT_API bool is_repository_name(std::string_view name);

// What the client authenticates with. Never printed: messages name `source` instead.
struct Credentials {
    std::string username;
    std::string password;
    // Docker's `identitytoken`: an OAuth2 refresh token. When set, a Bearer challenge is
    // answered by POSTing `grant_type=refresh_token` with it to the token service (docker/
    // distribution's OAuth2 token spec) instead of a GET with Basic credentials.
    std::string identity_token;
    // Where they came from, for messages: `--username`, a file, `docker-credential-NAME`.
    std::string source;
};

// The credentials for `authority` in a Docker `config.json`: its `auths` entry (keyed by
// `HOST[:PORT]` or by a URL) with a base64 `auth` of `USER:PASSWORD`, or `username` and
// `password`, or an `identitytoken`. nullopt when the file has no entry for it. Credential
// helpers are not run (resolve_credentials() does). Throws InputError, naming `source` and the
// JSON path, for a file that is not such a config.
RSPCAT_API std::optional<Credentials> credentials_from_docker_config(std::string_view json_text,
                                                                     const std::string& source,
                                                                     std::string_view authority);

// Where resolve_credentials() looks. credential_lookup_from_environment() fills it as Docker,
// crane and podman would; a test or an embedding program may fill it otherwise.
struct CredentialLookup {
    // `--credentials FILE`: this file alone, which must exist and hold the registry.
    std::optional<std::string> config_file;
    std::optional<std::string> docker_config;       // $DOCKER_CONFIG: a directory holding config.json
    std::optional<std::string> home;                // $HOME: ~/.docker/config.json
    std::optional<std::string> registry_auth_file;  // $REGISTRY_AUTH_FILE: containers' auth.json
    std::optional<std::string> xdg_runtime_dir;     // $XDG_RUNTIME_DIR: containers/auth.json in it
    std::optional<std::string> path;                // $PATH, searched for docker-credential-NAME
    // How long a credential helper may run before it is killed and the lookup fails.
    std::chrono::milliseconds helper_timeout{30'000};
};
RSPCAT_API CredentialLookup credential_lookup_from_environment();

// The files resolve_credentials() reads, in order: `config_file` alone when set; else
// `$DOCKER_CONFIG/config.json` (or `$HOME/.docker/config.json` when DOCKER_CONFIG is unset),
// `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, each when its variable is set.
RSPCAT_API std::vector<std::string> credential_files(const CredentialLookup& lookup);

// The credentials for `authority` (`HOST[:PORT]`). The files of credential_files() are read in
// order, skipping those that do not exist, and the first that names the registry decides, as
// Docker reads one config.json: its `credHelpers` entry for the registry, else its `credsStore`,
// else its `auths` entry. A helper is run as `docker-credential-NAME get` (found on
// `lookup.path`, no shell, no inherited descriptors, killed after `helper_timeout`) with the
// server on standard input; its answer's `Username` and `Secret` are the credentials, or an
// identity token when Username is `<token>`. nullopt (anonymous) when no file names the
// registry or the helper answers "credentials not found". Throws InputError naming the file
// for one that cannot be read or is not a config, RegistryError naming the helper for one that
// is missing, fails, times out or answers nonsense; neither message holds a secret, nor what a
// failing helper printed.
RSPCAT_API std::optional<Credentials> resolve_credentials(std::string_view authority, const CredentialLookup& lookup);

// The bytes of config.json's `auth`, or nullopt when it is not base64.
RSPCAT_API std::optional<std::string> base64_decode(std::string_view text);

// One challenge of a `WWW-Authenticate` header: `Bearer realm="…",service="…",scope="…"`.
struct Challenge {
    std::string scheme;                        // lower-cased: `basic`, `bearer`
    std::map<std::string, std::string> params;  // names lower-cased, values unquoted
};
RSPCAT_API std::optional<Challenge> parse_challenge(std::string_view header);

// The `rel="next"` target of a `Link` header resolved against the page it came with (absolute,
// `/path` or relative), or nullopt when there is no next page. A link to another scheme, host or
// port throws RegistryError: following it would send the credentials elsewhere.
RSPCAT_API std::optional<std::string> next_page_url(std::string_view link_header, const BaseUrl& base,
                                                    const std::string& current_url);

// 429 and 5xx answers and dropped connections are tried again, `attempts` times in all, after
// first_delay, then twice as long each time up to max_delay (or what Retry-After asks, capped
// the same way).
struct RetryPolicy {
    int attempts = 5;
    std::chrono::milliseconds first_delay{250};
    std::chrono::milliseconds max_delay{8000};
};

// The bounds of one sync, so that a broken or hostile registry fails it instead of holding it
// forever. Registries page 100 tags or more at a time, so 10,000 pages hold the 1,000,000 tags,
// far beyond any RSP repository; half an hour is many times what a few thousand tags take to
// list and resolve at the default concurrency.
inline constexpr std::size_t default_max_pages = 10'000;
inline constexpr std::size_t default_max_tags = 1'000'000;
inline constexpr std::chrono::milliseconds default_request_timeout{60'000};
inline constexpr std::chrono::milliseconds default_deadline{30 * 60'000};

struct SyncOptions {
    BaseUrl url;
    std::string repository;
    std::optional<Credentials> credentials;
    bool insecure = false;  // do not verify TLS certificates
    int concurrency = 4;    // HEAD requests at once
    RetryPolicy retry;
    std::size_t max_pages = default_max_pages;  // pages of tags followed through Link headers
    std::size_t max_tags = default_max_tags;
    // Each request, from connecting to the last byte. A request that times out is not tried
    // again: a registry that let one wait this long would likely do it again.
    std::chrono::milliseconds request_timeout = default_request_timeout;
    // The whole sync, retries and waits included; nullopt for none.
    std::optional<std::chrono::milliseconds> deadline = default_deadline;
    // Called after each tag's digest is known, one call at a time, from any thread. What it
    // throws ends the listing: an rspcat::Error as it is, another std::exception as a RegistryError.
    std::function<void(std::size_t resolved, std::size_t total)> on_progress;
};

inline constexpr int max_concurrency = 64;

// What the registry holds now.
struct RegistryListing {
    // Every tag with its manifest digest, in the order the registry listed the tags (sizes are
    // unknown: fetch_manifest_details() reads them).
    std::vector<ListingRow> rows;
    // Tags the tag list named but whose manifest was gone (HTTP 404) by the time it was asked
    // for: deleted meanwhile. Not in `rows`.
    std::vector<std::string> vanished_tags;
};
// Throws RegistryError; nothing is returned unless every tag was resolved or found gone.
RSPCAT_API RegistryListing read_listing(const SyncOptions& options);

// read_listing(), with a vanished tag an error (RegistryError naming it) as before 0.2.
RSPCAT_API std::vector<ListingRow> fetch_listing(const SyncOptions& options);

// What each digest is, in the order given: `GET /v2/<name>/manifests/<digest>`, for an index
// each platform's manifest too, and each image manifest's config blob (`GET /v2/<name>/blobs/
// <digest>`, following redirects to a storage service without the credentials); every body is
// checked against its digest. Size is that of the distinct config and layer blobs, creation
// time the configs' newest `created`. An index's entries that are indexes themselves are not
// read. Requests run `options.concurrency` at once, with the retries and bounds of a listing;
// `on_progress(done, total)` is called after each digest, one call at a time. Throws
// RegistryError naming the URL and status of the first request that failed.
RSPCAT_API std::vector<ManifestDetails> fetch_manifest_details(
    const SyncOptions& options, const std::vector<std::string>& digests,
    const std::function<void(std::size_t done, std::size_t total)>& on_progress = {});

// `DELETE /v2/<name>/manifests/<digest>`: the registry deletes the manifest and every tag on it.
// A 404 counts as deleted: the manifest is gone (a retried DELETE whose first answer was lost
// finds it so). Throws RegistryError (naming the URL and status; for 405, that the registry does
// not allow deletes) for any other answer but 202 or 200.
RSPCAT_API void delete_manifest(const SyncOptions& options, const std::string& digest);

// The calls above on one connection setup and one authentication: a sync that lists, then reads
// manifests, then (prune --apply) deletes asks the token service once per scope, not once per
// call. The deadline counts from the session's start. Not to be used from two threads at once
// (each call runs its own threads).
class RSPCAT_API RegistrySession {
   public:
    // Throws RegistryError for options that cannot work (as the calls above would).
    explicit RegistrySession(SyncOptions options);
    ~RegistrySession();
    RegistrySession(RegistrySession&&) noexcept;
    RegistrySession& operator=(RegistrySession&&) noexcept;

    // `on_progress`, when given, instead of the options' own.
    RegistryListing read_listing(const std::function<void(std::size_t resolved, std::size_t total)>& on_progress = {});
    std::vector<ManifestDetails> fetch_manifest_details(
        const std::vector<std::string>& digests,
        const std::function<void(std::size_t done, std::size_t total)>& on_progress = {});
    void delete_manifest(const std::string& digest);

   private:
    struct RSPCAT_INTERNAL Impl;
    RSPCAT_INTERNAL Impl& impl() const;
    std::unique_ptr<Impl> impl_;
};

// `sha256:` and the 64 lower-case hex digits of SHA-256 over `bytes` (OpenSSL).
RSPCAT_API std::string sha256_digest(std::string_view bytes);

}  // namespace rspcat::registry
