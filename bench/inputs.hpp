// Deterministic benchmark inputs, built from the sample data and the test vectors: the vector
// tags, the tags of the 62-snapshot registry history, and listings of any size made by varying
// those real tags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rspcat::bench {

// The sample data (data/) and the test vectors (tests/vectors/) of the source tree.
std::string data_dir();
std::string vectors_dir();

// Every `tag` of tests/vectors/tags.jsonl, in file order, as given (hostile ones included).
std::vector<std::string> vector_tags();

// Every tag of data/sciplat-lab-history.tsv once, in order of first appearance (1,768 tags in
// 13,298 rows: the 62 snapshots repeat most of them).
std::vector<std::string> history_tags();

struct Row {
    std::string tag;
    std::string digest;
    std::int64_t size = 0;
};

// A listing of `count` distinct Docker tags with digests and sizes. The first rows are the real
// tags (the history's, with the digest and size each last had, then the vector tags that are
// Docker tags, with made-up digests); after those, round k >= 1 repeats them with `_b{k}` added
// before the architecture part (`w_2021_22-amd64` becomes `w_2021_22_b3-amd64`, an extra) and
// digests derived from (digest, k), so tags that shared a digest still do. Rounds interleave
// the types the way the real data does; the same `count` always gives the same rows.
std::vector<Row> listing(std::size_t count);

// `tag<TAB>digest<TAB>size` lines with a `tag<TAB>digest<TAB>size` header.
void write_listing(const std::vector<Row>& rows, const std::string& path);

}  // namespace rspcat::bench
