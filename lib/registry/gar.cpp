// Google Artifact Registry through its REST API v1: `dockerImages.list` page by page into the
// rows `ingest --format gar` would read, `packages.versions.delete`, and the access token.
#include "rspcat/gar.hpp"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <new>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_set>

#include "input_text.hpp"
#include "registry_http.hpp"
#include "request_retry.hpp"
#include "rspcat/json_listing.hpp"
#include "run_program.hpp"

namespace rspcat::registry {

namespace {

using detail::describe;
using detail::fail_status;
using detail::HttpResponse;
using detail::HttpSession;
using detail::Method;
using detail::RetryingSender;
using detail::TransportError;
using Json = nlohmann::json;
using Limit = RegistryLimitError::Limit;

constexpr const char* json_accept = "Accept: application/json";

// One segment of a resource name: what Google allows in project, location and repository IDs.
bool is_resource_id(std::string_view id) {
    return !id.empty() && id.size() <= 128 &&
           id.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-._:") == std::string_view::npos;
}

// A token goes into a header line: printable ASCII without blanks, or it could break the line.
bool is_token_text(std::string_view token) {
    if (token.empty() || token.size() > 16 * 1024) return false;
    for (char c : token) {
        if (c <= ' ' || c >= 127) return false;
    }
    return true;
}

std::optional<std::string> non_empty(const char* value) {
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

// The first line of `text`, without its line end and surrounding blanks.
std::string first_line(std::string_view text) {
    text = text.substr(0, text.find('\n'));
    while (!text.empty() && (text.back() == '\r' || text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    return std::string(text);
}

// The options checked, and the API's base URL read.
BaseUrl checked_api(const GarOptions& options) {
    if (!is_resource_id(options.repository.project) || !is_resource_id(options.repository.location) ||
        !is_resource_id(options.repository.repository)) {
        throw RegistryError(rspcat::detail::quoted(options.repository.path()) +
                            " is not projects/PROJECT/locations/LOCATION/repositories/REPOSITORY");
    }
    if (options.image.empty() || !is_repository_name(options.repository.catalog_repository(options.image))) {
        throw RegistryError("image " + rspcat::detail::quoted(options.image) +
                            " is not an image name (lower-case components joined by /)");
    }
    const auto api = parse_base_url(options.api);
    if (!api) throw RegistryError("the Artifact Registry API " + rspcat::detail::quoted(options.api) + " is not http(s)://HOST[:PORT]");
    if (!is_token_text(options.token)) {
        throw RegistryError("the Artifact Registry access token is empty or holds blanks or control characters");
    }
    if (options.page_size < 1 || options.max_pages < 1 || options.request_timeout.count() < 1 ||
        (options.deadline && options.deadline->count() < 1)) {
        throw RegistryError("the page size, the page limit, the request timeout and the deadline must be positive");
    }
    return *api;
}

std::vector<std::string> api_headers(const GarOptions& options) {
    return {json_accept, "Authorization: Bearer " + options.token};
}

// What a refusal adds: 401 and 403 are about the token, which is not shown.
std::string refusal_hint(const HttpResponse& response) {
    if (response.status == 401) return ": the access token was refused (expired, or not a Google OAuth2 token)";
    if (response.status == 403) return ": the token's account may not do this (artifactregistry permissions)";
    return "";
}

// `dockerImages` of one page, as a JSON text for GarPagesReader, and the next page's token.
struct Page {
    std::string images;
    std::optional<std::string> next_token;
};

Page read_page(const std::string& url, const HttpResponse& response) {
    std::string why;
    const auto parsed = detail::parse_answer(response, why);
    if (!parsed || !parsed->is_object()) {
        throw RegistryError("GET " + url + ": HTTP 200 but the answer is not a JSON object" + (why.empty() ? "" : ": " + why));
    }
    Page page;
    // The API leaves out an empty list.
    const auto images = parsed->find("dockerImages");
    if (images == parsed->end() || images->is_null()) {
        page.images = "[]";
    } else if (!images->is_array()) {
        throw RegistryError("GET " + url + ": HTTP 200 but \"dockerImages\" is not a list");
    } else {
        page.images = images->dump();
    }
    const auto next = parsed->find("nextPageToken");
    if (next != parsed->end() && !next->is_null()) {
        if (!next->is_string()) throw RegistryError("GET " + url + ": HTTP 200 but \"nextPageToken\" is not a string");
        if (!next->get_ref<const std::string&>().empty()) page.next_token = next->get<std::string>();
    }
    return page;
}

std::vector<ListingRow> fetch_checked(const GarOptions& options) {
    const BaseUrl api = checked_api(options);
    const RetryingSender sender(options.retry, options.request_timeout, options.deadline);
    HttpSession session(options.insecure);
    const std::string list_url = api.text() + "/v1/" + options.repository.path() +
                                 "/dockerImages?pageSize=" + std::to_string(options.page_size);
    GarPagesReader reader({options.repository.registry(), options.repository.catalog_repository(options.image)});
    std::unordered_set<std::string> tokens_seen;
    std::string url = list_url;
    for (std::size_t pages = 1;; ++pages) {
        const HttpResponse response = sender.send(session, Method::get, url, api_headers(options));
        if (response.status != 200) fail_status(Method::get, url, response, refusal_hint(response));
        const Page page = read_page(url, response);
        std::istringstream images(page.images);
        reader.add_page(images, "GET " + url + ": dockerImages");
        if (!page.next_token) return reader.take_rows();
        if (pages >= options.max_pages) {
            throw RegistryLimitError("GET " + url + ": the API has more than " + std::to_string(options.max_pages) +
                                         (options.max_pages == 1 ? " page" : " pages") + " of images (the page limit)",
                                     Limit::pages);
        }
        if (!tokens_seen.insert(*page.next_token).second) {
            throw RegistryError("GET " + url + ": nextPageToken leads back to a page already read");
        }
        url = list_url + "&pageToken=" + session.escape(*page.next_token);
    }
}

void delete_checked(const GarOptions& options, std::string_view digest) {
    const BaseUrl api = checked_api(options);
    if (!is_sha256_digest(digest)) throw RegistryError(rspcat::detail::quoted(std::string(digest)) + " is not a sha256 digest");
    // The package is the image's name with its `/` percent-encoded: one path segment.
    std::string package;
    for (char c : options.image) package += c == '/' ? std::string("%2F") : std::string(1, c);
    const std::string url = api.text() + "/v1/" + options.repository.path() + "/packages/" + package + "/versions/" +
                            std::string(digest) + "?force=true";
    const RetryingSender sender(options.retry, options.request_timeout, options.deadline);
    HttpSession session(options.insecure);
    const HttpResponse response = sender.send(session, Method::del, url, api_headers(options));
    if (response.status < 200 || response.status > 299) fail_status(Method::del, url, response, refusal_hint(response));
    std::string why;
    const auto operation = detail::parse_answer(response, why);
    if (!operation || !operation->is_object()) {
        throw RegistryError(describe(Method::del, url) + ": HTTP " + std::to_string(response.status) +
                            " but the answer is not a long-running operation");
    }
    if (const auto error = operation->find("error"); error != operation->end() && !error->is_null()) {
        std::string message = "the operation failed";
        if (error->is_object() && error->contains("message") && (*error)["message"].is_string()) {
            message += ": " + rspcat::detail::printable((*error)["message"].get<std::string>(), 200);
        }
        throw RegistryError(describe(Method::del, url) + ": HTTP " + std::to_string(response.status) + " but " + message);
    }
    const auto done = operation->find("done");
    const auto name = operation->find("name");
    const bool finished = done != operation->end() && done->is_boolean() && done->get<bool>();
    const bool named = name != operation->end() && name->is_string() && !name->get_ref<const std::string&>().empty();
    if (!finished && !named) {
        throw RegistryError(describe(Method::del, url) + ": HTTP " + std::to_string(response.status) +
                            " but the answer is neither a finished nor a named operation");
    }
}

// Runs what may throw anything and lets only rspcat::Error out, as RegistryError after `context`.
template <typename Work>
auto only_rspcat_errors(const std::string& context, Work&& work) -> decltype(work()) {
    try {
        return work();
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw RegistryError(context + ": " + e.what());
    }
}

std::string token_from_file(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw InputError("--token-file " + file + ": cannot read it");
    std::string line;
    std::getline(in, line);
    if (in.bad()) throw InputError("--token-file " + file + ": read error");
    const std::string token = first_line(line);
    if (!is_token_text(token)) {
        throw RegistryError("--token-file " + file + ": its first line is not an access token (empty, or blanks inside)");
    }
    return token;
}

std::string token_from_gcloud(const std::string& program, std::chrono::milliseconds timeout) {
    const std::string label = "gcloud auth print-access-token (" + program + ")";
    const detail::ProgramRun run = detail::run_program(label, program, {"auth", "print-access-token"}, "", timeout);
    if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
        throw RegistryError(label + " " + detail::exit_text(run.status) +
                            " (log in with `gcloud auth login`, or give --token-file; what it printed is not shown)");
    }
    const std::string token = first_line(run.out);
    if (!is_token_text(token)) throw RegistryError(label + ": it printed no access token");
    return token;
}

std::string token_from_metadata(const std::string& host, std::chrono::milliseconds timeout) {
    const std::string url = "http://" + host + "/computeMetadata/v1/instance/service-accounts/default/token";
    const std::string hint =
        " (outside Google Cloud, give --token-file, set GOOGLE_OAUTH_ACCESS_TOKEN or put gcloud on PATH)";
    HttpResponse response;
    try {
        HttpSession session(false);
        response = session.perform(Method::get, url, {json_accept, "Metadata-Flavor: Google"}, timeout);
    } catch (const TransportError& e) {
        throw RegistryError("no access token: the metadata server did not answer GET " + url + ": " + e.what() + hint);
    }
    if (response.status != 200) {
        throw RegistryError("no access token: GET " + url + ": HTTP " + std::to_string(response.status) + hint);
    }
    std::string why;
    const auto answer = detail::parse_answer(response, why);
    const auto token = answer && answer->is_object() ? answer->find("access_token") : Json::const_iterator();
    if (!answer || !answer->is_object() || token == answer->end() || !token->is_string() ||
        !is_token_text(token->get_ref<const std::string&>())) {
        throw RegistryError("no access token: GET " + url + ": HTTP 200 but the answer holds no \"access_token\"");
    }
    return token->get<std::string>();
}

}  // namespace

std::optional<GarRepository> parse_gar_repository(std::string_view text) {
    std::vector<std::string> parts;
    std::stringstream in{std::string(text)};
    for (std::string part; std::getline(in, part, '/');) parts.push_back(part);
    if (!text.empty() && text.back() == '/') return std::nullopt;
    if (parts.size() != 6 || parts[0] != "projects" || parts[2] != "locations" || parts[4] != "repositories") {
        return std::nullopt;
    }
    GarRepository repository{parts[1], parts[3], parts[5]};
    if (!is_resource_id(repository.project) || !is_resource_id(repository.location) ||
        !is_resource_id(repository.repository)) {
        return std::nullopt;
    }
    return repository;
}

std::vector<ListingRow> fetch_gar_listing(const GarOptions& options) {
    return only_rspcat_errors(options.api, [&] { return fetch_checked(options); });
}

void delete_gar_image(const GarOptions& options, std::string_view digest) {
    only_rspcat_errors(options.api, [&] { delete_checked(options, digest); });
}

GarTokenLookup gar_token_lookup_from_environment() {
    GarTokenLookup lookup;
    lookup.environment_token = non_empty(std::getenv("GOOGLE_OAUTH_ACCESS_TOKEN"));
    lookup.path = non_empty(std::getenv("PATH"));
    if (const auto host = non_empty(std::getenv("GCE_METADATA_HOST"))) lookup.metadata_host = *host;
    return lookup;
}

std::string resolve_gar_token(const GarTokenLookup& lookup, std::string* source) {
    return only_rspcat_errors("finding the Artifact Registry access token", [&] {
        auto said = [&](const std::string& name) {
            if (source) *source = name;
        };
        if (lookup.token_file) {
            said("--token-file " + *lookup.token_file);
            return token_from_file(*lookup.token_file);
        }
        if (lookup.environment_token) {
            if (!is_token_text(*lookup.environment_token)) {
                throw RegistryError("GOOGLE_OAUTH_ACCESS_TOKEN is not an access token (blanks or control characters)");
            }
            said("GOOGLE_OAUTH_ACCESS_TOKEN");
            return *lookup.environment_token;
        }
        if (const auto gcloud = detail::find_program("gcloud", lookup.path)) {
            said("gcloud auth print-access-token");
            return token_from_gcloud(*gcloud, lookup.gcloud_timeout);
        }
        said("the metadata server " + lookup.metadata_host);
        return token_from_metadata(lookup.metadata_host, lookup.metadata_timeout);
    });
}

}  // namespace rspcat::registry
