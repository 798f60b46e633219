// Writes the fuzz targets' seed corpora from the test vectors and the sample data, at run time
// into the build directory (no seed is committed):
//
//   fuzz_seeds DATA_DIR VECTORS_DIR OUT_DIR    → OUT_DIR/<target>/seed-N
//
// DATA_DIR is the source tree's data/, VECTORS_DIR its tests/vectors/.
//
// Targets that read several strings from one input get them in FuzzedDataProvider's escaped
// form (fuzz/fuzz_support.hpp); choices it reads from the end of the input come last.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// One string in FuzzedDataProvider's escaped form: `\\` for a backslash, `\` + another byte ends it.
std::string escaped(const std::string& text) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '\\') out += '\\';
    }
    return out + "\\|";
}

class Corpus {
   public:
    Corpus(const fs::path& dir) : dir_(dir) { fs::create_directories(dir_); }
    void add(const std::string& input) {
        if (!seen_.insert(input).second) return;
        std::ofstream(dir_ / ("seed-" + std::to_string(seen_.size())), std::ios::binary) << input;
    }
    std::size_t size() const { return seen_.size(); }

   private:
    fs::path dir_;
    std::set<std::string> seen_;
};

std::string version_text(const json& v) {
    std::string text = std::to_string(v.at("major").get<long long>()) + "." +
                       std::to_string(v.at("minor").get<long long>()) + "." +
                       std::to_string(v.at("patch").get<long long>());
    if (!v.at("prerelease").is_null()) text += "-" + v.at("prerelease").get<std::string>();
    return text;
}

// A listing of one collections.jsonl batch as TSV.
std::string listing_of(const json& batch) {
    std::string text = "tag\tdigest\tsize\n";
    for (const auto& image : batch.at("images")) {
        text += image.at("tag").get<std::string>() + "\t" + image.at("digest").get<std::string>() + "\t";
        if (!image.at("size").is_null()) text += std::to_string(image.at("size").get<long long>());
        text += "\n";
    }
    return text;
}

// One input of fuzz_catalog_file: the strings at the front, the choices it reads from the end
// at the back, last byte first, each number's most significant byte first.
struct SchemaEdit {
    unsigned row;
    bool append;
    std::string text;
};

