// Policies from YAML (yaml-cpp) and from files. Kept apart from policy.cpp so that the SQLite
// extension, which reads policies only as JSON, does not link yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <vector>

#include "input_text.hpp"
#include "policy_document.hpp"

namespace rspcat {

namespace {

using nlohmann::json;

// A plain (unquoted) YAML scalar as YAML 1.2's core schema types it; quoted scalars stay text.
json plain_scalar(const std::string& text) {
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    const std::size_t digits_from = (text[0] == '-' || text[0] == '+') ? 1 : 0;
    if (text.size() > digits_from && text.find_first_not_of("0123456789", digits_from) == std::string::npos &&
        text.size() - digits_from < 19) {
        return std::stoll(text);
    }
    return text;
}

// More values than any policy (a few dozen) or values file (a few hundred) has. YAML aliases
// let a small hostile document stand for billions of them ("billion laughs"), which this stops.
constexpr std::size_t max_values = 100000;

// YAML nodes as JSON values. Iterative, so that deep nesting in a hostile document cannot
// exhaust the stack. Throws PolicyError for more than max_values values, a key that is not
// text, and a key given twice in a mapping (yaml-cpp keeps both; YAML 1.2 forbids it).
json to_json(const YAML::Node& root, const std::string& source) {
    constexpr std::size_t none = static_cast<std::size_t>(-1);
    // Where each value sits, for naming it: its key or `[index]`, and its parent's entry.
    struct Step {
        std::string name;
        std::size_t parent;
    };
    std::vector<Step> steps;
    auto path = [&](std::size_t at) {
        std::vector<const std::string*> names;
        for (; at != none; at = steps[at].parent) names.push_back(&steps[at].name);
        std::string out;
        for (auto name = names.rbegin(); name != names.rend(); ++name) {
            out += (out.empty() || (*name)->starts_with('[') ? "" : ".") + **name;
        }
        return out;
    };
    auto fail = [&](std::size_t at, const std::string& message) {
        const std::string where = at == none ? "" : path(at) + ": ";
        throw PolicyError(source + ": " + where + message);
    };
    struct Work {
        YAML::Node node;
        json* into;
        std::size_t step;
    };
    json result;
    std::vector<Work> stack{{root, &result, none}};
    for (std::size_t values = 0; !stack.empty(); ++values) {
        if (values > max_values) {
            fail(none, "more than " + std::to_string(max_values) + " values (aliases expanded): not a policy");
        }
        Work work = stack.back();
        stack.pop_back();
        switch (work.node.Type()) {
            case YAML::NodeType::Undefined:
            case YAML::NodeType::Null: *work.into = nullptr; break;
            case YAML::NodeType::Scalar:
                *work.into = work.node.Tag() == "!" ? json(work.node.Scalar()) : plain_scalar(work.node.Scalar());
                break;
            case YAML::NodeType::Sequence:
                *work.into = json::array();
                for (std::size_t i = 0; i < work.node.size(); ++i) work.into->push_back(nullptr);
                for (std::size_t i = 0; i < work.node.size(); ++i) {
                    steps.push_back({"[" + std::to_string(i) + "]", work.step});
                    stack.push_back({work.node[i], &(*work.into)[i], steps.size() - 1});
                }
                break;
            case YAML::NodeType::Map: {
                *work.into = json::object();
                std::unordered_map<std::string, int> lines;  // each key's line, to name both of a pair
                for (const auto& entry : work.node) {
                    // A list or mapping as a key (`? [a]: 1`) is YAML, but no policy key.
                    if (!entry.first.IsScalar()) fail(work.step, "a key that is not text: not a policy");
                    const std::string& key = entry.first.Scalar();
                    const int line = entry.first.Mark().line + 1;
                    const auto [first, added] = lines.emplace(key, line);
                    if (!added) {
                        steps.push_back({detail::printable(key, 80), work.step});
                        fail(steps.size() - 1, "given twice (lines " + std::to_string(first->second) + " and " +
                                                   std::to_string(line) + ")");
                    }
                    (*work.into)[key] = nullptr;
                }
                for (const auto& entry : work.node) {
                    steps.push_back({detail::printable(entry.first.Scalar(), 80), work.step});
                    stack.push_back({entry.second, &(*work.into)[entry.first.Scalar()], steps.size() - 1});
                }
                break;
            }
        }
    }
    return result;
}

// For a `.json` policy that is not JSON: whether the text would read as a YAML mapping.
std::string yaml_hint(std::string_view text) {
    try {
        if (YAML::Load(std::string(text)).IsMap()) {
            return "; the text is YAML, which rspcat reads only from files not named .json";
        }
    } catch (const YAML::Exception&) {
    }
    return "";
}

}  // namespace

FilterPolicy parse_policy_yaml(std::string_view text, const std::string& source, std::string_view key_path) {
    check_not_empty(text, source, true);
    YAML::Node document;
    try {
        document = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw PolicyError(source + ": not valid YAML: " + detail::printable(e.what(), 200));
    }
    return read_policy_document(to_json(document, source), source, key_path);
}

FilterPolicy parse_policy(std::string_view text, const std::string& source, PolicyFormat format,
                          std::string_view key_path) {
    text = detail::without_bom(text);
    if (format == PolicyFormat::yaml) return parse_policy_yaml(text, source, key_path);
    const json document = policy_json_document(text, source, [&] { return yaml_hint(text); });
    return read_policy_document(document, source, key_path);
}

PolicyFormat policy_format_of(std::string_view path) {
    return path.ends_with(".json") ? PolicyFormat::json : PolicyFormat::yaml;
}

std::string read_policy_file(const std::string& path) {
    // An ifstream opens a directory and reads nothing from it: that would be an empty policy.
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored)) {
        throw PolicyError("cannot read policy " + path + ": " + std::strerror(EISDIR));
    }
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) throw PolicyError("cannot read policy " + path + ": " + std::strerror(errno != 0 ? errno : ENOENT));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw PolicyError("cannot read policy " + path + ": " + std::strerror(errno != 0 ? errno : EIO));
    return text.str();
}

FilterPolicy load_policy_file(const std::string& path, std::string_view key_path) {
    return parse_policy(read_policy_file(path), path, policy_format_of(path), key_path);
}

PolicyReference parse_policy_reference(const std::string& text) {
    const std::size_t hash = text.rfind('#');
    std::error_code ignored;
    if (hash == std::string::npos || std::filesystem::exists(text, ignored)) return {text, ""};
    return {text.substr(0, hash), text.substr(hash + 1)};
}

}  // namespace rspcat
