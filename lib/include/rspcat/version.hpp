#pragma once

#include <string_view>

namespace rspcat {

// The project's version, reported by `rspcat --version` and `rsp_version()`.
inline constexpr std::string_view project_version = "0.1.0";

}  // namespace rspcat
