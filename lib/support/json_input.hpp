// JSON that comes from outside (registry answers, listing files, policies, Docker config.json):
// parsed with a bound on nesting, and shown in error messages only as a short excerpt.
//
// nlohmann's parser does not recurse, but dump() and other whole-value operations do: a document
// nested 100,000 deep overflowed the stack when an error message wrote it out. Refusing depth
// while parsing keeps every value that gets past the parser safe to handle.
#pragma once

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

#include "input_text.hpp"

namespace rspcat::detail {

// Levels of arrays and objects allowed in JSON input. Real documents nest 2 (a policy) to 4
// (a gcloud listing) levels; 64 leaves ample room and keeps recursion over a value shallow.
inline constexpr int max_json_depth = 64;

// JSON text that is not valid or nests too deep. The message says what is wrong but not where
// the text came from: each reader adds its source and throws its own error type.
class JsonInputError : public std::runtime_error {
   public:
    using std::runtime_error::runtime_error;
    // Where the parser stopped in text that is not JSON (1-based); 0 when the text is JSON but
    // refused for another reason (depth, a key given twice).
    std::size_t line = 0, column = 0;
    // The parser stopped at the end of the text: the document is cut short (or empty).
    bool at_end = false;
};

// What is wrong with text that is not JSON, saying where but quoting none of it: for files that
// hold secrets (a Docker config.json), where the parser's own message shows the text it read.
std::string json_problem_without_text(const JsonInputError& e);

// For a parser callback (depth and event as nlohmann passes them): throws JsonInputError when
// the event opens an array or object below max_json_depth levels.
void check_json_depth(int depth, nlohmann::json::parse_event_t event);

// What parse_json_input() does with an object that holds the same key twice: nlohmann keeps the
// last, which silently changes what a document means; readers of documents people write refuse.
enum class DuplicateKeys { keep_last, refuse };

// `text` parsed as JSON within max_json_depth levels. Throws JsonInputError, with the line and
// column for text that is not JSON, and, with DuplicateKeys::refuse, for a key given twice
// (`weekly.number: given twice`, the path in dots and `[index]`).
nlohmann::json parse_json_input(std::string_view text, DuplicateKeys duplicates = DuplicateKeys::keep_last);

// An exception from nlohmann's parser as a JsonInputError: `not valid JSON: …`, without the
// exception's id and cut short (the parser quotes what it read last, which can be most of the text).
JsonInputError invalid_json(const nlohmann::json::exception& e);

// A value for an error message: arrays and objects by their type, scalars written out as JSON,
// at most 80 characters and printable. Never recurses into the value.
template <typename Json>
std::string json_excerpt(const Json& value) {
    if (value.is_array()) return "an array";
    if (value.is_object()) return "an object";
    return printable(value.dump(-1, ' ', false, Json::error_handler_t::replace), 80);
}

}  // namespace rspcat::detail
