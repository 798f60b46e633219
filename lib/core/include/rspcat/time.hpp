// Points in time as the catalog stores them: ISO 8601 in UTC, to the second.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "rspcat/export.hpp"

namespace rspcat {

using Timestamp = std::chrono::sys_seconds;

// `2025-06-05T12:00:00Z`, `2025-06-05T12:00Z`, `2025-06-05 12:00:00`, fractions of a second
// (dropped), an offset such as `+02:00` (converted to UTC), no zone (UTC), or a bare date
// (midnight UTC). nullopt for anything else, including dates that do not exist.
RSPCAT_API std::optional<Timestamp> parse_timestamp(std::string_view text);

// `2025-06-05T12:00:00Z`: the form stored in the catalog, which sorts as time does.
RSPCAT_API std::string format_timestamp(Timestamp t);

RSPCAT_API Timestamp now_utc();

}  // namespace rspcat
