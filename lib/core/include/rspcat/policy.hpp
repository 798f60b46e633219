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

// Reading a policy (model.md §4, "Reading a policy"). A document holds a policy when it is a
// mapping (`{}` keeps every image): an empty document, one of only comments, `null`, a list or a
// scalar is a PolicyError, and so is a key given twice in any mapping of the document. `source`
// names the document in errors (`idfprod.yaml: weekly.number: …`).
//
// `key_path` picks the policy out of a larger document, such as a deployment's Helm values file
// (`controller.config.dropdownMenu`): keys joined by dots, each matched exactly; empty for a
// document that is the policy itself. Errors inside the policy name the whole path
// (`values.yaml: controller.config.dropdownMenu.weekly.number: …`), and a key path that leads
// nowhere names the key that is missing or the value that is not a mapping.
//
// Every failure, including a file that cannot be read, is a PolicyError (kind `input`).
enum class PolicyFormat {
    json,  // JSON only: text that is not JSON is refused, with the line and column
    yaml,  // YAML, which also reads JSON
};

RSPCAT_API FilterPolicy parse_policy_json(std::string_view text, const std::string& source,
                                          std::string_view key_path = {});
RSPCAT_API FilterPolicy parse_policy_yaml(std::string_view text, const std::string& source,
                                          std::string_view key_path = {});
RSPCAT_API FilterPolicy parse_policy(std::string_view text, const std::string& source, PolicyFormat format,
                                     std::string_view key_path = {});

// The format a file's name says: `.json` is JSON, anything else YAML.
RSPCAT_API PolicyFormat policy_format_of(std::string_view path);

// Reads the policy file at `path` (not a directory; an error names why a file cannot be read,
// as `No such file or directory`) in the format its name says.
// The bytes of a policy file, as load_policy_file() reads them (PolicyError naming the file when
// it cannot be read), for a caller that also records what it applied.
RSPCAT_API std::string read_policy_file(const std::string& path);
RSPCAT_API FilterPolicy load_policy_file(const std::string& path, std::string_view key_path = {});

// A policy named on a command line: `FILE`, or `FILE#KEY.PATH` for a policy inside a larger
// document. `FILE#KEY.PATH` is split at its last `#` unless a file of the whole name exists.
struct PolicyReference {
    std::string file;
    std::string key_path;
};
RSPCAT_API PolicyReference parse_policy_reference(const std::string& text);

// The policy as canonical JSON (camelCase keys, durations in seconds): what rsp_filter() takes.
RSPCAT_API std::string to_json(const FilterPolicy& policy);

struct FilterOptions {
    Timestamp age_basis;                 // `age` counts back from here (usually now)
    bool remove_arch_specific = true;    // drop architecture-specific images first
    bool invert = false;                 // return what the policy does not keep
};

// apply_policy() one image at a time, for images that are visited rather than held: call
// selects() on every image in menu order; it says whether apply_policy would return it.
class RSPCAT_API PolicySelector {
   public:
    PolicySelector(const FilterPolicy& policy, const FilterOptions& options);
    bool selects(const Image& image);

   private:
    FilterPolicy policy_;
    FilterOptions options_;
    std::array<std::int64_t, image_type_count> kept_counts_{};
    std::array<std::optional<Timestamp>, image_type_count> oldest_{};
};

// Applies the policy to images in menu order and returns the selected ones, in menu order.
// Inverted, the result is, per type with a block, the images the policy does not keep.
RSPCAT_API std::vector<Image> apply_policy(const std::vector<Image>& images, const FilterPolicy& policy,
                                           const FilterOptions& options);

}  // namespace rspcat
