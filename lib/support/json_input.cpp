#include "json_input.hpp"

namespace rspcat::detail {

namespace {

// nlohmann's messages start with `[json.exception.parse_error.101] `; the rest says where.
std::string_view without_exception_id(std::string_view text) {
    if (text.starts_with("[json.exception.")) {
        const std::size_t end = text.find("] ");
        if (end != std::string_view::npos) text.remove_prefix(end + 2);
    }
    return text;
}

}  // namespace

void check_json_depth(int depth, nlohmann::json::parse_event_t event) {
    using Event = nlohmann::json::parse_event_t;
    // nlohmann passes the number of arrays and objects around the one that starts.
    const bool opens = event == Event::array_start || event == Event::object_start;
    if (opens && depth >= max_json_depth) {
        throw JsonInputError("nested deeper than " + std::to_string(max_json_depth) +
                             " levels of arrays and objects (rspcat's limit for JSON input)");
    }
}

JsonInputError invalid_json(const nlohmann::json::exception& e) {
    return JsonInputError("not valid JSON: " + printable(without_exception_id(e.what()), 200));
}

nlohmann::json parse_json_input(std::string_view text) {
    try {
        return nlohmann::json::parse(text, [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
            check_json_depth(depth, event);
            return true;
        });
    } catch (const nlohmann::json::exception& e) {
        // Not only parse_error: a number too large for any C++ type is out_of_range.
        throw invalid_json(e);
    }
}

}  // namespace rspcat::detail
