#include "rspcat/prune.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace rspcat {

namespace {

// The tag of the generic build an image belongs to: the tag without its architecture part.
std::string build_of(const Image& image) {
    const std::string& tag = image.tag.tag;
    const auto& arch = image.tag.architecture;
    if (!arch || image.tag.type == ImageType::alias) return tag;
    const std::string suffix = "-" + *arch;
    return tag.ends_with(suffix) ? tag.substr(0, tag.size() - suffix.size()) : tag;
}

}  // namespace

PrunePlan plan_prune(const std::vector<Image>& images, const FilterPolicy& policy, Timestamp age_basis,
                     const std::vector<std::string>& keep) {
    // One representative per build, in menu order: the generic image, else its first variant.
    std::unordered_map<std::string, std::size_t> representative;  // build → index into images
    std::vector<Image> builds;
    for (std::size_t i = 0; i < images.size(); ++i) {
        const std::string build = build_of(images[i]);
        const auto found = representative.find(build);
        if (found == representative.end()) {
            representative.emplace(build, i);
        } else if (images[found->second].tag.architecture && !images[i].tag.architecture) {
            found->second = i;
        }
    }
    for (std::size_t i = 0; i < images.size(); ++i) {
        if (representative.at(build_of(images[i])) == i) builds.push_back(images[i]);
    }
    std::unordered_set<std::string> pruned_builds;
    for (const Image& image : apply_policy(builds, policy, {age_basis, false, true})) {
        pruned_builds.insert(build_of(image));
    }

    // Group by digest, in menu order of first appearance.
    const std::set<std::string> keep_set(keep.begin(), keep.end());
    struct Group {
        std::vector<std::string> pruned, kept_by;
        std::optional<std::int64_t> size;
        std::set<std::string> builds;
    };
    std::vector<std::string> order;
    std::map<std::string, Group> groups;
    for (const Image& image : images) {
        auto [it, fresh] = groups.try_emplace(image.digest);
        if (fresh) order.push_back(image.digest);
        Group& group = it->second;
        if (!group.size) group.size = image.size;
        group.builds.insert(build_of(image));
        const bool pruned = pruned_builds.count(build_of(image)) > 0 && image.tag.type != ImageType::alias &&
                            image.tag.type != ImageType::unknown;
        if (pruned && !keep_set.count(image.tag.tag)) {
            group.pruned.push_back(image.tag.tag);
        } else {
            group.kept_by.push_back(image.tag.tag);
            if (pruned) group.pruned.push_back(image.tag.tag);  // wanted gone, but named by --keep
        }
    }
    // A pruned build stays whole while one of its digests is protected: a multi-architecture
    // index that an alias keeps references its architecture-specific images, and deleting those
    // would leave the alias pointing to an image that cannot be pulled. They are kept by the
    // same tags.
    std::map<std::string, std::set<std::string>> build_kept_by;
    for (const std::string& digest : order) {
        const Group& group = groups.at(digest);
        if (group.pruned.empty() || group.kept_by.empty()) continue;
        for (const std::string& build : group.builds) build_kept_by[build].insert(group.kept_by.begin(), group.kept_by.end());
    }
    for (const std::string& digest : order) {
        Group& group = groups.at(digest);
        if (group.pruned.empty() || !group.kept_by.empty()) continue;
        std::set<std::string> kept_by;
        for (const std::string& build : group.builds) {
            if (const auto found = build_kept_by.find(build); found != build_kept_by.end()) {
                kept_by.insert(found->second.begin(), found->second.end());
            }
        }
        group.kept_by.assign(kept_by.begin(), kept_by.end());
    }

    PrunePlan plan;
    for (const std::string& digest : order) {
        Group& group = groups.at(digest);
        if (group.pruned.empty()) continue;
        std::sort(group.pruned.begin(), group.pruned.end());
        std::sort(group.kept_by.begin(), group.kept_by.end());
        if (group.kept_by.empty()) {
            plan.bytes += group.size.value_or(0);
            plan.deletions.push_back({digest, group.pruned, group.size});
        } else {
            plan.protections.push_back({digest, group.pruned, group.kept_by});
        }
    }
    return plan;
}

std::string to_json(const PrunePlan& plan) {
    using nlohmann::json;
    json out = {{"delete", json::array()}, {"protected", json::array()}, {"bytes", plan.bytes}};
    for (const auto& d : plan.deletions) {
        out["delete"].push_back({{"digest", d.digest}, {"tags", d.tags}, {"size", d.size ? json(*d.size) : json()}});
    }
    for (const auto& p : plan.protections) {
        out["protected"].push_back({{"digest", p.digest}, {"tags", p.tags}, {"kept_by", p.kept_by}});
    }
    return out.dump();
}

}  // namespace rspcat
