#include "json_text.hpp"

#include <algorithm>
#include <charconv>

namespace rspcat::json {

std::size_t utf8_sequence_length(std::string_view s) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b0 = byte(0);
    auto in = [](unsigned char b, unsigned char lo, unsigned char hi) { return b >= lo && b <= hi; };
    if (b0 < 0x80) return 1;
    if (in(b0, 0xC2, 0xDF)) return s.size() >= 2 && in(byte(1), 0x80, 0xBF) ? 2 : 0;
    if (in(b0, 0xE0, 0xEF)) {
        if (s.size() < 3) return 0;
        const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
        const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
        return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) ? 3 : 0;
    }
    if (in(b0, 0xF0, 0xF4)) {
        if (s.size() < 4) return 0;
        const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
        const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
        return in(byte(1), lo, hi) && in(byte(2), 0x80, 0xBF) && in(byte(3), 0x80, 0xBF) ? 4 : 0;
    }
    return 0;
}

namespace {

// Bytes that append_string() copies as they are.
bool is_plain(unsigned char c) { return c >= 0x20 && c != '"' && c != '\\' && c < 0x80; }

}  // namespace

bool needs_escaping(std::string_view text) {
    return !std::all_of(text.begin(), text.end(), [](char c) { return is_plain(static_cast<unsigned char>(c)); });
}

void append_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    std::size_t i = 0;
    while (i < text.size()) {
        // Copy the longest run that needs no escaping in one go.
        std::size_t run = i;
        while (run < text.size() && is_plain(static_cast<unsigned char>(text[run]))) ++run;
        out.append(text.data() + i, run - i);
        i = run;
        if (i == text.size()) break;
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t len = utf8_sequence_length(text.substr(i));
            if (len == 0) {
                out.append("\xEF\xBF\xBD");
                ++i;
            } else {
                out.append(text.data() + i, len);
                i += len;
            }
            continue;
        }
        switch (c) {
            case '"': out.append("\\\""); break;
            case '\\': out.append("\\\\"); break;
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            case '\b': out.append("\\b"); break;
            case '\f': out.append("\\f"); break;
            default:
                out.append("\\u00");
                out.push_back(hex[c >> 4]);
                out.push_back(hex[c & 0xF]);
        }
        ++i;
    }
    out.push_back('"');
}

void append_int(std::string& out, std::int64_t value) {
    char buffer[24];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, end);
}

void append_optional(std::string& out, const std::optional<std::string>& text) {
    if (text) {
        append_string(out, *text);
    } else {
        out.append("null");
    }
}

void append_optional(std::string& out, const std::optional<std::string_view>& text) {
    if (text) {
        append_string(out, *text);
    } else {
        out.append("null");
    }
}

void append_optional(std::string& out, const std::optional<std::int64_t>& value) {
    if (value) {
        append_int(out, *value);
    } else {
        out.append("null");
    }
}

}  // namespace rspcat::json
