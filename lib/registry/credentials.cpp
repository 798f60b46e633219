// Credentials as Docker, crane and podman find them: config.json and containers' auth.json,
// their `auths`, `credHelpers` and `credsStore`, and the Docker credential-helper protocol
// (`docker-credential-NAME get`, the server on standard input, a JSON answer on standard
// output). Helpers run as run_program.hpp runs programs.
#include <sys/stat.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "input_text.hpp"
#include "json_input.hpp"
#include "registry_http.hpp"
#include "run_program.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::registry {

namespace {

using Json = nlohmann::json;

// What Docker's credential helpers print when they hold nothing for the server
// (docker/docker-credential-helpers, credentials.ErrCredentialsNotFound).
constexpr std::string_view not_found_answer = "credentials not found in native keychain";

std::optional<std::string> non_empty(const char* value) {
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

// `text` without the blanks and line ends around it.
std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
    return text;
}

// A file's whole text, or nullopt when it does not exist. Anything else that keeps it from being
// read (a directory, permissions) is an InputError naming it.
std::optional<std::string> read_if_present(const std::string& path) {
    struct stat info{};
    if (::stat(path.c_str(), &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw InputError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (S_ISDIR(info.st_mode)) throw InputError("cannot read " + path + ": it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw InputError("cannot read " + path + ": " + std::strerror(errno));
    return text.str();
}

// What one config file says about a registry.
struct ConfigEntry {
    std::optional<std::string> helper;       // NAME of docker-credential-NAME, from credHelpers or credsStore
    std::string helper_key;                  // `credHelpers` or `credsStore`, for messages
    std::optional<Credentials> credentials;  // from `auths`, when no helper applies
};

std::optional<ConfigEntry> config_entry(const std::string& text, const std::string& source, std::string_view authority) {
    auto fail = [&](const std::string& path, const std::string& message) -> void {
        throw InputError(source + ": " + (path.empty() ? "" : path + ": ") + message);
    };
    Json config;
    try {
        config = rspcat::detail::parse_json_input(text);
    } catch (const rspcat::detail::JsonInputError& e) {
        // Not e.what(): it quotes the text the parser read, which may be a password.
        fail("", rspcat::detail::json_problem_without_text(e));
    }
    if (!config.is_object()) fail("", "expected a Docker config.json object");
    // A helper's name becomes part of a program's name: no path, nothing a shell would read.
    auto checked_helper = [&](const Json& name, const std::string& path) {
        if (!name.is_string()) fail(path, "expected a string");
        const std::string& text_name = name.get_ref<const std::string&>();
        const bool plain = !text_name.empty() && text_name.size() <= 100 &&
                           text_name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                               std::string::npos;
        if (!plain) fail(path, rspcat::detail::quoted(text_name) + " is not a credential helper's name");
        return text_name;
    };
    if (const auto helpers = config.find("credHelpers"); helpers != config.end()) {
        if (!helpers->is_object()) fail("/credHelpers", "expected an object");
        for (const auto& [key, name] : helpers->items()) {
            if (!detail::names_registry(key, authority)) continue;
            return ConfigEntry{checked_helper(name, "/credHelpers/" + key), "credHelpers", std::nullopt};
        }
    }
    // Docker writes `"credsStore": ""` for none.
    if (const auto store = config.find("credsStore");
        store != config.end() && !(store->is_string() && store->get_ref<const std::string&>().empty())) {
        return ConfigEntry{checked_helper(*store, "/credsStore"), "credsStore", std::nullopt};
    }
    auto credentials = credentials_from_docker_config(text, source, authority);
    if (!credentials) return std::nullopt;
    return ConfigEntry{std::nullopt, "", std::move(credentials)};
}

// The server a helper is asked about: the registry's `HOST[:PORT]`, or Docker Hub's index URL,
// under which Docker files Hub's credentials.
std::string helper_server(std::string_view authority) {
    if (detail::names_registry("https://index.docker.io/v1/", authority)) return "https://index.docker.io/v1/";
    return std::string(authority);
}

std::optional<Credentials> ask_helper(const std::string& name, const std::string& where, std::string_view authority,
                                      const CredentialLookup& lookup) {
    const std::string program = "docker-credential-" + name;
    const std::string helper = program + " (" + where + ")";
    const auto found = detail::find_program(program, lookup.path);
    if (!found) throw RegistryError(helper + ": not found on PATH");
    const detail::ProgramRun run = detail::run_program(helper, *found, {"get"}, helper_server(authority), lookup.helper_timeout);
    if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
        if (trimmed(run.out) == not_found_answer) return std::nullopt;
        // What it printed is not shown: a helper may echo the secrets it was handling.
        throw RegistryError(helper + ": `" + program + " get` " + detail::exit_text(run.status) +
                            " (what it printed is not shown: it may hold secrets)");
    }
    Json answer;
    try {
        answer = rspcat::detail::parse_json_input(run.out);
    } catch (const rspcat::detail::JsonInputError&) {
        answer = Json();
    }
    const auto field = [&](const char* key) -> std::optional<std::string> {
        if (!answer.is_object()) return std::nullopt;
        const auto value = answer.find(key);
        if (value == answer.end() || !value->is_string()) return std::nullopt;
        return value->get<std::string>();
    };
    const auto username = field("Username");
    const auto secret = field("Secret");
    if (!username || !secret) {
        throw RegistryError(helper + ": `" + program +
                            " get` did not answer a JSON object with \"Username\" and \"Secret\" strings");
    }
    if (username->empty() && secret->empty()) return std::nullopt;
    Credentials credentials;
    credentials.source = program;
    // docker/cli: a Username of `<token>` marks the Secret as an identity token.
    if (*username == "<token>") {
        credentials.identity_token = *secret;
    } else {
        credentials.username = *username;
        credentials.password = *secret;
    }
    return credentials;
}

}  // namespace

CredentialLookup credential_lookup_from_environment() {
    CredentialLookup lookup;
    lookup.docker_config = non_empty(std::getenv("DOCKER_CONFIG"));
    lookup.home = non_empty(std::getenv("HOME"));
    lookup.registry_auth_file = non_empty(std::getenv("REGISTRY_AUTH_FILE"));
    lookup.xdg_runtime_dir = non_empty(std::getenv("XDG_RUNTIME_DIR"));
    lookup.path = non_empty(std::getenv("PATH"));
    return lookup;
}

std::vector<std::string> credential_files(const CredentialLookup& lookup) {
    if (lookup.config_file) return {*lookup.config_file};
    std::vector<std::string> files;
    if (lookup.docker_config) {
        files.push_back(*lookup.docker_config + "/config.json");
    } else if (lookup.home) {
        files.push_back(*lookup.home + "/.docker/config.json");
    }
    if (lookup.registry_auth_file) files.push_back(*lookup.registry_auth_file);
    if (lookup.xdg_runtime_dir) files.push_back(*lookup.xdg_runtime_dir + "/containers/auth.json");
    return files;
}

std::optional<Credentials> resolve_credentials(std::string_view authority, const CredentialLookup& lookup) {
    try {
        for (const std::string& file : credential_files(lookup)) {
            auto text = read_if_present(file);
            if (!text) {
                if (lookup.config_file) throw InputError("cannot read " + file + ": " + std::strerror(ENOENT));
                continue;
            }
            auto entry = config_entry(*text, file, authority);
            if (!entry) {
                if (lookup.config_file) {
                    throw InputError(file + ": no \"auths\" or \"credHelpers\" entry for " + std::string(authority) +
                                     " and no \"credsStore\"");
                }
                continue;
            }
            if (!entry->helper) return entry->credentials;
            auto credentials = ask_helper(*entry->helper, entry->helper_key + " in " + file, authority, lookup);
            // A store that holds nothing for this registry leaves the next file to answer
            // (podman's auth.json after Docker's credsStore), unless the file was named.
            if (credentials || lookup.config_file) return credentials;
        }
        return std::nullopt;
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw RegistryError(std::string("looking up the credentials for ") + std::string(authority) + ": " + e.what());
    }
}

}  // namespace rspcat::registry
