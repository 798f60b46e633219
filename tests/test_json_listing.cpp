// The JSON listing readers: GAR DockerImage objects, gcloud output, tag → digest objects.
#include <catch2/catch.hpp>
#include <sstream>

#include "rspcat/json_listing.hpp"
#include "test_support.hpp"

using namespace rspcat;
using namespace rspcat::test;

namespace {

const std::string d1 = "sha256:" + std::string(64, '1');
const std::string d2 = "sha256:" + std::string(64, '2');

std::vector<ListingRow> read_all(const std::string& text, JsonListingFormat format,
                                 ListingScope scope = {"example.org", "lab/image"}, std::size_t* skipped = nullptr) {
    std::istringstream in(text);
    JsonListingReader reader(in, "listing.json", format, std::move(scope));
    std::vector<ListingRow> rows;
    while (auto row = reader.next_row()) rows.push_back(*row);
    if (skipped) *skipped = reader.skipped_entries();
    return rows;
}

std::vector<std::string> tags_of(const std::vector<ListingRow>& rows) {
    std::vector<std::string> tags;
    for (const auto& row : rows) tags.push_back(row.tag);
    return tags;
}

}  // namespace

TEST_CASE("format names", "[listing]") {
    CHECK(json_listing_format_from_name("gar") == JsonListingFormat::gar);
    CHECK(json_listing_format_from_name("gcloud") == JsonListingFormat::gcloud);
    CHECK(json_listing_format_from_name("docker-json") == JsonListingFormat::docker);
    CHECK_FALSE(json_listing_format_from_name("tsv"));
    CHECK_FALSE(json_listing_format_from_name("docker"));
}

TEST_CASE("nublado's GAR fixture: one row per tag, other images skipped", "[listing]") {
    std::istringstream in(read_file(vectors_path("nublado/registry/gar.json")));
    JsonListingReader reader(in, "gar.json", JsonListingFormat::gar,
                             {"us-central1-docker.pkg.dev", "rubin-shared-services-71ec/sciplat/sciplat-lab"});
    std::vector<ListingRow> rows;
    while (auto row = reader.next_row()) rows.push_back(*row);
    CHECK(tags_of(rows) == std::vector<std::string>{"w_2077_44-amd64", "w_2077_43", "recommended", "latest_weekly",
                                                    "w_2077_42", "w_2077_41", "exp_w_2077_41_testing"});
    CHECK(reader.skipped_entries() == 1);
    CHECK(rows[2].digest == "sha256:49d63632237c3c0ca10c2c8de1e4310acadea2cdf2f9eaed0e2d2c0c27736c0b");
    CHECK(rows[2].size == 123456);
    CHECK(rows[2].line == 2);  // the entry's number
}

TEST_CASE("GAR: both field spellings, sizes as numbers or strings, untagged images", "[listing]") {
    const std::string text = R"([
      {"uri": "example.org/lab/image@)" + d1 + R"(", "tags": ["b", "a"], "imageSizeBytes": "1234",
       "uploadTime": "2024-01-01T00:00:00.123456Z"},
      {"uri": "example.org/lab/image@)" + d2 + R"(", "tags": [], "image_size_bytes": 5},
      {"uri": "example.org/lab/image@)" + d2 + R"("},
      {"uri": "example.org/lab/other@)" + d2 + R"(", "tags": ["c"]},
      {"uri": "other.org/lab/image@)" + d2 + R"(", "tags": ["d"]},
      {"uri": "example.org/lab/image@)" + d2 + R"(", "tags": ["e"], "image_size_bytes": 5}
    ])";
    std::size_t skipped = 0;
    const auto rows = read_all(text, JsonListingFormat::gar, {"example.org", "lab/image"}, &skipped);
    CHECK(tags_of(rows) == std::vector<std::string>{"b", "a", "e"});
    CHECK(rows[0].size == 1234);
    CHECK(rows[2].size == 5);
    CHECK(rows[2].digest == d2);
    CHECK(skipped == 2);
    CHECK(read_all("[]", JsonListingFormat::gar).empty());
}

