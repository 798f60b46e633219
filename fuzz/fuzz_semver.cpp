// Semantic versions (model.md §1.4): parsing any bytes, the text form reading back, precedence being
// an order, and prerelease_sort_key (which the catalog's menu order sorts by) agreeing with it.
#include <cstring>

#include "fuzz_support.hpp"
#include "rspcat/semver.hpp"

using namespace rspcat;
using rspcat::fuzz::check;
using rspcat::fuzz::sign;

namespace {

int compare_keys(const std::string& a, const std::string& b) { return sign(a.compare(b)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    const std::string a_text = fuzz::next_string(input);
    const std::string b_text = fuzz::next_string(input);
    const std::string what = a_text + "\n" + b_text;
    const auto a = parse_semver(a_text);
    const auto b = parse_semver(b_text);
    for (const auto& v : {a, b}) {
        if (!v) continue;
        check(parse_semver(to_string(*v)) == v, "the text form reads back", what);
        check(compare_semver(*v, *v) == 0, "a version equals itself", what);
        std::string json;
        append_json(json, *v);
        check(!json.empty() && json.front() == '{' && json.back() == '}', "JSON is an object", what);
    }
    if (!a || !b) return 0;
    const int order = compare_semver(*a, *b);
    check(order == -compare_semver(*b, *a), "precedence is antisymmetric", what);
    if (a->prerelease && b->prerelease) {
        // Same numbers, so that only the prereleases decide.
        const SemVer pa{0, 0, 0, a->prerelease, {}}, pb{0, 0, 0, b->prerelease, {}};
        check(compare_keys(prerelease_sort_key(*a->prerelease), prerelease_sort_key(*b->prerelease)) ==
                  compare_semver(pa, pb),
              "prerelease_sort_key sorts as precedence", what);
    }
    return 0;
}
