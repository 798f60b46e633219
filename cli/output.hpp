// How rspcat prints images and tags: aligned tables for people, JSON and CSV for programs.
#pragma once

#include <cstdint>
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

// print_images() for images that come one at a time (Catalog::for_each_image), byte for byte
// the same. JSON and CSV rows go out as they are added. A table's columns and widths depend on
// every row, so it keeps each row's cells (text only, a fraction of an Image) until finish().
class ImagePrinter {
   public:
    ImagePrinter(std::ostream& out, const Output& output);
    void add(const Image& image);
    // Prints what is left (the table; the closing bracket); call once, after the last add().
    void finish();

   private:
    void flush_if_large();

    std::ostream& out_;
    Output output_;
    std::string pending_;  // output not yet written to out_
    std::size_t count_ = 0;
    // Table only: the cells of every row, each a varint length and its bytes, in blocks of
    // about a megabyte (no block holds part of a row), so that a million rows take a million
    // times their text and no copy of it all is ever made to grow it.
    std::vector<std::string> blocks_;
    std::vector<std::size_t> widths_;
    bool created_ = false, platforms_ = false;
};
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
