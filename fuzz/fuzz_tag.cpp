// Tag parsing (model.md §1.2, 1.3): any bytes parse without crashing, tag JSON is valid JSON, and
// `exp_` + T parses like T apart from type, tag and display name.
#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "rspcat/tag.hpp"

using namespace rspcat;
using rspcat::fuzz::check;

namespace {

// Everything but type, tag and display name.
bool same_fields(const Tag& a, const Tag& b) {
    return a.version == b.version && a.base == b.base && a.cycle == b.cycle && a.cycle_build == b.cycle_build &&
           a.rsp_build == b.rsp_build && a.architecture == b.architecture && a.extra == b.extra && a.date == b.date;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);

    const Tag tag = parse_tag(text);
    check(tag.tag == (text.empty() ? "latest" : text), "the parse keeps the tag as given", text);
    check(tag.type != ImageType::alias, "the grammar never gives Alias", text);
    check(nlohmann::json::accept(to_json(tag)), "tag JSON is valid JSON", text);
    // rsp_parse_tag writes the JSON from the view, without making the Tag.
    check(to_json(parse_tag_view(text)) == to_json(tag), "the TagView's JSON is the Tag's", text);
    check(compare_tags(tag, tag) == 0, "a tag compares equal to itself", text);
    if (tag.version) {
        // What the catalog stores as text must read back as the same version.
        check(parse_semver(to_string(*tag.version)) == tag.version, "a tag's version reads back", text);
    }

    const Tag alias = parse_alias_tag(text);
    check(alias.tag == text && alias.type == ImageType::alias, "the alias parse is an Alias of the tag", text);
    check(!alias.version && !alias.date, "aliases have no version and no date", text);
    check(nlohmann::json::accept(to_json(alias)), "alias tag JSON is valid JSON", text);

    if (!text.empty()) {
        const Tag experimental = parse_tag("exp_" + text);
        check(experimental.type == ImageType::experimental, "exp_ + T is Experimental", text);
        check(experimental.tag == "exp_" + text, "exp_ + T keeps the whole tag", text);
        check(experimental.display_name == "Experimental " + tag.display_name,
              "exp_ + T is named Experimental + T's name", text);
        check(same_fields(experimental, tag), "exp_ + T has T's fields", text);
    }
    return 0;
}