TEST_CASE("gcloud: tags as a string or a list, size from metadata, other packages skipped", "[listing]") {
    const std::string text = R"([
      {"package": "example.org/lab/image", "version": ")" + d1 + R"(", "tags": "w_2021_22, recommended,latest",
       "createTime": "2024-01-01T00:00:00Z", "updateTime": "2024-01-02T00:00:00Z",
       "metadata": {"imageSizeBytes": "99", "mediaType": "application/vnd.oci.image.index.v1+json"}},
      {"package": "example.org/lab/image", "version": ")" + d2 + R"(", "tags": ["r22_0_1"]},
      {"package": "example.org/lab/image", "version": ")" + d2 + R"(", "tags": ""},
      {"package": "example.org/lab/other", "version": ")" + d2 + R"(", "tags": "x"}
    ])";
    std::size_t skipped = 0;
    const auto rows = read_all(text, JsonListingFormat::gcloud, {"example.org", "lab/image"}, &skipped);
    CHECK(tags_of(rows) == std::vector<std::string>{"w_2021_22", "recommended", "latest", "r22_0_1"});
    CHECK(rows[0].size == 99);
    CHECK_FALSE(rows[3].size);
    CHECK(rows[3].digest == d2);
    CHECK(skipped == 1);
}

TEST_CASE("docker-json keeps the document's order", "[listing]") {
    const auto rows = read_all(R"({"w_2077_44-amd64": ")" + d2 + R"(", "recommended": ")" + d1 +
                                   R"(", "d_2077_10_23": ")" + d2 + R"("})",
                               JsonListingFormat::docker);
    CHECK(tags_of(rows) == std::vector<std::string>{"w_2077_44-amd64", "recommended", "d_2077_10_23"});
    CHECK(rows[1].digest == d1);
    CHECK_FALSE(rows[1].size);
    CHECK(read_all("{}", JsonListingFormat::docker).empty());
}

TEST_CASE("bad JSON listings name the file, the JSON path and what is wrong", "[listing]") {
    const std::string image = "example.org/lab/image";
    struct Case {
        JsonListingFormat format;
        std::string text;
        std::string message;
    };
    const auto gar = JsonListingFormat::gar;
    const auto gcloud = JsonListingFormat::gcloud;
    const auto docker = JsonListingFormat::docker;
    for (const Case& c : std::vector<Case>{
             {gar, "[{\"uri\": }]", "listing.json: not valid JSON: parse error at line 1, column 10"},
             {gar, "", "listing.json: not valid JSON"},
             {gar, "{}", "listing.json: expected a JSON array of images"},
             {gar, "7", "listing.json: expected a JSON array of images"},
             {gar, "[7]", "listing.json: /0: expected an object, found number"},
             {gar, "[{}, []]", "listing.json: /0: no \"uri\""},
             {gar, "[{\"uri\": 3}]", "listing.json: /0/uri: expected a string, found number"},
             {gar, "[{\"uri\": \"image@" + d1 + "\"}]", "listing.json: /0/uri: 'image@sha256:111"},
             {gar, "[{\"uri\": \"" + image + "\"}]", "/0/uri: 'example.org/lab/image' is not REGISTRY/REPOSITORY@DIGEST"},
             {gar, "[{\"uri\": \"" + image + "@sha256:12\", \"tags\": [\"a\"]}]",
              "listing.json: /0/uri: digest 'sha256:12' is not sha256: followed by 64 lower-case hex digits"},
             {gar, "[{\"uri\": \"" + image + "@" + d1 + "\", \"tags\": \"a\"}]",
              "listing.json: /0/tags: expected an array of tags, found string"},
             {gar, "[{\"uri\": \"" + image + "@" + d1 + "\", \"tags\": [\"a\", \"b c\"]}]",
              "listing.json: /0/tags/1: tag 'b c' is not a Docker tag"},
             {gar, "[{\"uri\": \"" + image + "@" + d1 + "\", \"tags\": [\"a\", 1]}]",
              "listing.json: /0/tags/1: expected a tag string, found number"},
             {gar, "[{\"uri\": \"" + image + "@" + d1 + "\", \"tags\": [\"a\"], \"image_size_bytes\": -1}]",
              "listing.json: /0/image_size_bytes: -1 is not a whole number of bytes"},
             {gar, "[{\"uri\": \"" + image + "@" + d1 + "\", \"tags\": [\"a\"], \"imageSizeBytes\": \"12kB\"}]",
              "listing.json: /0/imageSizeBytes: \"12kB\" is not a whole number of bytes"},
             {gar, "[{\"uri\": \"" + image + "@" + d1 + "\", \"tags\": [\"a\"]}, {\"uri\": \"" + image + "@" + d2 +
                       "\", \"tags\": [\"b\", \"a\"]}]",
              "listing.json: /1/tags/1: tag 'a' is listed twice (first at /0/tags/0)"},
             {gcloud, "[{\"version\": \"" + d1 + "\"}]", "listing.json: /0: no \"package\""},
             {gcloud, "[{\"package\": \"" + image + "\"}]", "listing.json: /0: no \"version\""},
             {gcloud, "[{\"package\": \"nohost\", \"version\": \"" + d1 + "\"}]",
              "listing.json: /0/package: 'nohost' is not REGISTRY/REPOSITORY"},
             {gcloud, "[{\"package\": \"" + image + "\", \"version\": \"" + d1 + "\", \"tags\": \"a,,b\"}]",
              "listing.json: /0/tags: tag '' is not a Docker tag"},
             {gcloud, "[{\"package\": \"" + image + "\", \"version\": \"" + d1 + "\", \"tags\": {}}]",
              "listing.json: /0/tags: expected a list of tags, found object"},
             {gcloud, "[{\"package\": \"" + image + "\", \"version\": \"md5:1\", \"tags\": [\"a\"]}]",
              "listing.json: /0/version: digest 'md5:1'"},
             {docker, "[]", "listing.json: expected a JSON object of tag: digest"},
             {docker, "{\"a\": 1}", "listing.json: /a: expected a digest string, found number"},
             {docker, "{\"a\": {\"b\": 1}}", "listing.json: /a: expected a digest string, found object"},
             {docker, "{\"a/~\": \"" + d1 + "\"}", "listing.json: /a~1~0: tag 'a/~' is not a Docker tag"},
             {docker, "{\"a\": \"sha256:5678\"}",
              "listing.json: /a: digest 'sha256:5678' is not sha256: followed by 64 lower-case hex digits"},
             {docker, "{\"a\": \"" + d1 + "\", \"a\": \"" + d2 + "\"}",
              "listing.json: /a: tag 'a' is listed twice (first at member 1)"},
         }) {
        CAPTURE(c.text);
        try {
            read_all(c.text, c.format);
            FAIL("no error");
        } catch (const InputError& e) {
            CHECK_THAT(e.what(), Catch::Contains(c.message));
        }
    }
}

