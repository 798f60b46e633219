#include "image_row.hpp"

#include <cstdint>
#include <charconv>
#include <stdexcept>

#include "input_text.hpp"

namespace rspcat {

namespace {

// `YYYY-MM-DD HH:MM:SS` as format_date writes it (the year is not zero-padded). By hand rather
// than sscanf, which was a tenth of the time of listing 100,000 images.
std::chrono::sys_days read_date(const std::string& text) {
    auto fail = [&]() -> std::chrono::sys_days {
        throw std::runtime_error("a malformed date " + detail::quoted(text));
    };
    const char* p = text.data();
    const char* const end = p + text.size();
    auto number = [&](auto& value) {
        const auto [rest, error] = std::from_chars(p, end, value);
        if (error != std::errc() || rest == p) fail();
        p = rest;
    };
    int year = 0;
    unsigned month = 0, day = 0;
    number(year);
    if (p == end || *p++ != '-') fail();
    number(month);
    if (p == end || *p++ != '-') fail();
    number(day);
    return std::chrono::sys_days{std::chrono::year_month_day{std::chrono::year{year}, std::chrono::month{month},
                                                             std::chrono::day{day}}};
}

void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
        out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (code >> 6)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (code >> 12)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (code >> 18)));
        out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
}

// Reads a JSON array of strings as json_group_array() writes it, one string at a time.
class StringArrayReader {
   public:
    explicit StringArrayReader(const std::string& text) : text_(text) {}

    std::vector<std::string> read() {
        std::vector<std::string> items;
        expect('[');
        if (i_ < text_.size() && text_[i_] == ']') return items;
        while (true) {
            expect('"');
            items.push_back(read_string());
            if (i_ < text_.size() && text_[i_] == ']') return items;
            expect(',');
        }
    }

   private:
    [[noreturn]] void malformed() const {
        throw std::runtime_error("a malformed list " + detail::quoted(text_));
    }
    char next() {
        if (i_ >= text_.size()) malformed();
        return text_[i_++];
    }
    void expect(char c) {
        if (next() != c) malformed();
    }
    std::uint32_t hex4() {
        std::uint32_t value = 0;
        for (int k = 0; k < 4; ++k) {
            const char h = next();
            const int digit = h >= '0' && h <= '9'   ? h - '0'
                              : h >= 'a' && h <= 'f' ? h - 'a' + 10
                              : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                                     : -1;
            if (digit < 0) malformed();
            value = value * 16 + static_cast<std::uint32_t>(digit);
        }
        return value;
    }
    // \uXXXX, with a surrogate pair read as one character; a lone surrogate is U+FFFD.
    std::uint32_t escaped_code() {
        const std::uint32_t code = hex4();
        if (code < 0xD800 || code > 0xDFFF) return code;
        if (code > 0xDBFF || text_.compare(i_, 2, "\\u") != 0) return 0xFFFD;
        i_ += 2;
        const std::uint32_t low = hex4();
        return low >= 0xDC00 && low <= 0xDFFF ? 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00) : 0xFFFD;
    }
    std::string read_string() {
        std::string item;
        for (char c = next(); c != '"'; c = next()) {
            if (c != '\\') {
                item.push_back(c);
                continue;
            }
            switch (const char e = next()) {
                case 'b': item.push_back('\b'); break;
                case 'f': item.push_back('\f'); break;
                case 'n': item.push_back('\n'); break;
                case 'r': item.push_back('\r'); break;
                case 't': item.push_back('\t'); break;
                case 'u': append_utf8(item, escaped_code()); break;
                default: item.push_back(e); break;  // \" \\ \/
            }
        }
        return item;
    }

    const std::string& text_;
    std::size_t i_ = 0;
};

// Not through a JSON library: SQLite copies bytes that are not UTF-8 (a node name given as such)
// into its JSON as they are, which a strict parser refuses, and names must come back byte for
// byte.
std::vector<std::string> read_string_array(const std::string& text) { return StringArrayReader(text).read(); }

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
