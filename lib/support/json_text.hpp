// Small helpers for writing JSON text by hand: the hot paths (rsp_parse_tag, listings) build
// their JSON directly instead of through a DOM.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rspcat::json {

// Length of the well-formed UTF-8 sequence at the start of `s` (not empty), or 0 when it is
// not one (Unicode Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_sequence_length(std::string_view s);

// Appends `text` as a JSON string literal. Bytes that are not valid UTF-8 are written as
// U+FFFD, so the output is always valid JSON text.
void append_string(std::string& out, std::string_view text);

void append_int(std::string& out, std::int64_t value);

// Whether `text` has a byte that append_string() may write differently: anything but printable
// ASCII other than `"` and `\`. When false, `"` + text + `"` is its JSON string.
bool needs_escaping(std::string_view text);

void append_optional(std::string& out, const std::optional<std::string>& text);
void append_optional(std::string& out, const std::optional<std::string_view>& text);
void append_optional(std::string& out, const std::optional<std::int64_t>& value);

}  // namespace rspcat::json
