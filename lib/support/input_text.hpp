// How input values are shown in error messages, shared by the listing readers and the registry
// client.
#pragma once

#include <string>
#include <string_view>

namespace rspcat::detail {

// The byte-order mark that Windows editors write at the start of UTF-8 text. Readers skip it at
// the start of a listing or a policy: it is not part of the first tag or key.
inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// `text` without a byte-order mark at its start.
inline std::string_view without_bom(std::string_view text) {
    return text.starts_with(utf8_bom) ? text.substr(utf8_bom.size()) : text;
}

// The value cut short, with control bytes shown as `?`, so that a hostile input cannot flood or
// garble the terminal that shows the message.
inline std::string printable(std::string_view value, std::size_t limit = 60) {
    std::string out;
    for (char c : value.substr(0, limit)) out.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
    if (value.size() > limit) out.append("…");
    return out;
}

// printable() in single quotes.
inline std::string quoted(std::string_view value) { return "'" + printable(value) + "'"; }

}  // namespace rspcat::detail
