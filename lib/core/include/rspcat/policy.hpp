// Filter policies (model.md §4): which images of each type a deployment shows, and, inverted, which it
// could prune. Plain values; read from nublado's JSON or YAML format.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rspcat/error.hpp"
#include "rspcat/export.hpp"
#include "rspcat/image.hpp"
#include "rspcat/semver.hpp"
#include "rspcat/tag.hpp"
#include "rspcat/time.hpp"

namespace rspcat {

// A problem with a policy document: names the document, the key and the value.
class RSPCAT_API PolicyError : public Error {
   public:
    explicit PolicyError(const std::string& message) : Error(ErrorKind::input, message) {}
    // Defined in the library, so that its vtable and typeinfo live there once.
    ~PolicyError() override;
};

// One type's block. Every condition is optional; conditions combine with AND.
struct ImageFilter {
    std::optional<std::int64_t> number;        // keep at most this many (0: no limit)
    std::optional<std::chrono::seconds> age;   // drop dates older than basis − age
    std::optional<Timestamp> cutoff_date;      // drop dates older than this
    std::optional<SemVer> cutoff_version;      // drop versions lower than this
    std::optional<std::int64_t> cutoff_build;  // drop RSP builds lower than this

    bool operator==(const ImageFilter&) const = default;
};

struct FilterPolicy {
    // A block per type, indexed by ImageType; Alias and Unknown never have one.
    std::array<std::optional<ImageFilter>, image_type_count> blocks;

    const std::optional<ImageFilter>& block(ImageType type) const { return blocks[static_cast<std::size_t>(type)]; }
    bool operator==(const FilterPolicy&) const = default;
};

// Durations of model.md §4: integer seconds (`3600`), units in order (`3w`, `5w4d`, `4h 3minutes`,
// `2 weeks`), or ISO 8601 with weeks, days, hours, minutes and seconds (`P3W`, `P1DT12H`).
RSPCAT_API std::optional<std::chrono::seconds> parse_duration(std::string_view text);

// Reads a policy document. `source` names it in errors (`idfprod.yaml: weekly.number: …`).
RSPCAT_API FilterPolicy parse_policy_json(std::string_view text, const std::string& source);
RSPCAT_API FilterPolicy parse_policy_yaml(std::string_view text, const std::string& source);
// By file name: `.json` is JSON, anything else YAML (which also reads JSON).
RSPCAT_API FilterPolicy load_policy_file(const std::string& path);

// The policy as canonical JSON (camelCase keys, durations in seconds): what rsp_filter() takes.
RSPCAT_API std::string to_json(const FilterPolicy& policy);

struct FilterOptions {
    Timestamp age_basis;                 // `age` counts back from here (usually now)
    bool remove_arch_specific = true;    // drop architecture-specific images first
    bool invert = false;                 // return what the policy does not keep
};

// Applies the policy to images in menu order and returns the selected ones, in menu order.
// Inverted, the result is, per type with a block, the images the policy does not keep.
RSPCAT_API std::vector<Image> apply_policy(const std::vector<Image>& images, const FilterPolicy& policy,
                                           const FilterOptions& options);

}  // namespace rspcat
