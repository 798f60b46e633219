// Reading a policy from a JSON value, shared by the JSON and YAML front ends.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "rspcat/policy.hpp"

namespace rspcat {

// The policy at `key_path` in the document (the whole document for an empty path). Throws
// PolicyError when the path leads nowhere or the value there is not a policy mapping.
FilterPolicy read_policy_document(const nlohmann::json& document, const std::string& source,
                                  std::string_view key_path);

// Throws PolicyError for a document with nothing in it: blank, or, with `comments`, only YAML
// comments and document markers.
void check_not_empty(std::string_view text, const std::string& source, bool comments);

// The text as a JSON document, keys given twice refused. For text that is not JSON the error
// says where, and adds what `hint` returns (when it returns anything).
nlohmann::json policy_json_document(std::string_view text, const std::string& source,
                                    const std::function<std::string()>& hint = {});

}  // namespace rspcat
