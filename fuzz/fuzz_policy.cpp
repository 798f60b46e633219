// Policy documents (model.md §4): any bytes as a JSON and as a YAML policy, whole or at a key
// path, either parse or throw PolicyError (nothing else escapes). A policy that parses writes
// back (to_json, what rsp_filter takes) to the same policy, and applied to a fixed menu it keeps
// a subset, in menu order, disjoint from what the inverted policy returns.
#include <algorithm>
#include <set>

#include "fuzz_support.hpp"
#include "rspcat/policy.hpp"

using namespace rspcat;
using rspcat::fuzz::check;

namespace {

// A menu of every type, with dates, versions, builds and architectures, in menu order.
std::vector<Image> menu() {
    std::vector<Image> images;
    for (const char* tag : {"recommended", "r30_0_10_rsp2991", "r29_2_0_rsp2697", "r29_2_0-amd64", "r21_0_1",
                            "w_2026_32", "w_2026_31_rsp12", "w_2026_30-arm64", "w_2020_01", "d_2026_08_06",
                            "d_2026_08_05_c0045.003", "d_2019_01_01", "r30_0_0_rc2", "r29_2_1_rc1",
                            "exp_w_2026_30_foo", "exp_random", "latest_weekly"}) {
        Image image;
        image.tag = parse_tag(tag);
        image.digest = "sha256:" + std::string(64, 'a');
        images.push_back(std::move(image));
    }
    std::stable_sort(images.begin(), images.end(),
                     [](const Image& a, const Image& b) { return collate_tags(a.tag, b.tag) > 0; });
    return images;
}

std::set<std::string> tags_of(const std::vector<Image>& images) {
    std::set<std::string> tags;
    for (const auto& image : images) tags.insert(image.tag.tag);
    return tags;
}

void check_policy(const FilterPolicy& policy, const std::string& text) {
    check(parse_policy_json(to_json(policy), "canonical") == policy, "the canonical JSON reads back", text);
    static const std::vector<Image> images = menu();
    const Timestamp basis = *parse_timestamp("2026-08-06T12:00:00Z");
    for (const bool all_arch : {false, true}) {
        const auto kept = apply_policy(images, policy, {basis, !all_arch, false});
        const auto dropped = apply_policy(images, policy, {basis, !all_arch, true});
        const auto kept_tags = tags_of(kept), dropped_tags = tags_of(dropped);
        check(kept_tags.size() == kept.size() && dropped_tags.size() == dropped.size(), "each image once", text);
        for (const auto& tag : kept_tags) check(dropped_tags.count(tag) == 0, "kept and dropped are disjoint", text);
        // Menu order is kept: the selection is a subsequence of the menu.
        std::size_t at = 0;
        for (const auto& image : kept) {
            while (at < images.size() && images[at].tag.tag != image.tag.tag) ++at;
            check(at < images.size(), "the kept images are in menu order", text);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        check_policy(parse_policy_json(text, "fuzz.json"), text);
    } catch (const PolicyError&) {
    }
    try {
        check_policy(parse_policy_yaml(text, "fuzz.yaml"), text);
    } catch (const PolicyError&) {
    }
    // A `.json` file that is not JSON is tried as YAML for the error's hint; a policy inside a
    // larger document is found by its key path.
    try {
        check_policy(parse_policy(text, "fuzz.json", PolicyFormat::json), text);
    } catch (const PolicyError&) {
    }
    for (const char* key_path : {"weekly", "controller.config.dropdownMenu"}) {
        try {
            check_policy(parse_policy_yaml(text, "fuzz.yaml", key_path), text);
        } catch (const PolicyError&) {
        }
        try {
            check_policy(parse_policy_json(text, "fuzz.json", key_path), text);
        } catch (const PolicyError&) {
        }
    }
    return 0;
}
