#include "output.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

namespace rspcat::cli {

namespace {

std::string or_empty(const std::optional<std::string>& text) { return text.value_or(""); }

std::string or_empty(const std::optional<std::int64_t>& value) {
    return value ? std::to_string(*value) : std::string();
}

std::string version_text(const Tag& tag) { return tag.version ? to_string(*tag.version) : std::string(); }

std::string date_text(const Tag& tag) { return tag.date ? format_date(*tag.date) : std::string(); }

// `sha256:0123456789ab…`: enough to tell digests apart in a table.
std::string short_digest(const std::string& digest) {
    constexpr std::size_t shown = 7 + 12;
    return digest.size() > shown ? digest.substr(0, shown) : digest;
}

std::string csv_field(const std::string& text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string created_text(const Image& image) { return image.created ? format_timestamp(*image.created) : ""; }

// `linux/amd64 linux/arm64`: an index's platforms, in its order.
std::string platforms_text(const Image& image, const char* separator) {
    std::vector<std::string> names;
    for (const Platform& platform : image.platforms) names.push_back(platform_name(platform));
    return join(names, separator);
}

const std::vector<std::string> csv_image_columns = {
    "tag", "image_type", "display_name", "version", "base", "cycle", "cycle_build", "rsp_build", "architecture",
    "extra", "date", "digest", "size", "alias_target", "aliases", "nodes", "reference", "created", "platforms"};

// For people: fewer columns, a short digest and a readable size, under the same names. Creation
// times and platforms come only from a sync: their columns show when some image has them, and
// leave the table as it was for catalogs of listing files.
const std::vector<std::string> table_image_columns = {"tag",  "image_type", "display_name", "digest",
                                                      "size", "aliases",    "created",      "platforms"};
constexpr std::size_t table_cells = 8;

void append_csv_row(std::string& out, const std::vector<std::string>& row) {
    for (std::size_t c = 0; c < row.size(); ++c) {
        if (c) out += ',';
        out += csv_field(row[c]);
    }
    out += "\r\n";
}

void print_aligned(std::ostream& out, const Table& table, bool headers) {
    std::vector<std::string> header;
    for (const auto& column : table.columns) header.push_back(table_header(column));
    std::vector<std::size_t> widths(header.size());
    for (std::size_t c = 0; c < header.size(); ++c) widths[c] = headers ? header[c].size() : 0;
    for (const auto& row : table.rows) {
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
    }
    auto print_row = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
    };
    if (headers) print_row(header);
    for (const auto& row : table.rows) print_row(row);
}

void print_csv(std::ostream& out, const Table& table, bool headers) {
    auto print_row = [&](const std::vector<std::string>& row) {
        for (std::size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_field(row[c]);
        out << "\r\n";
    };
    if (headers) print_row(table.columns);
    for (const auto& row : table.rows) print_row(row);
}

// A JSON array of values that have append_json(), one per line.
template <typename T>
void print_json_array(std::ostream& out, const std::vector<T>& items) {
    std::string text = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        text += i ? ",\n " : "";
        append_json(text, items[i]);
    }
    out << text << "]\n";
}

}  // namespace

std::string table_header(const std::string& column) {
    std::string header = column;
    for (char& c : header) c = c == '_' ? ' ' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return header;
}

void Table::print(std::ostream& out, const Output& output) const {
    output.format == Format::csv ? print_csv(out, *this, output.headers) : print_aligned(out, *this, output.headers);
}

std::string join(const std::vector<std::string>& items, const char* separator) {
    std::string out;
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += separator;
        out += items[i];
    }
    return out;
}

