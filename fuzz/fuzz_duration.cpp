// Durations (model.md §4 `age`): any bytes parse or not without crashing; a duration is never
// negative, and its value written back as whole seconds, or as ISO 8601 seconds, reads back the
// same.
#include "fuzz_support.hpp"
#include "rspcat/policy.hpp"

using namespace rspcat;
using rspcat::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const auto duration = parse_duration(text);
    if (!duration) return 0;
    check(duration->count() >= 0, "a duration is not negative", text);
    const std::string seconds = std::to_string(duration->count());
    check(parse_duration(seconds) == duration, "whole seconds read back", text);
    check(parse_duration("PT" + seconds + "S") == duration, "ISO 8601 seconds read back", text);
    return 0;
}
