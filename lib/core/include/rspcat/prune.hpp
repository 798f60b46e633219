// Prune plans: which digests a registry could delete under a policy, safely. Plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/export.hpp"
#include "rspcat/image.hpp"
#include "rspcat/policy.hpp"

namespace rspcat {

struct PrunePlan {
    // A digest no kept tag needs: deleting it removes every tag listed.
    struct Deletion {
        std::string digest;
        std::vector<std::string> tags;
        std::optional<std::int64_t> size;
    };
    // A digest the policy would prune but something still needs.
    struct Protection {
        std::string digest;
        std::vector<std::string> tags;     // the tags the policy would prune
        std::vector<std::string> kept_by;  // kept tags, alias tags and --keep tags on the digest
    };
    std::vector<Deletion> deletions;
    std::vector<Protection> protections;
    std::int64_t bytes = 0;  // sum of the deletions' known sizes
};

// Plans a prune of `images` (a whole collection in menu order, architecture-specific images
// included). The policy is applied to builds: an `-amd64`/`-arm64` image goes with its generic
// build (or, without one, stands for its build), so `number` counts builds. A digest is deleted
// only when every tag on it is pruned and none of them is in `keep`.
RSPCAT_API PrunePlan plan_prune(const std::vector<Image>& images, const FilterPolicy& policy, Timestamp age_basis,
                                const std::vector<std::string>& keep);

RSPCAT_API std::string to_json(const PrunePlan& plan);

}  // namespace rspcat
