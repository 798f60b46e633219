#include "json_input.hpp"

#include <algorithm>
#include <unordered_set>
#include <vector>

namespace rspcat::detail {

namespace {

// The arrays and objects open around the parser, for naming a key given twice by its path.
class KeyPath {
   public:
    void open(bool object) { frames_.push_back({object, {}, {}, 0}); }
    void close() {
        if (!frames_.empty()) frames_.pop_back();
        value_done();
    }
    void value_done() {
        if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    }
    // A key of the innermost object: throws when that object already has it.
    void key(const std::string& name) {
        if (frames_.empty()) return;
        Frame& frame = frames_.back();
        frame.key = name;
        if (!frame.keys.insert(name).second) throw JsonInputError(path() + ": given twice");
    }

   private:
    struct Frame {
        bool object;
        std::unordered_set<std::string> keys;
        std::string key;
        std::size_t index;
    };
    std::string path() const {
        std::string out;
        for (const Frame& frame : frames_) {
            if (frame.object) {
                out += (out.empty() ? "" : ".") + printable(frame.key, 80);
            } else {
                out += "[" + std::to_string(frame.index) + "]";
            }
        }
        return out;
    }
    std::vector<Frame> frames_;
};

// Sets the line and column of where a parse error stopped, from nlohmann's byte position
// (1-based; one past the text at its end).
void locate(JsonInputError& error, const nlohmann::json::exception& e, std::string_view text) {
    const auto* parse = dynamic_cast<const nlohmann::json::parse_error*>(&e);
    if (!parse || parse->byte == 0) return;
    if (parse->byte > text.size()) error.at_end = true;
    const std::size_t at = std::min(parse->byte - 1, text.size());
    const std::string_view before = text.substr(0, at);
    const std::size_t line_start = before.rfind('\n') == std::string_view::npos ? 0 : before.rfind('\n') + 1;
    error.line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    error.column = at - line_start + 1;
}

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

nlohmann::json parse_json_input(std::string_view text, DuplicateKeys duplicates) {
    using Event = nlohmann::json::parse_event_t;
    KeyPath keys;
    const bool refuse = duplicates == DuplicateKeys::refuse;
    // Positions in errors count from after a byte-order mark, as the parser does.
    text = without_bom(text);
    try {
        return nlohmann::json::parse(text, [&](int depth, Event event, nlohmann::json& parsed) {
            check_json_depth(depth, event);
            if (refuse) {
                switch (event) {
                    case Event::object_start: keys.open(true); break;
                    case Event::array_start: keys.open(false); break;
                    case Event::object_end:
                    case Event::array_end: keys.close(); break;
                    case Event::key: keys.key(parsed.get<std::string>()); break;
                    case Event::value: keys.value_done(); break;
                }
            }
            return true;
        });
    } catch (const nlohmann::json::exception& e) {
        // Not only parse_error: a number too large for any C++ type is out_of_range.
        JsonInputError error = invalid_json(e);
        locate(error, e, text);
        throw error;
    }
}

std::string json_problem_without_text(const JsonInputError& e) {
    if (e.at_end) return "not valid JSON: the text ends before the document does";
    if (e.line > 0) return "not valid JSON at line " + std::to_string(e.line) + ", column " + std::to_string(e.column);
    return e.what();  // nesting too deep or a key given twice: names keys, never values
}

}  // namespace rspcat::detail
