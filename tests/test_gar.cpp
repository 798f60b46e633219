// Google Artifact Registry: `rspcat sync --gar` and the library behind it against a local fake
// of the Artifact Registry REST API v1 (dockerImages.list pages chained by pageToken, a bearer
// token check, a 503 and a 429 on the way, packages.versions.delete), and the access token's
// sources: a file, the environment, a fake `gcloud` on PATH, a fake metadata server.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "cli_support.hpp"
#include "fake_http_server.hpp"
#include "rspcat/gar.hpp"

using nlohmann::json;
using namespace rspcat::registry;
using namespace rspcat::test;

namespace {

const std::string good_token = "ya29.good-token";
const std::string repository_path = "projects/rubin/locations/us-central1/repositories/sciplat";
const std::string list_path = "/v1/" + repository_path + "/dockerImages";

std::string digest_of(char c) { return "sha256:" + std::string(64, c); }

// A DockerImage object as the API (and a `gar` listing file) spells it: int64 as a string.
json docker_image(const std::string& image, char digest, const std::vector<std::string>& tags, long long size) {
    const std::string at = image + "@" + digest_of(digest);
    json object = {{"name", repository_path + "/dockerImages/" + at},
                   {"uri", "us-central1-docker.pkg.dev/rubin/sciplat/" + at},
                   {"imageSizeBytes", std::to_string(size)},
                   {"uploadTime", "2077-10-24T04:12:01.123456Z"},
                   {"buildTime", "2077-10-24T03:58:40Z"},
                   {"updateTime", "2077-10-24T04:12:01.123456Z"},
                   {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"}};
    if (!tags.empty()) object["tags"] = tags;
    return object;
}

// Eight objects, three per page: sciplat-lab's, another image's (skipped) and an untagged one.
const std::vector<json> objects = {
    docker_image("sciplat-lab", 'a', {"w_2077_43", "recommended"}, 4'100'000'000),
    docker_image("sciplat-lab", 'b', {"w_2077_44", "latest_weekly"}, 4'200'000'000),
    docker_image("other-lab", 'c', {"w_2077_44"}, 10),
    docker_image("sciplat-lab", 'd', {"d_2077_10_23"}, 4'000'000'001),
    docker_image("sciplat-lab", 'e', {}, 12),
    docker_image("sciplat-lab-x", 'f', {"r21_0_1"}, 11),
    docker_image("sciplat-lab", '1', {"r21_0_1"}, 3'900'000'000),
    docker_image("sciplat-lab", '2', {"w_2077_42"}, 3'800'000'000),
};

// What those objects hold for sciplat-lab, written out by hand: tag, digest, size.
const std::vector<std::tuple<std::string, std::string, long long>> expected_rows = {
    {"w_2077_43", digest_of('a'), 4'100'000'000}, {"recommended", digest_of('a'), 4'100'000'000},
    {"w_2077_44", digest_of('b'), 4'200'000'000}, {"latest_weekly", digest_of('b'), 4'200'000'000},
    {"d_2077_10_23", digest_of('d'), 4'000'000'001}, {"r21_0_1", digest_of('1'), 3'900'000'000},
    {"w_2077_42", digest_of('2'), 3'800'000'000},
};

json google_error(int code, const std::string& status, const std::string& message) {
    return {{"error", {{"code", code}, {"message", message}, {"status", status}}}};
}

std::map<std::string, std::string> query_of(const std::string& query) {
    std::map<std::string, std::string> out;
    std::stringstream in(query);
    for (std::string pair; std::getline(in, pair, '&');) {
        const auto equals = pair.find('=');
        out[pair.substr(0, equals)] = equals == std::string::npos ? "" : pair.substr(equals + 1);
    }
    return out;
}

// The API for `objects`, three to a page (whatever pageSize says), page N+1 behind token `page~N` (a `~`, which stays as
// it is in a query). The first request for page 2 answers 503, the first for page 3 answers 429
// with Retry-After: 0; `broken_page` (when set) answers 403 every time.
class FakeGar {
   public:
    explicit FakeGar(std::vector<json> images = objects, std::string repository = repository_path)
        : images_(std::move(images)),
          list_path_("/v1/" + repository + "/dockerImages"),
          server_([this](const FakeRequest& request) { return answer(request); }) {}

    std::string url() const { return server_.url(); }
    std::vector<FakeRequest> requests() const { return server_.requests(); }
    std::atomic<int> broken_page{0};
    std::atomic<bool> overload{true};

   private:
    FakeReply answer(const FakeRequest& request) {
        if (request.header("authorization") != "Bearer " + good_token) {
            return {401, {{"Content-Type", "application/json"}},
                    google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.").dump()};
        }
        if (request.method == "DELETE") return delete_answer(request);
        if (request.method != "GET" || request.path != list_path_) return {404, {}, "{}"};
        auto query = query_of(request.query);
        // At most three a page, whatever was asked, as the API may answer fewer than pageSize.
        if (query["pageSize"].empty() || query["pageSize"].find_first_not_of("0123456789") != std::string::npos) {
            return {400, {}, google_error(400, "INVALID_ARGUMENT", "pageSize").dump()};
        }
        std::size_t page = 1;
        if (query.count("pageToken")) {
            if (query["pageToken"].rfind("page~", 0) != 0) return {400, {}, google_error(400, "INVALID_ARGUMENT", "token").dump()};
            page = std::stoul(query["pageToken"].substr(5));
        }
        if (static_cast<int>(page) == broken_page) {
            return {403, {}, google_error(403, "PERMISSION_DENIED", "Permission denied on page").dump()};
        }
        if (overload && page == 2 && !served_503_.exchange(true)) return {503, {}, "unavailable"};
        if (overload && page == 3 && !served_429_.exchange(true)) return {429, {{"Retry-After", "0"}}, "slow down"};
        json body = json::object();
        json list = json::array();
        for (std::size_t i = (page - 1) * 3; i < images_.size() && i < page * 3; ++i) list.push_back(images_[i]);
        if (!list.empty()) body["dockerImages"] = list;
        if (page * 3 < images_.size()) body["nextPageToken"] = "page~" + std::to_string(page + 1);
        return {200, {{"Content-Type", "application/json"}}, body.dump()};
    }

    FakeReply delete_answer(const FakeRequest& request) {
        const std::string versions = "/v1/" + repository_path + "/packages/team%2Fsciplat-lab/versions/";
        if (request.path.rfind(versions, 0) != 0 || request.query != "force=true") return {404, {}, "{}"};
        const std::string digest = request.path.substr(versions.size());
        if (digest == digest_of('f')) {
            return {403, {}, google_error(403, "PERMISSION_DENIED", "artifactregistry.versions.delete denied").dump()};
        }
        if (digest == digest_of('e')) {
            return {200, {}, json{{"name", "operations/2"}, {"done", true}, {"error", {{"code", 9}, {"message", "version is in use"}}}}.dump()};
        }
        if (digest == digest_of('0')) return {200, {}, "{}"};
        // Gone from the listing, as the API does once the operation runs.
        std::erase_if(images_, [&](const json& image) { return image.at("uri").get<std::string>().ends_with("@" + digest); });
        return {200, {}, json{{"name", repository_path + "/operations/1"}}.dump()};
    }

    std::vector<json> images_;
    std::string list_path_;
    std::atomic<bool> served_503_{false};
    std::atomic<bool> served_429_{false};
    FakeHttpServer server_;
};

GarOptions options_for(const FakeGar& gar, const std::string& image = "sciplat-lab") {
    GarOptions options;
    options.repository = *parse_gar_repository(repository_path);
    options.image = image;
    options.api = gar.url();
    options.token = good_token;
    options.page_size = 3;
    options.retry.first_delay = std::chrono::milliseconds(5);
    options.retry.max_delay = std::chrono::milliseconds(20);
    return options;
}

std::string error_of(const std::function<void()>& call) {
    try {
        call();
    } catch (const rspcat::Error& e) {
        return e.what();
    }
    return "(no error)";
}

// rspcat with only the environment given: no gcloud, no token, no metadata server of the caller.
CommandResult run_isolated(const std::vector<std::string>& environment, const std::vector<std::string>& args) {
    // A PATH with nothing on it: this machine's own gcloud must not answer.
    std::vector<std::string> command = {"-i", "PATH=/nonexistent", "GCE_METADATA_HOST=127.0.0.1:9"};
    command.insert(command.end(), environment.begin(), environment.end());
    command.push_back(RSPCAT_BINARY);
    command.insert(command.end(), args.begin(), args.end());
    return run_command("/usr/bin/env", command);
}

std::string dump(const std::string& db) { return run_command(SQLITE3_SHELL, {db, ".dump"}).out; }

void write_executable(const std::string& path, const std::string& text) {
    write_text(path, text);
    ::chmod(path.c_str(), 0755);
}

}  // namespace

TEST_CASE("parse_gar_repository", "[gar]") {
    const auto repository = parse_gar_repository("projects/rubin/locations/us-central1/repositories/sciplat");
    REQUIRE(repository);
    CHECK(repository->project == "rubin");
    CHECK(repository->location == "us-central1");
    CHECK(repository->repository == "sciplat");
    CHECK(repository->registry() == "us-central1-docker.pkg.dev");
    CHECK(repository->catalog_repository("sciplat-lab") == "rubin/sciplat/sciplat-lab");
    for (const char* bad : {"", "projects/rubin", "projects/rubin/locations/us/repositories/", "projects/rubin/locations/us/repositories/r/",
                            "project/rubin/locations/us/repositories/r", "projects/Rubin/locations/us/repositories/r",
                            "projects/rubin/locations/us/repositories/r/packages/p", "projects//locations/us/repositories/r"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_gar_repository(bad));
    }
}

TEST_CASE("fetch_gar_listing: pages by pageToken, through a 503 and a 429, other images skipped", "[gar]") {
    FakeGar gar;
    const auto rows = fetch_gar_listing(options_for(gar));
    std::vector<std::tuple<std::string, std::string, long long>> got;
    for (const auto& row : rows) got.emplace_back(row.tag, row.digest, row.size.value_or(-1));
    CHECK(got == expected_rows);

    std::vector<std::string> targets;
    for (const auto& request : gar.requests()) targets.push_back(request.target);
    const std::vector<std::string> expected_targets = {
        list_path + "?pageSize=3",
        list_path + "?pageSize=3&pageToken=page~2",  // 503
        list_path + "?pageSize=3&pageToken=page~2",
        list_path + "?pageSize=3&pageToken=page~3",  // 429
        list_path + "?pageSize=3&pageToken=page~3",
    };
    CHECK(targets == expected_targets);
    for (const auto& request : gar.requests()) CHECK(request.header("authorization") == "Bearer " + good_token);
}

TEST_CASE("fetch_gar_listing: a refused token, a failing page, bad options", "[gar]") {
    FakeGar gar;
    GarOptions options = options_for(gar);
    options.token = "ya29.wrong-token";
    std::string message = error_of([&] { fetch_gar_listing(options); });
    CHECK_THAT(message, Catch::Contains("GET " + gar.url() + list_path + "?pageSize=3: HTTP 401"));
    CHECK_THAT(message, Catch::Contains("access token was refused"));
    CHECK_THAT(message, !Catch::Contains("wrong-token"));

    gar.broken_page = 3;
    message = error_of([&] { fetch_gar_listing(options_for(gar)); });
    CHECK_THAT(message, Catch::Contains("pageToken=page~3: HTTP 403"));

    options = options_for(gar);
    options.token = "two words";
    CHECK_THAT(error_of([&] { fetch_gar_listing(options); }), Catch::Contains("access token"));
    options = options_for(gar, "Sciplat-Lab");
    CHECK_THAT(error_of([&] { fetch_gar_listing(options); }), Catch::Contains("is not an image name"));
    options = options_for(gar);
    options.api = "ftp://example.org";
    CHECK_THAT(error_of([&] { fetch_gar_listing(options); }), Catch::Contains("is not http(s)://HOST[:PORT]"));
}

TEST_CASE("fetch_gar_listing: a tag listed on two pages is refused, as in one gar file", "[gar]") {
    std::vector<json> twice = objects;
    twice[4] = docker_image("sciplat-lab", 'e', {"w_2077_43"}, 12);  // page 2 repeats page 1's tag
    FakeGar gar(twice);
    const std::string message = error_of([&] { fetch_gar_listing(options_for(gar)); });
    CHECK_THAT(message, Catch::Contains("pageToken=page~2: dockerImages: /1/tags/0: tag 'w_2077_43' is listed twice"));
}

TEST_CASE("rspcat sync --gar: the catalog that ingest --format gar makes of the same objects", "[gar][sync]") {
    FakeGar gar;
    TempDir dir;
    write_text(dir.file("token"), good_token + "\nsecond line ignored\n");
    write_text(dir.file("gar.json"), json(objects).dump(2));
    const std::string synced = dir.file("synced.db"), ingested = dir.file("ingested.db");
    const auto result = run_isolated({}, {"--db", synced, "sync", "--gar", repository_path, "--image", "sciplat-lab",
                                          "--gar-api", gar.url(), "--token-file", dir.file("token"), "--alias", "recommended"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.err, Catch::Contains("us-central1-docker.pkg.dev/rubin/sciplat/sciplat-lab: snapshot "));
    CHECK_THAT(result.err, Catch::Contains(": 7 tags (7 new, 0 moved, 0 removed)"));
    std::vector<std::string> targets;
    for (const auto& request : gar.requests()) targets.push_back(request.target);
    CHECK(run_command(SQLITE3_SHELL, {synced, "select source, kind from snapshots"}).out ==
          gar.url() + "/v1/" + repository_path + " image sciplat-lab|full\n");
    CHECK(targets == std::vector<std::string>{list_path + "?pageSize=1000", list_path + "?pageSize=1000&pageToken=page~2",
                                              list_path + "?pageSize=1000&pageToken=page~2",
                                              list_path + "?pageSize=1000&pageToken=page~3",
                                              list_path + "?pageSize=1000&pageToken=page~3"});
    const auto ingest = run_rspcat({"--db", ingested, "ingest", "--format", "gar", "--registry", "us-central1-docker.pkg.dev",
                                    "--repository", "rubin/sciplat/sciplat-lab", "--alias", "recommended", dir.file("gar.json")});
    INFO(ingest.err);
    REQUIRE(ingest.exit_code == 0);

    const auto synced_images = run_rspcat({"--db", synced, "images", "--format", "json"});
    CHECK(synced_images.out == run_rspcat({"--db", ingested, "images", "--format", "json"}).out);
    // By tag: a position orders only the images of one digest (schema/005_confirmed.sql).
    const std::string rows_query = "select registry, repository, tag, digest, size from current_images order by tag";
    const auto synced_rows = run_command(SQLITE3_SHELL, {synced, rows_query});
    CHECK(synced_rows.out == run_command(SQLITE3_SHELL, {ingested, rows_query}).out);
    // And what that is, written out: every tag of sciplat-lab with its digest and size.
    std::string expected_table;
    auto by_tag = expected_rows;
    std::sort(by_tag.begin(), by_tag.end());
    for (const auto& [tag, digest, size] : by_tag) {
        expected_table += "us-central1-docker.pkg.dev|rubin/sciplat/sciplat-lab|" + tag + "|" + digest + "|" + std::to_string(size) + "\n";
    }
    CHECK(synced_rows.out == expected_table);
    std::set<std::string> tags;
    for (const auto& image : json::parse(synced_images.out)) tags.insert(image.at("tag").get<std::string>());
    CHECK(tags == std::set<std::string>{"recommended", "latest_weekly", "r21_0_1", "w_2077_44", "w_2077_43", "w_2077_42",
                                        "d_2077_10_23"});

    // A listing that fails on its last page writes nothing.
    const std::string before = dump(synced);
    gar.broken_page = 3;
    const auto failed = run_isolated({"GOOGLE_OAUTH_ACCESS_TOKEN=" + good_token},
                                     {"--db", synced, "sync", "--gar", repository_path, "--image", "sciplat-lab", "--gar-api", gar.url()});
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("pageToken=page~3: HTTP 403 (PERMISSION_DENIED: Permission denied on page)"));
    CHECK_THAT(failed.err, Catch::Contains("nothing was written"));
    CHECK_THAT(failed.err, !Catch::Contains(good_token));
    CHECK(dump(synced) == before);
    // Nor is a new catalog created.
    const auto fresh = run_isolated({"GOOGLE_OAUTH_ACCESS_TOKEN=" + good_token, "RSPCAT_GAR_API=" + gar.url()},
                                    {"--db", dir.file("new.db"), "sync", "--gar", repository_path, "--image", "sciplat-lab"});
    CHECK(fresh.exit_code == 1);
    CHECK_FALSE(std::filesystem::exists(dir.file("new.db")));
}

TEST_CASE("rspcat sync --gar: tokens from the environment, gcloud and the metadata server", "[gar][sync]") {
    FakeGar gar;
    gar.overload = false;
    FakeHttpServer metadata([](const FakeRequest& request) -> FakeReply {
        if (request.path != "/computeMetadata/v1/instance/service-accounts/default/token" ||
            request.header("metadata-flavor") != "Google") {
            return {404, {}, ""};
        }
        return {200, {{"Content-Type", "application/json"}},
                json{{"access_token", good_token}, {"expires_in", 3599}, {"token_type", "Bearer"}}.dump()};
    });
    TempDir dir;
    std::filesystem::create_directories(dir.file("bin"));
    write_executable(dir.file("bin/gcloud"), "#!/bin/sh\n[ \"$*\" = 'auth print-access-token' ] || exit 7\necho " + good_token + "\n");
    const std::vector<std::string> sync = {"sync", "--gar", repository_path, "--image", "sciplat-lab", "--gar-api", gar.url(), "-q"};
    auto sync_into = [&](const std::string& db) {
        std::vector<std::string> args = {"--db", dir.file(db)};
        args.insert(args.end(), sync.begin(), sync.end());
        return args;
    };
    const auto from_env = run_isolated({"GOOGLE_OAUTH_ACCESS_TOKEN=" + good_token}, sync_into("env.db"));
    CHECK(from_env.exit_code == 0);
    CHECK(from_env.err.empty());
    const auto from_gcloud = run_isolated({"PATH=" + dir.file("bin")}, sync_into("gcloud.db"));
    CHECK(from_gcloud.exit_code == 0);
    CHECK(from_gcloud.err.empty());
    const std::string host = metadata.url().substr(std::string("http://").size());
    const auto from_metadata = run_isolated({"GCE_METADATA_HOST=" + host}, sync_into("metadata.db"));
    CHECK(from_metadata.exit_code == 0);
    CHECK(from_metadata.err.empty());
    CHECK(metadata.requests().size() == 1);
    // Nowhere to get one: the metadata server of GCE_METADATA_HOST (here, nothing) is the last.
    const auto none = run_isolated({}, sync_into("none.db"));
    CHECK(none.exit_code == 1);
    CHECK_THAT(none.err, Catch::Contains("no access token: the metadata server did not answer GET http://127.0.0.1:9/"));
}

TEST_CASE("resolve_gar_token: the order of the sources and what each says when it fails", "[gar]") {
    TempDir dir;
    write_text(dir.file("token"), "ya29.from-file\r\n");
    write_text(dir.file("blank"), "\n");
    std::filesystem::create_directories(dir.file("bin"));
    std::filesystem::create_directories(dir.file("empty"));
    write_executable(dir.file("bin/gcloud"), "#!/bin/sh\n[ \"$*\" = 'auth print-access-token' ] || exit 7\necho ya29.from-gcloud\n");
    FakeHttpServer metadata([](const FakeRequest& request) -> FakeReply {
        if (request.header("metadata-flavor") != "Google") return {403, {}, ""};
        return {200, {}, R"({"access_token": "ya29.from-metadata", "expires_in": 3599})"};
    });
    GarTokenLookup lookup;
    lookup.token_file = dir.file("token");
    lookup.environment_token = "ya29.from-env";
    lookup.path = dir.file("bin");
    lookup.metadata_host = metadata.url().substr(std::string("http://").size());
    std::string source;
    CHECK(resolve_gar_token(lookup, &source) == "ya29.from-file");
    CHECK(source == "--token-file " + dir.file("token"));
    lookup.token_file.reset();
    CHECK(resolve_gar_token(lookup, &source) == "ya29.from-env");
    CHECK(source == "GOOGLE_OAUTH_ACCESS_TOKEN");
    lookup.environment_token.reset();
    CHECK(resolve_gar_token(lookup, &source) == "ya29.from-gcloud");
    CHECK(source == "gcloud auth print-access-token");
    lookup.path = dir.file("empty");
    CHECK(resolve_gar_token(lookup, &source) == "ya29.from-metadata");
    CHECK(metadata.requests().at(0).path == "/computeMetadata/v1/instance/service-accounts/default/token");

    // Failures name the source, never a token.
    GarTokenLookup failing;
    failing.token_file = dir.file("absent");
    CHECK_THAT(error_of([&] { resolve_gar_token(failing); }), Catch::Contains("--token-file " + dir.file("absent") + ": cannot read it"));
    failing.token_file = dir.file("blank");
    CHECK_THAT(error_of([&] { resolve_gar_token(failing); }), Catch::Contains("its first line is not an access token"));
    failing.token_file.reset();
    failing.environment_token = "has blank";
    CHECK_THAT(error_of([&] { resolve_gar_token(failing); }), Catch::Contains("GOOGLE_OAUTH_ACCESS_TOKEN is not an access token"));
    failing.environment_token.reset();
    write_executable(dir.file("bin/gcloud"), "#!/bin/sh\necho ya29.leaked-secret >&2\necho ya29.leaked-secret\nexit 1\n");
    failing.path = dir.file("bin");
    std::string message = error_of([&] { resolve_gar_token(failing); });
    CHECK_THAT(message, Catch::Contains("gcloud auth print-access-token (" + dir.file("bin/gcloud") + ") exited with status 1"));
    CHECK_THAT(message, !Catch::Contains("leaked"));
    write_executable(dir.file("bin/gcloud"), "#!/bin/sh\nsleep 5\n");
    failing.gcloud_timeout = std::chrono::milliseconds(200);
    CHECK_THAT(error_of([&] { resolve_gar_token(failing); }), Catch::Contains("no answer within 200 ms"));
    failing.path = dir.file("empty");
    FakeHttpServer refusing([](const FakeRequest&) -> FakeReply { return {404, {}, "not here"}; });
    failing.metadata_host = refusing.url().substr(std::string("http://").size());
    CHECK_THAT(error_of([&] { resolve_gar_token(failing); }),
               Catch::Contains("no access token: GET " + refusing.url() + "/computeMetadata/v1/instance/service-accounts/default/token: HTTP 404"));
}

TEST_CASE("delete_gar_image: DELETE of the version, the package's / as %2F, force=true, the bearer token", "[gar]") {
    FakeGar gar;
    const GarOptions options = options_for(gar, "team/sciplat-lab");
    delete_gar_image(options, digest_of('a'));
    REQUIRE(gar.requests().size() == 1);
    const FakeRequest request = gar.requests().at(0);
    CHECK(request.method == "DELETE");
    CHECK(request.target == "/v1/projects/rubin/locations/us-central1/repositories/sciplat/packages/team%2Fsciplat-lab/versions/" +
                                digest_of('a') + "?force=true");
    CHECK(request.header("authorization") == "Bearer " + good_token);

    const std::string versions = gar.url() + "/v1/" + repository_path + "/packages/team%2Fsciplat-lab/versions/";
    std::string message = error_of([&] { delete_gar_image(options, digest_of('f')); });
    CHECK_THAT(message, Catch::StartsWith("DELETE " + versions + digest_of('f') + "?force=true: HTTP 403"));
    CHECK_THAT(message, Catch::Contains("artifactregistry.versions.delete denied"));
    message = error_of([&] { delete_gar_image(options, digest_of('e')); });
    CHECK_THAT(message, Catch::Contains("HTTP 200 but the operation failed: version is in use"));
    message = error_of([&] { delete_gar_image(options, digest_of('0')); });
    CHECK_THAT(message, Catch::Contains("neither a finished nor a named operation"));
    CHECK_THAT(error_of([&] { delete_gar_image(options, "sha256:abc"); }), Catch::Contains("is not a sha256 digest"));
    GarOptions wrong = options;
    wrong.token = "ya29.not-it";
    message = error_of([&] { delete_gar_image(wrong, digest_of('a')); });
    CHECK_THAT(message, Catch::Contains("HTTP 401"));
    CHECK_THAT(message, !Catch::Contains("not-it"));
}

TEST_CASE("rspcat sync --gar: usage errors before any request", "[gar][sync]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    struct Case {
        std::vector<std::string> args;
        std::string message;
    };
    for (const Case& c : std::vector<Case>{
             {{"sync", "--gar", repository_path}, "--gar needs --image NAME"},
             {{"sync", "--image", "sciplat-lab"}, "--image requires --gar"},
             {{"sync", "--gar", repository_path, "--image", "lab", "--url", "http://127.0.0.1:9"}, "--url excludes --gar"},
             {{"sync", "--gar", repository_path, "--image", "lab", "--repository", "lab"}, "--repository excludes --gar"},
             {{"sync", "--gar", repository_path, "--image", "lab", "--concurrency", "2"}, "--concurrency excludes --gar"},
             {{"sync", "--gar", "projects/rubin/repositories/sciplat", "--image", "lab"},
              "--gar 'projects/rubin/repositories/sciplat' is not projects/PROJECT/locations/LOCATION/repositories/REPOSITORY"},
             {{"sync", "--gar", repository_path, "--image", "Sciplat-Lab"}, "--image 'Sciplat-Lab' is not an image name"},
             {{"sync", "--gar", repository_path, "--image", "lab", "--gar-api", "127.0.0.1:9"}, "--gar-api '127.0.0.1:9' is not http://HOST[:PORT]"},
             {{"--read-only", "sync", "--gar", repository_path, "--image", "lab"}, "read-only"},
         }) {
        CAPTURE(c.args);
        std::vector<std::string> args = {"--db", db};
        args.insert(args.end(), c.args.begin(), c.args.end());
        const auto result = run_isolated({"GOOGLE_OAUTH_ACCESS_TOKEN=" + good_token}, args);
        CHECK(result.exit_code == 2);
        CHECK_THAT(result.err, Catch::Contains(c.message));
    }
    CHECK_FALSE(std::filesystem::exists(db));
}

TEST_CASE("rspcat sync --gar: nublado's gar.json fixture served in pages ingests as the file does", "[gar][sync]") {
    const std::string fixture = std::string(RSPCAT_VECTORS_DIR) + "/nublado/registry/gar.json";
    const json images = json::parse(slurp(fixture));
    const std::string repository = "projects/rubin-shared-services-71ec/locations/us-central1/repositories/sciplat";
    FakeGar gar(images.get<std::vector<json>>(), repository);
    TempDir dir;
    const auto synced = run_isolated({"GOOGLE_OAUTH_ACCESS_TOKEN=" + good_token},
                                     {"--db", dir.file("synced.db"), "sync", "--gar", repository, "--image", "sciplat-lab",
                                      "--gar-api", gar.url(), "--alias", "recommended"});
    INFO(synced.err);
    REQUIRE(synced.exit_code == 0);
    const auto ingested = run_rspcat({"--db", dir.file("ingested.db"), "ingest", "--format", "gar", "--registry",
                                      "us-central1-docker.pkg.dev", "--repository", "rubin-shared-services-71ec/sciplat/sciplat-lab",
                                      "--alias", "recommended", fixture});
    REQUIRE(ingested.exit_code == 0);
    const std::string query = "select registry, repository, tag, digest, size, position from current_images order by position";
    const auto rows = run_command(SQLITE3_SHELL, {dir.file("synced.db"), query}).out;
    CHECK(rows == run_command(SQLITE3_SHELL, {dir.file("ingested.db"), query}).out);
    CHECK(std::count(rows.begin(), rows.end(), '\n') == 7);  // the fixture's seven tags of sciplat-lab
    CHECK(run_rspcat({"--db", dir.file("synced.db"), "images", "--format", "json"}).out ==
          run_rspcat({"--db", dir.file("ingested.db"), "images", "--format", "json"}).out);
}

TEST_CASE("prune --apply and delete on an Artifact Registry image: versions deleted, journalled, synced", "[gar][prune]") {
    FakeGar gar({docker_image("team/sciplat-lab", '1', {"w_2077_40"}, 100),
                 docker_image("team/sciplat-lab", '2', {"w_2077_41", "recommended"}, 200),
                 docker_image("team/sciplat-lab", '3', {"w_2077_42"}, 300),
                 docker_image("team/sciplat-lab", '4', {"w_2077_43"}, 400)});
    gar.overload = false;
    TempDir dir;
    write_text(dir.file("token"), good_token + "\n");
    write_text(dir.file("policy.yaml"), "weekly:\n  number: 1\n");
    const std::string db = dir.file("c.db");
    const std::vector<std::string> connection = {"--gar-api", gar.url(), "--token-file", dir.file("token")};
    auto rspcat = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"--db", db});
        args.insert(args.end(), connection.begin(), connection.end());
        return run_isolated({}, args);
    };
    const auto synced = rspcat({"sync", "--gar", repository_path, "--image", "team/sciplat-lab", "--alias", "recommended"});
    INFO(synced.err);
    REQUIRE(synced.exit_code == 0);

    const auto applied = rspcat({"prune", "--policy", dir.file("policy.yaml"), "--apply", "--yes"});
    INFO(applied.err);
    REQUIRE(applied.exit_code == 0);
    const std::string versions = "/v1/" + repository_path + "/packages/team%2Fsciplat-lab/versions/";
    std::vector<std::string> deletes;
    for (const auto& request : gar.requests()) {
        if (request.method == "DELETE") deletes.push_back(request.target);
    }
    // The newest first, as the plan lists them; w_2077_41 stays for recommended.
    CHECK(deletes == std::vector<std::string>{versions + digest_of('3') + "?force=true", versions + digest_of('1') + "?force=true"});
    const auto listed = run_rspcat({"--db", db, "deletions", "--format", "json"});
    REQUIRE(listed.exit_code == 0);
    const json journal = json::parse(listed.out);
    REQUIRE(journal.size() == 2);
    CHECK(journal[0].at("registry") == "us-central1-docker.pkg.dev");
    CHECK(journal[0].at("repository") == "rubin/sciplat/team/sciplat-lab");
    const auto images = run_rspcat({"--db", db, "images", "--format", "json"});
    std::set<std::string> tags;
    for (const auto& image : json::parse(images.out)) tags.insert(image.at("tag").get<std::string>());
    CHECK(tags == std::set<std::string>{"recommended", "w_2077_41", "w_2077_43"});

    const auto one = rspcat({"delete", "w_2077_43", "--yes"});
    INFO(one.err);
    CHECK(one.exit_code == 0);
    CHECK(gar.requests().back().method == "GET");  // the sync after it
    bool deleted = false;
    for (const auto& request : gar.requests()) deleted = deleted || request.target == versions + digest_of('4') + "?force=true";
    CHECK(deleted);
    // Docker options are refused for it, before any request.
    const std::size_t requests = gar.requests().size();
    CHECK(rspcat({"delete", "w_2077_41", "recommended", "--yes", "--url", "https://example.org"}).exit_code == 2);
    CHECK(rspcat({"prune", "--policy", dir.file("policy.yaml"), "--apply", "--yes", "--format", "json"}).exit_code == 2);
    CHECK(gar.requests().size() == requests);
    const auto newest = run_rspcat({"--db", db, "deletions", "--limit", "1", "--format", "json"});
    CHECK(json::parse(newest.out)[0].at("command") == "delete");
}
