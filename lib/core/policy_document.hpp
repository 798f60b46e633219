// Reading a policy from a JSON value, shared by the JSON and YAML front ends.
#pragma once

#include <nlohmann/json.hpp>

#include "rspcat/policy.hpp"

namespace rspcat {

FilterPolicy read_policy_document(const nlohmann::json& document, const std::string& source);

}  // namespace rspcat
