// Text for HTML and SVG: everything a page shows that came from a catalog (tags, sources,
// repository names) goes through escape(), in element text and in quoted attributes alike.
#pragma once

#include <string>
#include <string_view>

namespace rspcat::cli::report {

// `&`, `<`, `>`, `"` and `'` as character references: safe in text and in attribute values
// quoted with either quote. Bytes that are not valid UTF-8 pass through; the page declares UTF-8
// and a browser shows them as replacement characters.
std::string escape(std::string_view text);

}  // namespace rspcat::cli::report
