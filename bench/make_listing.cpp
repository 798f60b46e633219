// Writes the benchmark listing of N rows (bench/inputs.hpp) as a TSV file for `rspcat ingest`
// and the sqlite3 shell's `.import`.
// Usage: rspcat_bench_listing N FILE
#include <cstdio>
#include <exception>
#include <string>

#include "inputs.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: rspcat_bench_listing N FILE\n");
        return 2;
    }
    try {
        rspcat::bench::write_listing(rspcat::bench::listing(std::stoul(argv[1])), argv[2]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rspcat_bench_listing: %s\n", e.what());
        return 1;
    }
    return 0;
}
