#include "rspcat/image_row.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <stdexcept>

namespace rspcat {

namespace {

// `YYYY-MM-DD HH:MM:SS` as format_date writes it (the year is not zero-padded).
std::chrono::sys_days read_date(const std::string& text) {
    int year = 0;
    unsigned month = 0, day = 0;
    if (std::sscanf(text.c_str(), "%d-%u-%u", &year, &month, &day) != 3) {
        throw std::runtime_error("the catalog holds a malformed date '" + text + "'");
    }
    return std::chrono::sys_days{std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month},
                                                             std::chrono::day{day}}};
}

std::vector<std::string> read_string_array(const std::string& text) {
    const auto array = nlohmann::json::parse(text, nullptr, false);
    if (!array.is_array()) throw std::runtime_error("the catalog holds a malformed list '" + text + "'");
    std::vector<std::string> items;
    for (const auto& item : array) items.push_back(item.is_string() ? item.get<std::string>() : item.dump());
    return items;
}

}  // namespace

Image image_from_row(const ColumnValues& row) {
    int column = 0;
    auto next = [&]() { return column++; };
    auto optional_text = [&](int c) { return row.is_null(c) ? std::nullopt : std::optional(row.text(c)); };
    auto optional_int = [&](int c) { return row.is_null(c) ? std::nullopt : std::optional(row.integer(c)); };

    Image image;
    Tag& tag = image.tag;
    tag.tag = row.text(next());
    tag.type = image_type_from_name(row.text(next())).value_or(ImageType::unknown);
    tag.display_name = row.text(next());
    const auto major = optional_int(next());
    const auto minor = optional_int(next());
    const auto patch = optional_int(next());
    const auto prerelease = optional_text(next());
    if (major) tag.version = SemVer{*major, minor.value_or(0), patch.value_or(0), prerelease, std::nullopt};
    tag.base = optional_text(next());
    tag.cycle = optional_int(next());
    tag.cycle_build = optional_int(next());
    tag.rsp_build = optional_int(next());
    tag.architecture = optional_text(next());
    tag.extra = optional_text(next());
    if (const int c = next(); !row.is_null(c)) tag.date = read_date(row.text(c));
    image.registry = row.text(next());
    image.repository = row.text(next());
    image.digest = row.text(next());
    image.size = optional_int(next());
    image.alias_target = optional_text(next());
    if (const int c = next(); !row.is_null(c)) image.aliases = read_string_array(row.text(c));
    if (const int c = next(); !row.is_null(c)) image.nodes = read_string_array(row.text(c));
    return image;
}

}  // namespace rspcat
