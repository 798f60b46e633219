#include "inputs.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "rspcat/listing.hpp"

namespace rspcat::bench {

namespace {

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
        if (tab == std::string::npos) return fields;
        start = tab + 1;
    }
}

// splitmix64: a fixed, portable sequence, so inputs are the same on every machine.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

std::uint64_t hash_text(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

std::string made_up_digest(std::uint64_t seed) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string digest = "sha256:";
    for (int word = 0; word < 4; ++word) {
        seed = mix(seed);
        for (int nibble = 0; nibble < 16; ++nibble) digest.push_back(hex[(seed >> (4 * nibble)) & 0xF]);
    }
    return digest;
}

// `_b{k}` before the architecture part, if there is one (a '-' followed by [a-z0-9]+ at the end).
std::string vary(const std::string& tag, std::size_t round) {
    const std::string suffix = "_b" + std::to_string(round);
    const std::size_t dash = tag.rfind('-');
    bool arch = dash != std::string::npos && dash + 1 < tag.size();
    for (std::size_t i = dash + 1; arch && i < tag.size(); ++i) {
        const char c = tag[i];
        arch = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z');
    }
    if (!arch) return tag + suffix;
    return tag.substr(0, dash) + suffix + tag.substr(dash);
}

// The real tags, each once: the history's (digest and size as last listed) then the vector
// tags that are Docker tags and short enough to vary.
const std::vector<Row>& real_rows() {
    static const std::vector<Row> rows = [] {
        std::vector<Row> out;
        std::unordered_map<std::string, std::size_t> index;
        const auto lines = read_lines(data_dir() + "/sciplat-lab-history.tsv");
        for (std::size_t i = 1; i < lines.size(); ++i) {
            const auto f = split_tabs(lines[i]);
            const std::int64_t size = f.size() > 3 && !f[3].empty() ? std::stoll(f[3]) : 0;
            const auto [it, added] = index.try_emplace(f[1], out.size());
            if (added) {
                out.push_back({f[1], f[2], size});
            } else {
                out[it->second].digest = f[2];
                out[it->second].size = size;
            }
        }
        for (const auto& tag : vector_tags()) {
            if (!is_docker_tag(tag) || tag.size() > 100 || index.count(tag)) continue;
            index.emplace(tag, out.size());
            const std::uint64_t seed = hash_text(tag);
            out.push_back({tag, made_up_digest(seed), static_cast<std::int64_t>(mix(seed) % 20'000'000'000ULL)});
        }
        return out;
    }();
    return rows;
}

}  // namespace

std::string data_dir() { return RSPCAT_DATA_DIR; }

std::string vectors_dir() { return RSPCAT_VECTORS_DIR; }

std::vector<std::string> vector_tags() {
    std::vector<std::string> tags;
    for (const auto& line : read_lines(vectors_dir() + "/tags.jsonl")) {
        tags.push_back(nlohmann::json::parse(line).at("tag").get<std::string>());
    }
    return tags;
}

std::vector<std::string> history_tags() {
    std::vector<std::string> tags;
    std::unordered_set<std::string> seen;
    const auto lines = read_lines(data_dir() + "/sciplat-lab-history.tsv");
    for (std::size_t i = 1; i < lines.size(); ++i) {
        std::string tag = split_tabs(lines[i]).at(1);
        if (seen.insert(tag).second) tags.push_back(std::move(tag));
    }
    return tags;
}

std::vector<Row> listing(std::size_t count) {
    const std::vector<Row>& real = real_rows();
    std::vector<Row> rows;
    rows.reserve(count);
    std::unordered_set<std::string> seen;
    seen.reserve(count * 2);
    for (std::size_t round = 0; rows.size() < count; ++round) {
        for (const Row& r : real) {
            if (rows.size() == count) break;
            Row row = round == 0 ? r
                                 : Row{vary(r.tag, round), made_up_digest(hash_text(r.digest) ^ mix(round)), r.size};
            // A variant that happens to equal a tag already listed is skipped: tags are unique.
            if (seen.insert(row.tag).second) rows.push_back(std::move(row));
        }
    }
    return rows;
}

void write_listing(const std::vector<Row>& rows, const std::string& path) {
    std::ofstream out(path, std::ios::binary);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << "tag\tdigest\tsize\n";
    for (const Row& r : rows) out << r.tag << '\t' << r.digest << '\t' << r.size << '\n';
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

}  // namespace rspcat::bench
