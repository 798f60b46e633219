// How rspcat prints images and tags: aligned tables for people, JSON and CSV for programs.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "rspcat/image.hpp"
#include "rspcat/tag.hpp"

namespace rspcat::cli {

enum class Format { table, json, csv };

// How a command prints its results: the format, and for `table` and `csv` whether the header
// row comes first (--no-headers leaves it out, for scripts that read rows only).
struct Output {
    Format format = Format::table;
    bool headers = true;
};

// Every output column is named once, in snake_case: that name is the JSON key and the CSV
// header, and the table header is derived from it (`resolved_to` → `RESOLVED TO`), so the three
// cannot drift apart. docs/cli.md lists the names.
std::string table_header(const std::string& column);

// A table of text cells under column names, printed as aligned columns (`table`) or CSV.
struct Table {
    std::vector<std::string> columns;  // snake_case names, as in JSON
    std::vector<std::vector<std::string>> rows;

    // For Format::json, the aligned table: commands print their JSON themselves.
    void print(std::ostream& out, const Output& output) const;
};

void print_images(std::ostream& out, const std::vector<Image>& images, const Output& output);
// One image, or JSON `null` / nothing at all when there is none.
void print_image(std::ostream& out, const std::optional<Image>& image, const Output& output);
void print_tags(std::ostream& out, const std::vector<Tag>& tags, const Output& output);

// The items with `separator` between them.
std::string join(const std::vector<std::string>& items, const char* separator);

// `1 tag`, `2 tags`, `0 tags`: a count and its noun, singular for exactly one.
std::string count(std::size_t n, const std::string& one, const std::string& many);

// `10.61 GB`, for people.
std::string human_size(std::int64_t bytes);

}  // namespace rspcat::cli
