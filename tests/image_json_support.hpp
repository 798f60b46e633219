// Image JSON as the vectors know it: model.md §5's keys. rspcat adds `created` and `platforms`
// (from the manifests a sync read); an image known only from a listing file has neither, which
// these check before dropping the two keys.
#pragma once

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace rspcat::test {

inline nlohmann::json without_manifest_keys(nlohmann::json image) {
    CHECK(image.at("created").is_null());
    CHECK(image.at("platforms") == nlohmann::json::array());
    image.erase("created");
    image.erase("platforms");
    return image;
}

inline nlohmann::json without_manifest_keys_each(const nlohmann::json& images) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& image : images) out.push_back(without_manifest_keys(image));
    return out;
}

}  // namespace rspcat::test