std::string catalog_file_input(const std::vector<SchemaEdit>& edits, std::optional<std::int32_t> user_version,
                               const std::vector<std::pair<std::uint32_t, std::string>>& overwrites) {
    std::string front, choices;  // choices in the order the target reads them
    auto choose = [&](std::uint32_t value, int bytes) {
        for (int i = bytes - 1; i >= 0; --i) choices.push_back(static_cast<char>(value >> (8 * i)));
    };
    choose(static_cast<std::uint32_t>(edits.size()), 1);
    for (const auto& edit : edits) {
        choose(edit.row, 1);
        choose(edit.append, 1);
        front += escaped(edit.text);
    }
    choose(user_version.has_value(), 1);
    // An int32 is read as its offset from INT32_MIN.
    if (user_version) choose(static_cast<std::uint32_t>(*user_version) ^ 0x80000000u, 4);
    choose(static_cast<std::uint32_t>(overwrites.size()), 1);
    for (const auto& [offset, bytes] : overwrites) {
        choose(offset, 4);
        front += escaped(bytes);
    }
    return front + std::string(choices.rbegin(), choices.rend());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::cerr << "usage: fuzz_seeds DATA_DIR VECTORS_DIR OUT_DIR\n";
        return 2;
    }
    const fs::path data = argv[1], vectors = argv[2], out = argv[3];
    Corpus tag(out / "fuzz_tag"), compare(out / "fuzz_compare"), semver(out / "fuzz_semver"),
        listing(out / "fuzz_listing"), catalog(out / "fuzz_catalog"), sql(out / "fuzz_sql"),
        duration(out / "fuzz_duration"), policy(out / "fuzz_policy"), json_listing(out / "fuzz_json_listing"),
        catalog_file(out / "fuzz_catalog_file");

    std::vector<std::string> tags, versions;
    for (const auto& line : lines_of(read_file(vectors / "tags.jsonl"))) {
        if (line.empty()) continue;
        const json vector = json::parse(line);
        tags.push_back(vector.at("tag"));
        if (!vector.at("parse").at("version").is_null()) versions.push_back(version_text(vector.at("parse").at("version")));
    }
    for (const auto& t : tags) tag.add(t);
    for (std::size_t i = 0; i + 1 < versions.size(); i += 2) semver.add(escaped(versions[i]) + escaped(versions[i + 1]));
    for (const char* v : {"1.0.0-rc.1+build.5", "1.0.0-alpha.beta", "1.0.0-0.3.7", "1.0.0-x.7.z.92", "10.2.3-rc10"}) {
        semver.add(escaped(v) + escaped("1.0.0-rc.2"));
    }

    const json order = json::parse(read_file(vectors / "order.json"));
    const auto& pairs = order.at("pairs");
    for (std::size_t i = 0; i + 1 < pairs.size(); ++i) {
        compare.add(escaped(pairs[i].at("a")) + escaped(pairs[i].at("b")) + escaped(pairs[i + 1].at("a")));
    }
    // fuzz_sql reads the function (last byte), then each argument's type (bytes before it, 4 =
    // text) and text (from the front).
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const std::string a = pairs[i].at("a"), b = pairs[i].at("b");
        sql.add(escaped(a) + escaped(b) + std::string{'\x04', '\x04', static_cast<char>(i % 17)});
    }

    for (const auto& line : lines_of(read_file(vectors / "collections.jsonl"))) {
        if (line.empty()) continue;
        const json scenario = json::parse(line);
        for (const auto& batch : scenario.at("batches")) {
            listing.add(listing_of(batch));
            catalog.add(listing_of(batch));
        }
    }
    // History files: their first snapshots, kept small so that each run stays fast.
    for (const char* file : {"sciplat-lab-history.tsv", "recommended-history.tsv"}) {
        const auto lines = lines_of(read_file(data / file));
        for (std::size_t n : {4, 40, 200}) {
            std::string text;
            for (std::size_t i = 0; i < std::min(n, lines.size()); ++i) text += lines[i] + "\n";
            listing.add(text);
            if (n < 200) catalog.add(text);  // each catalog run ingests and queries all of it
        }
    }
    // Durations as model.md §4 writes them, and every policy the sample data and vectors hold.
    for (const char* d : {"3600", "3w", "5w4d", "4h 3minutes", "2 weeks", " 1 day 2 hours ", "P3W", "P1DT12H",
                          "PT90M", "PT0S", "10secs", "1w2d3h4m5s", "P1Y", "-5", "3d 2w"}) {
        duration.add(d);
    }
    std::vector<std::string> policies;
    for (const auto& entry : fs::directory_iterator(data / "policies")) {
        policies.push_back(read_file(entry.path()));
        policy.add(policies.back());
    }
    for (const auto& line : lines_of(read_file(vectors / "collections.jsonl"))) {
        if (line.empty()) continue;
        const json scenario = json::parse(line);
        const auto& expect = scenario.at("expect");
        if (!expect.contains("filter")) continue;
        for (const auto& f : expect.at("filter")) {
            policy.add(f.at("policy").dump());
            // rsp_filter(policy, at) with the other five arguments NULL (type 0).
            sql.add(escaped(f.at("policy").dump()) + escaped("2030-01-01T00:00:00Z") +
                    std::string{'\0', '\0', '\0', '\0', '\0', '\x04', '\x04', '\x11'});
        }
    }
    for (const auto& text : policies) {
        if (!text.empty() && text.front() == '{') {
            sql.add(escaped(text) + escaped("2026-08-06T12:00:00Z") + std::string{'\0', '\0', '\0', '\0', '\0', '\x04', '\x04', '\x11'});
        }
    }
    // JSON listings: nublado's registry fixtures, each as every format (the first byte picks it).
    for (const auto& entry : fs::directory_iterator(vectors / "nublado/registry")) {
        const std::string text = read_file(entry.path());
        for (const char format : {'\0', '\1', '\2'}) json_listing.add(std::string(1, format) + text);
    }
    // Damaged catalog files: the undamaged catalog; user_version at the edges of the schema
    // versions and of int32; statements after a row's SQL (some of them writing other files:
    // `@SENTINEL@` is the target's sentinel catalog) on every row; bytes of the header and pages.
    catalog_file.add(catalog_file_input({}, std::nullopt, {}));
    for (const std::int32_t version : {-2147483647 - 1, -1000, -2, -1, 0, 1, 2, 3, 1000, 2147483647}) {
        catalog_file.add(catalog_file_input({}, version, {}));
    }
    for (unsigned row = 0; row < 40; ++row) {  // the catalog has 34 rows in sqlite_schema
        for (const char* tail : {"; ATTACH 'other.db' AS o; CREATE TABLE o.t(x)",
                                 "; ATTACH '@SENTINEL@' AS s; CREATE TABLE s.pwned(x)",
                                 "; DROP TABLE IF EXISTS main.listing", " garbage("}) {
            catalog_file.add(catalog_file_input({{row, true, tail}}, std::nullopt, {}));
        }
        // A tag_timeline that never ends (on whichever row holds that view): the work bound.
        catalog_file.add(catalog_file_input(
            {{row, false,
              "CREATE VIEW tag_timeline AS WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c) "
              "SELECT 1 AS repository_id, 'recommended' AS tag, 'sha256:' AS digest, NULL AS size, "
              "'2030-01-01T00:00:00Z' AS started_at, NULL AS ended_at FROM c"}},
            std::nullopt, {}));
    }
    for (const std::uint32_t offset : {0u, 16u, 18u, 28u, 40u, 56u, 60u, 64u, 68u, 100u, 4096u, 4096u * 3 + 8, 8192u + 100}) {
        for (const std::string& bytes : {std::string("\xff\xff\xff\xff"), std::string(4, '\0')}) {
            catalog_file.add(catalog_file_input({}, std::nullopt, {{offset, bytes}}));
        }
    }
    std::cout << "seeds: " << catalog_file.size() << " catalog file, " << json_listing.size() << " json listing, " << duration.size() << " duration, " << policy.size() << " policy, " << tag.size() << " tag, " << compare.size() << " compare, " << semver.size()
              << " semver, " << listing.size() << " listing, " << catalog.size() << " catalog, " << sql.size()
              << " sql\n";
    return 0;
}