TEST_CASE("deeply nested JSON is refused without exhausting the stack", "[listing]") {
    const std::string deep = "[{\"uri\": " + std::string(100000, '[') + std::string(100000, ']') + "}]";
    CHECK_THROWS_AS(read_all(deep, JsonListingFormat::gar), InputError);
}

TEST_CASE("JSON listings nested deeper than 64 levels are refused, naming the limit", "[listing]") {
    auto nested = [](std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); };
    const std::string entry = R"({"uri": "example.org/lab/image@)" + d1 + R"(", "tags": ["a"])";
    auto refused = [](const std::string& text, JsonListingFormat format) {
        try {
            read_all(text, format);
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string("(no error)");
    };
    // imageSizeBytes crashed rspcat: its error message dumped the value.
    CHECK_THAT(refused("[" + entry + ", \"imageSizeBytes\": " + nested(100000) + "}]", JsonListingFormat::gar),
               Catch::StartsWith("listing.json: ") && Catch::Contains("nested deeper than 64 levels"));
    CHECK_THAT(refused("[{\"uri\": " + nested(100000) + "}]", JsonListingFormat::gar),
               Catch::StartsWith("listing.json: ") && Catch::Contains("nested deeper than 64 levels"));
    CHECK_THAT(refused("{\"a\": " + nested(100000) + "}", JsonListingFormat::docker),
               Catch::Contains("nested deeper than 64 levels"));
    CHECK_THAT(refused("[{\"package\": " + nested(100000) + "}]", JsonListingFormat::gcloud),
               Catch::Contains("nested deeper than 64 levels"));
    // An entry is 2 levels (the array, the object): 62 more make 64, which is read.
    CHECK(read_all("[" + entry + ", \"x\": " + nested(62) + "}]", JsonListingFormat::gar).size() == 1);
    CHECK_THAT(refused("[" + entry + ", \"x\": " + nested(63) + "}]", JsonListingFormat::gar),
               Catch::Contains("nested deeper than 64 levels"));
}

TEST_CASE("a JSON listing's error message shows a bounded excerpt of a bad value", "[listing]") {
    const std::string text = R"([{"uri": "example.org/lab/image@)" + d1 + R"(", "tags": ["a"], "imageSizeBytes": ")" +
                             std::string(1 << 20, '7') + "x\"}]";
    try {
        read_all(text, JsonListingFormat::gar);
        FAIL("no error");
    } catch (const InputError& e) {
        CHECK_THAT(e.what(), Catch::StartsWith("listing.json: /0/imageSizeBytes: \"777") &&
                                 Catch::EndsWith(" is not a whole number of bytes"));
        CHECK(std::string(e.what()).size() < 200);
    }
}
