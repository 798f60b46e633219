// Synthetic registry listings, large enough that ingesting one takes a while: every kind of
// tag (weeklies, dailies, releases, candidates, experimentals, unknown tags with cycles and
// architectures), several tags per digest, and `recommended` pointing at one of them.
#pragma once

#include <cstdio>
#include <string>

namespace rspcat::test {

// Tag number i: unique for each i, of kind i % 6.
inline std::string synthetic_tag(int i) {
    const int n = i / 6;
    char buffer[96];
    switch (i % 6) {
        case 0: std::snprintf(buffer, sizeof buffer, "w_%d_%02d", 2000 + n / 52, n % 52 + 1); break;
        case 1: std::snprintf(buffer, sizeof buffer, "d_%d_%02d_%02d", 2000 + n / 336, n / 28 % 12 + 1, n % 28 + 1); break;
        case 2: std::snprintf(buffer, sizeof buffer, "r%d_%d_%d_rsp%d", n / 100, n / 10 % 10, n % 10, n % 7); break;
        case 3: std::snprintf(buffer, sizeof buffer, "r%d_%d_%d_rc%d-amd64", n / 100, n / 10 % 10, n % 10, n % 3 + 1); break;
        case 4: std::snprintf(buffer, sizeof buffer, "exp_w_%d_%02d_c%04d.%03d_x%d", 2000 + n / 52, n % 52 + 1, n % 40, n % 9, n); break;
        default: std::snprintf(buffer, sizeof buffer, "t%d_c%04d-arm64", n, n % 40); break;
    }
    return buffer;
}

// A digest that `variant` gives to tag i: tags share digests in threes.
inline std::string synthetic_digest(int variant, int i) {
    char buffer[80];
    std::snprintf(buffer, sizeof buffer, "sha256:%016x%048x", variant, i / 3);
    return buffer;
}

// Rows [from, to) of a listing: `tag<TAB>digest<TAB>size` lines, plus `recommended`.
inline std::string synthetic_rows(int variant, int from, int to, const std::string& prefix = "") {
    std::string text;
    for (int i = from; i < to; ++i) {
        text += prefix + synthetic_tag(i) + "\t" + synthetic_digest(variant, i) + "\t" + std::to_string(1000 + i) + "\n";
    }
    text += prefix + "recommended\t" + synthetic_digest(variant, from) + "\t\n";
    return text;
}

}  // namespace rspcat::test
