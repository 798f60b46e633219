// `rspcat ingest --format gar|gcloud|docker-json`: nublado's GAR fixtures give the image lists
// that nublado's controller gives for them.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"
#include "test_support.hpp"

using nlohmann::json;
using namespace rspcat::test;

namespace {

json run_json(const std::vector<std::string>& args) {
    const auto result = run_rspcat(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return json::parse(result.out);
}

// The fields that nublado's image listings share with image JSON.
json nublado_view(const json& image) {
    if (image.is_null()) return nullptr;
    const std::string name_key = image.contains("display_name") ? "display_name" : "name";
    return {{"tag", image.at("tag")},
            {"name", image.at(name_key)},
            {"aliases", image.at("aliases")},
            {"digest", image.at("digest")},
            {"reference", image.at("reference")}};
}

json nublado_view_all(const json& images) {
    json out = json::array();
    for (const auto& image : images) out.push_back(nublado_view(image));
    return out;
}

struct GarScenario {
    std::string listing, expected, registry, repository;
    std::vector<std::string> aliases;
    std::string cycle;  // empty for none
};

void check_gar_scenario(const GarScenario& s) {
    CAPTURE(s.listing);
    TempDir dir;
    const std::string db = dir.file("c.db");
    std::vector<std::string> args = {"--db", db, "ingest", "--format", "gar", "--registry", s.registry,
                                     "--repository", s.repository};
    for (const auto& alias : s.aliases) args.insert(args.end(), {"--alias", alias});
    args.push_back(vectors_path("nublado/registry/" + s.listing));
    const auto ingest = run_rspcat(args);
    INFO(ingest.err);
    REQUIRE(ingest.exit_code == 0);

    std::vector<std::string> scope;
    if (!s.cycle.empty()) scope = {"--cycle", s.cycle};
    auto query = [&](std::vector<std::string> command) {
        command.insert(command.begin(), {"--db", db});
        command.insert(command.end(), scope.begin(), scope.end());
        command.insert(command.end(), {"--format", "json"});
        return run_json(command);
    };
    const json expected = json::parse(read_file(vectors_path("nublado/controller/images/" + s.expected)));
    CHECK(nublado_view_all(query({"images"})) == nublado_view_all(expected.at("all")));
    const std::string recommended = expected.at("recommended").at("tag");
    CHECK(nublado_view(query({"show", recommended})) == nublado_view(expected.at("recommended")));
    // nublado takes its latest_* from the images it prepulls, which leave architecture-specific
    // images out; model.md §3's latest() includes them. Without them the two agree.
    const json listed = query({"images"});
    for (const auto& [key, type] : {std::pair{"latest_weekly", "Weekly"}, std::pair{"latest_daily", "Daily"},
                                    std::pair{"latest_release", "Release"}}) {
        CAPTURE(key);
        json first = nullptr;
        for (const auto& image : listed) {
            if (image.at("image_type") == type) {
                first = image;
                break;
            }
        }
        CHECK(nublado_view(first) == nublado_view(expected.at(key)));
    }
}

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');

}  // namespace

TEST_CASE("nublado's GAR listings give nublado's image lists", "[listing]") {
    // The references in the expected lists name the registry and repository; the listings hold
    // other images too, which are skipped.
    check_gar_scenario({"gar.json", "gar-before.json", "us-central1-docker.pkg.dev",
                        "rubin-shared-services-71ec/sciplat/sciplat-lab", {"recommended"}, ""});
    // The one difference: w_2077_44-amd64 is newer than nublado's latest_weekly w_2077_43.
    TempDir dir;
    const std::string db = dir.file("c.db");
    REQUIRE(run_rspcat({"--db", db, "ingest", "--format", "gar", "--registry", "us-central1-docker.pkg.dev",
                        "--repository", "rubin-shared-services-71ec/sciplat/sciplat-lab",
                        vectors_path("nublado/registry/gar.json")})
                .exit_code == 0);
    CHECK(run_json({"--db", db, "latest", "weekly", "--format", "json"}).at("tag") == "w_2077_44-amd64");
    check_gar_scenario({"gar-cycle.json", "gar-cycle.json", "us-central1-docker.pkg.dev",
                        "lighthouse-71ec/library/sketchbook", {"recommended", "recommended_c0050"}, "50"});
}

TEST_CASE("gcloud and docker-json listings through rspcat ingest", "[listing]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("gcloud.json"), R"([{"package": "example.org/lab", "version": ")" + d1 +
                                            R"(", "tags": "w_2021_22,recommended", "metadata": {"imageSizeBytes": "10"}}])");
    write_text(dir.file("docker.json"), R"({"recommended": ")" + d2 + R"(", "w_2021_23": ")" + d2 + R"("})");
    auto ingest = [&](const std::string& format, const std::string& file, std::vector<std::string> extra = {}) {
        std::vector<std::string> args = {"--db", db, "ingest", "--format", format, "--registry", "example.org",
                                         "--repository", "lab", "--alias", "recommended", "--allow-future"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back(dir.file(file));
        return run_rspcat(args);
    };
    const auto first = ingest("gcloud", "gcloud.json", {"--at", "2030-01-01"});
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    CHECK(first.err.find("2 tags (2 new, 0 moved, 0 removed)") != std::string::npos);
    CHECK(run_json({"--db", db, "show", "recommended", "--format", "json"}).at("display_name") ==
          "Recommended (Weekly 2021_22)");

    const auto second = ingest("docker-json", "docker.json", {"--at", "2030-02-01"});
    INFO(second.err);
    REQUIRE(second.exit_code == 0);
    CHECK(second.err.find("2 tags (1 new, 1 moved, 1 removed)") != std::string::npos);
    CHECK(run_json({"--db", db, "show", "recommended", "--format", "json"}).at("display_name") ==
          "Recommended (Weekly 2021_23)");

    // A bad document writes nothing and says where it is wrong.
    write_text(dir.file("bad.json"), R"({"w_2021_24": ")" + d1 + R"(", "recommended": 5})");
    const auto dump_before = run_command(SQLITE3_SHELL, {db, ".dump"}).out;
    const auto bad = ingest("docker-json", "bad.json", {"--at", "2030-03-01"});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find(dir.file("bad.json") + ": /recommended: expected a digest string, found number") !=
          std::string::npos);
    CHECK(bad.err.find("nothing was written") != std::string::npos);
    CHECK(run_command(SQLITE3_SHELL, {db, ".dump"}).out == dump_before);

    // Entries of other images are skipped, and the operator is told (here all of them: an empty
    // listing, allowed).
    const auto other = run_rspcat({"--db", db, "ingest", "--format", "gcloud", "--registry", "example.org",
                                   "--repository", "elsewhere", "--at", "2030-03-01", "--allow-future",
                                   "--allow-empty", dir.file("gcloud.json")});
    CHECK(other.exit_code == 0);
    CHECK(other.err.find("skipped 1 entry of other images than example.org/elsewhere") != std::string::npos);
}
