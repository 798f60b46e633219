// Paths and file helpers shared by the Catch2 tests. The build passes the locations in.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rspcat::test {

// A file of the sample data in data/.
inline std::string data_path(const std::string& relative) {
    return std::string(RSPCAT_DATA_DIR) + "/" + relative;
}

// A file of the test vectors in tests/vectors/.
inline std::string vectors_path(const std::string& relative) {
    return std::string(RSPCAT_VECTORS_DIR) + "/" + relative;
}

inline std::string source_path(const std::string& relative) {
    return std::string(RSPCAT_SOURCE_DIR) + "/" + relative;
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

}  // namespace rspcat::test
