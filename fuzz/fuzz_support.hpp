// What the fuzz targets share: a check that stops the run with a message (libFuzzer keeps the
// input that did it as a crash artifact), and reading several byte strings from one input.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace rspcat::fuzz {

// A property that does not hold is a finding, like a crash: abort so that libFuzzer saves it.
inline void check(bool holds, const char* property, std::string_view detail = {}) {
    if (holds) return;
    std::fprintf(stderr, "property violated: %s\n%.*s\n", property, static_cast<int>(detail.size()),
                 detail.data());
    std::abort();
}

inline int sign(int v) { return (v > 0) - (v < 0); }

// The next byte string of an input that holds several: FuzzedDataProvider's escaped form
// (`\\` is a backslash, `\` and any other byte ends the string), so every byte, NUL and
// newline included, can be part of one. fuzz/seeds.cpp writes seeds in this form.
inline std::string next_string(FuzzedDataProvider& input, std::size_t max = 4096) {
    return input.ConsumeRandomLengthString(max);
}

}  // namespace rspcat::fuzz
