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

// A table of text cells, printed as aligned columns or as CSV with a header row.
struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;

    void print_aligned(std::ostream& out) const;
    void print_csv(std::ostream& out) const;
    // Aligned for `table`, CSV (with the header in lower case) for `csv`.
    void print(std::ostream& out, Format format) const;
};

void print_images(std::ostream& out, const std::vector<Image>& images, Format format);
// One image, or JSON `null` / nothing at all when there is none.
void print_image(std::ostream& out, const std::optional<Image>& image, Format format);
void print_tags(std::ostream& out, const std::vector<Tag>& tags, Format format);

// `10.61 GB`, for people.
std::string human_size(std::int64_t bytes);

}  // namespace rspcat::cli
