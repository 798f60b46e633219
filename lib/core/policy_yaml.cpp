// Policies from YAML (yaml-cpp) and from files. Kept apart from policy.cpp so that the SQLite
// extension, which reads policies only as JSON, does not link yaml-cpp.
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <optional>
#include <sstream>

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

// More values than any policy has (a policy is a few dozen). YAML aliases let a small hostile
// document stand for billions of them ("billion laughs"), which this stops.
constexpr std::size_t max_values = 100000;

// YAML nodes as JSON values. Iterative, so that deep nesting in a hostile document cannot
// exhaust the stack; nullopt when the document holds more than max_values values or a key that
// is not text.
std::optional<json> to_json(const YAML::Node& root) {
    struct Work {
        YAML::Node node;
        json* into;
    };
    json result;
    std::vector<Work> stack{{root, &result}};
    for (std::size_t values = 0; !stack.empty(); ++values) {
        if (values > max_values) return std::nullopt;
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
                for (std::size_t i = 0; i < work.node.size(); ++i) stack.push_back({work.node[i], &(*work.into)[i]});
                break;
            case YAML::NodeType::Map:
                *work.into = json::object();
                for (const auto& entry : work.node) {
                    // A list or mapping as a key (`? [a]: 1`) is YAML, but no policy key.
                    if (!entry.first.IsScalar()) return std::nullopt;
                    (*work.into)[entry.first.Scalar()] = nullptr;
                }
                for (const auto& entry : work.node) {
                    stack.push_back({entry.second, &(*work.into)[entry.first.Scalar()]});
                }
                break;
        }
    }
    return result;
}

}  // namespace

FilterPolicy parse_policy_yaml(std::string_view text, const std::string& source) {
    YAML::Node document;
    try {
        document = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        throw PolicyError(source + ": not valid YAML: " + std::string(e.what()).substr(0, 200));
    }
    const auto value = to_json(document);
    if (!value) {
        throw PolicyError(source + ": not a policy: a key that is not text, or more than " +
                          std::to_string(max_values) + " values (aliases expanded)");
    }
    return read_policy_document(*value, source);
}

FilterPolicy load_policy_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw PolicyError("cannot read policy " + path);
    std::ostringstream text;
    text << in.rdbuf();
    const bool json_file = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return json_file ? parse_policy_json(text.str(), path) : parse_policy_yaml(text.str(), path);
}

}  // namespace rspcat
