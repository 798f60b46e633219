// How input values are shown in error messages, shared by the listing readers and the registry
// client.
#pragma once

#include <string>
#include <string_view>

namespace rspcat::detail {

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
