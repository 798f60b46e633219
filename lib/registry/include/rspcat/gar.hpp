// Listing an image straight from Google Artifact Registry through its REST API v1
// (`dockerImages.list`, page by page), deleting one of its versions, and finding the OAuth2
// access token those calls carry. The listing's rows are those that `rspcat ingest --format gar`
// reads from the same DockerImage objects.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rspcat/export.hpp"
#include "rspcat/listing.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::registry {

inline constexpr const char* default_gar_api = "https://artifactregistry.googleapis.com";
// The API allows at most 1,000 DockerImage objects a page.
inline constexpr int default_gar_page_size = 1000;

// `projects/P/locations/L/repositories/R`, read.
struct GarRepository {
    std::string project;
    std::string location;
    std::string repository;
    std::string path() const { return "projects/" + project + "/locations/" + location + "/repositories/" + repository; }
    // `L-docker.pkg.dev`: the registry the catalog files the image under, as its URIs name it.
    std::string registry() const { return location + "-docker.pkg.dev"; }
    // `P/R/IMAGE`: the image's repository in the catalog.
    std::string catalog_repository(std::string_view image) const {
        return project + "/" + repository + "/" + std::string(image);
    }
};

// nullopt unless `text` is `projects/P/locations/L/repositories/R` with each of P, L, R made of
// lower-case letters, digits, `-`, `.`, `_` and `:` (a domain-scoped project).
RSPCAT_API std::optional<GarRepository> parse_gar_repository(std::string_view text);

struct GarOptions {
    GarRepository repository;
    std::string image;  // NAME: `sciplat-lab`, or a path such as `team/sciplat-lab`
    std::string api = default_gar_api;  // http(s)://HOST[:PORT]; tests point it at a local server
    std::string token;  // OAuth2 access token, sent as `Authorization: Bearer`; never in a message
    bool insecure = false;  // do not verify TLS certificates
    RetryPolicy retry;
    std::chrono::milliseconds request_timeout = default_request_timeout;
    std::optional<std::chrono::milliseconds> deadline = default_deadline;  // the whole call
    int page_size = default_gar_page_size;
    std::size_t max_pages = default_max_pages;
};

// Every tag of `image` with its digest and size (`imageSizeBytes`), in the order the API lists
// the images, each image's tags in their order; entries of other images are skipped. Follows
// `nextPageToken` until there is none. Throws RegistryError (the URL, the HTTP status, Google's
// error message; RegistryLimitError for the bounds) or InputError for a DockerImage that
// `ingest --format gar` would refuse; nothing is returned unless every page was read.
RSPCAT_API std::vector<ListingRow> fetch_gar_listing(const GarOptions& options);

// Deletes the version `digest` (`sha256:…`) of `options.image`, with the tags that point to it
// (`force=true`): `DELETE {api}/v1/…/packages/IMAGE/versions/DIGEST`, the image's `/` encoded
// as `%2F`. Returns when the API has accepted it: the answer is a long-running operation that is
// done or named. Throws RegistryError naming the URL and the status for a refusal, an operation
// that failed (its `error`), or an answer that is neither.
RSPCAT_API void delete_gar_image(const GarOptions& options, std::string_view digest);

// Where resolve_gar_token() looks. gar_token_lookup_from_environment() fills it from the
// environment; a test may fill it otherwise.
struct GarTokenLookup {
    std::optional<std::string> token_file;          // --token-file: its first line
    std::optional<std::string> environment_token;   // $GOOGLE_OAUTH_ACCESS_TOKEN
    std::optional<std::string> path;                // $PATH, searched for `gcloud`
    std::string metadata_host = "metadata.google.internal";  // $GCE_METADATA_HOST
    std::chrono::milliseconds gcloud_timeout{30'000};
    std::chrono::milliseconds metadata_timeout{5'000};
};
RSPCAT_API GarTokenLookup gar_token_lookup_from_environment();

// The access token, from the first source that applies: the token file (which must exist and
// hold a token on its first line), the environment variable, `gcloud auth print-access-token`
// when gcloud is on the path (run without a shell, killed after gcloud_timeout; it must exit 0
// and print a token), else the metadata server of Google Cloud's compute
// (`GET http://HOST/computeMetadata/v1/instance/service-accounts/default/token` with
// `Metadata-Flavor: Google`, answering `{"access_token": …}`). Throws RegistryError naming the
// source that failed (InputError for an unreadable token file); no message holds a token.
// `source` (optional) is set to the name of the source that gave it.
RSPCAT_API std::string resolve_gar_token(const GarTokenLookup& lookup, std::string* source = nullptr);

}  // namespace rspcat::registry
