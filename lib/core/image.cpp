#include "rspcat/image.hpp"

#include "json_text.hpp"

namespace rspcat {

namespace {

void append_string_array(std::string& out, const std::vector<std::string>& items) {
    out.push_back('[');
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out.push_back(',');
        json::append_string(out, items[i]);
    }
    out.push_back(']');
}

void append_platforms(std::string& out, const std::vector<Platform>& platforms) {
    out.push_back('[');
    for (std::size_t i = 0; i < platforms.size(); ++i) {
        const Platform& platform = platforms[i];
        out.append(i > 0 ? ",{\"os\":" : "{\"os\":");
        json::append_string(out, platform.os);
        out.append(",\"architecture\":");
        json::append_string(out, platform.architecture);
        out.append(",\"variant\":");
        json::append_optional(out, platform.variant);
        out.append(",\"digest\":");
        json::append_string(out, platform.digest);
        out.push_back('}');
    }
    out.push_back(']');
}

}  // namespace

std::string platform_name(const Platform& platform) {
    std::string name = platform.os + "/" + platform.architecture;
    if (platform.variant) name += "/" + *platform.variant;
    return name;
}

std::string Image::reference() const { return registry + "/" + repository + ":" + tag.tag; }

std::string Image::reference_with_digest() const { return reference() + "@" + digest; }

void append_json(std::string& out, const Image& image) {
    out.push_back('{');
    append_json_fields(out, image.tag);
    out.append(",\"registry\":");
    json::append_string(out, image.registry);
    out.append(",\"repository\":");
    json::append_string(out, image.repository);
    out.append(",\"digest\":");
    json::append_string(out, image.digest);
    out.append(",\"size\":");
    json::append_optional(out, image.size);
    out.append(",\"aliases\":");
    append_string_array(out, image.aliases);
    out.append(",\"alias_target\":");
    json::append_optional(out, image.alias_target);
    out.append(",\"nodes\":");
    append_string_array(out, image.nodes);
    out.append(",\"reference\":");
    json::append_string(out, image.reference());
    out.append(",\"reference_with_digest\":");
    json::append_string(out, image.reference_with_digest());
    out.append(",\"created\":");
    json::append_optional(out, image.created ? std::optional(format_timestamp(*image.created)) : std::nullopt);
    out.append(",\"platforms\":");
    append_platforms(out, image.platforms);
    out.push_back('}');
}

std::string to_json(const Image& image) {
    std::string out;
    append_json(out, image);
    return out;
}

}  // namespace rspcat