std::string count(std::size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string human_size(std::int64_t bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1000 && unit + 1 < std::size(units)) {
        value /= 1000;
        ++unit;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.2f %s", value, units[unit]);
    return buffer;
}

void print_images(std::ostream& out, const std::vector<Image>& images, const Output& output) {
    ImagePrinter printer(out, output);
    for (const Image& image : images) printer.add(image);
    printer.finish();
}

ImagePrinter::ImagePrinter(std::ostream& out, const Output& output) : out_(out), output_(output) {
    if (output_.format == Format::csv && output_.headers) append_csv_row(pending_, csv_image_columns);
    if (output_.format == Format::table) widths_.assign(table_cells, 0);
}

void ImagePrinter::flush_if_large() {
    if (pending_.size() < (1 << 16)) return;
    out_ << pending_;
    pending_.clear();
}

void ImagePrinter::add(const Image& image) {
    const Tag& t = image.tag;
    if (output_.format == Format::json) {
        pending_ += count_ ? ",\n " : "[";
        append_json(pending_, image);
    } else if (output_.format == Format::csv) {
        append_csv_row(pending_, {t.tag, std::string(type_name(t.type)), t.display_name, version_text(t),
                                  or_empty(t.base), or_empty(t.cycle), or_empty(t.cycle_build), or_empty(t.rsp_build),
                                  or_empty(t.architecture), or_empty(t.extra), date_text(t), image.digest,
                                  or_empty(image.size), or_empty(image.alias_target), join(image.aliases, " "),
                                  join(image.nodes, " "), image.reference(), created_text(image),
                                  platforms_text(image, " ")});
    } else {
        created_ = created_ || image.created.has_value();
        platforms_ = platforms_ || !image.platforms.empty();
        std::string row;
        std::size_t column = 0;
        auto cell = [&](const std::string& text) {
            for (std::size_t n = text.size();; n >>= 7) {
                row += static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
                if (n < 0x80) break;
            }
            row += text;
            widths_[column] = std::max(widths_[column], text.size());
            ++column;
        };
        cell(t.tag);
        cell(std::string(type_name(t.type)));
        cell(t.display_name);
        cell(short_digest(image.digest));
        cell(image.size ? human_size(*image.size) : "");
        cell(join(image.aliases, ","));
        cell(created_text(image));
        cell(platforms_text(image, ","));
        if (blocks_.empty() || blocks_.back().size() + row.size() > blocks_.back().capacity()) {
            blocks_.emplace_back().reserve(std::max<std::size_t>(row.size(), 1 << 20));
        }
        blocks_.back() += row;
    }
    ++count_;
    flush_if_large();
}

void ImagePrinter::finish() {
    if (output_.format == Format::json) {
        pending_ += count_ ? "]\n" : "[]\n";
    } else if (output_.format == Format::table) {
        std::vector<std::size_t> columns = {0, 1, 2, 3, 4, 5};
        if (created_) columns.push_back(6);
        if (platforms_) columns.push_back(7);
        std::vector<std::size_t> widths;
        for (std::size_t c : columns) {
            widths.push_back(std::max(widths_[c], output_.headers ? table_header(table_image_columns[c]).size() : 0));
        }
        // As print_aligned() does: two spaces between columns, none at the end of a line.
        auto print_row = [&](const auto& text_of) {
            const std::size_t start = pending_.size();
            for (std::size_t i = 0; i < columns.size(); ++i) {
                const std::string_view text = text_of(columns[i]);
                pending_ += text;
                if (i + 1 < columns.size()) pending_.append(widths[i] - text.size() + 2, ' ');
            }
            while (pending_.size() > start && pending_.back() == ' ') pending_.pop_back();
            pending_ += '\n';
        };
        if (output_.headers) {
            std::vector<std::string> header;
            for (const auto& column : table_image_columns) header.push_back(table_header(column));
            print_row([&](std::size_t c) { return std::string_view(header[c]); });
        }
        for (const std::string& block : blocks_) {
            for (std::size_t at = 0; at < block.size();) {
                std::string_view cells[table_cells];
                for (auto& text : cells) {
                    std::size_t n = 0;
                    for (int shift = 0;; shift += 7) {
                        const auto byte = static_cast<unsigned char>(block[at++]);
                        n |= static_cast<std::size_t>(byte & 0x7f) << shift;
                        if (!(byte & 0x80)) break;
                    }
                    text = std::string_view(block).substr(at, n);
                    at += n;
                }
                print_row([&](std::size_t c) { return cells[c]; });
                flush_if_large();
            }
        }
        blocks_.clear();
    }
    out_ << pending_;
    pending_.clear();
}

void print_image(std::ostream& out, const std::optional<Image>& image, const Output& output) {
    if (output.format == Format::json) {
        out << (image ? to_json(*image) : "null") << '\n';
        return;
    }
    print_images(out, image ? std::vector<Image>{*image} : std::vector<Image>{}, output);
}

void print_tags(std::ostream& out, const std::vector<Tag>& tags, const Output& output) {
    if (output.format == Format::json) return print_json_array(out, tags);
    Table table;
    table.columns = {"tag", "image_type", "display_name", "version", "base", "cycle", "cycle_build", "rsp_build",
                     "architecture", "extra", "date"};
    for (const auto& t : tags) {
        table.rows.push_back({t.tag, std::string(type_name(t.type)), t.display_name, version_text(t),
                              or_empty(t.base), or_empty(t.cycle), or_empty(t.cycle_build), or_empty(t.rsp_build),
                              or_empty(t.architecture), or_empty(t.extra), date_text(t)});
    }
    table.print(out, output);
}

}  // namespace rspcat::cli
