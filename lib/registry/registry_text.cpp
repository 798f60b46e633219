// The text the registry client reads and writes: URLs, Link and WWW-Authenticate headers,
// base64, Docker's config.json. Plain functions, testable without a network.
#include <nlohmann/json.hpp>

#include "digits.hpp"
#include "input_text.hpp"
#include "json_input.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::registry {

namespace {

char lower_ascii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = lower_ascii(c);
    return out;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

// `HOST[:PORT]`: a name, an IPv4 address or a bracketed IPv6 address, and an optional port.
bool is_authority(std::string_view text) {
    if (text.empty()) return false;
    std::string_view host = text;
    std::string_view port;
    if (text.front() == '[') {
        const std::size_t close = text.find(']');
        if (close == std::string_view::npos) return false;
        host = text.substr(1, close - 1);
        const std::string_view rest = text.substr(close + 1);
        if (!rest.empty() && (rest.front() != ':' || rest.size() == 1)) return false;
        if (!rest.empty()) port = rest.substr(1);
        if (host.empty() || host.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) return false;
    } else {
        const std::size_t colon = text.find(':');
        if (colon != std::string_view::npos) {
            host = text.substr(0, colon);
            port = text.substr(colon + 1);
            if (port.empty()) return false;
        }
        if (host.empty()) return false;
        for (char c : host) {
            if (!(rspcat::detail::is_digit(c) || rspcat::detail::is_letter(c) || c == '-' || c == '.')) return false;
        }
    }
    if (!port.empty()) {
        const auto number = rspcat::detail::all_digits(port) && port.size() <= 5 ? rspcat::detail::to_int64(port) : std::nullopt;
        if (!number || *number < 1 || *number > 65535) return false;
    }
    return true;
}

struct UrlParts {
    std::string scheme;     // lower-cased
    std::string authority;  // as written
    std::string rest;       // path and query, starting with `/` (or empty)
};

std::optional<UrlParts> split_absolute_url(std::string_view url) {
    const std::size_t colon = url.find("://");
    if (colon == std::string_view::npos) return std::nullopt;
    UrlParts parts;
    parts.scheme = lower(url.substr(0, colon));
    const std::string_view after = url.substr(colon + 3);
    const std::size_t path = after.find_first_of("/?#");
    parts.authority = std::string(after.substr(0, path));
    if (path != std::string_view::npos) parts.rest = std::string(after.substr(path));
    return parts;
}

// Splits a header value at commas that are outside double quotes.
std::vector<std::string_view> split_outside_quotes(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    bool quoted = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && quoted) {
            ++i;
        } else if (text[i] == '"') {
            quoted = !quoted;
        } else if (text[i] == separator && !quoted) {
            parts.push_back(text.substr(start, i - start));
            start = i + 1;
        }
    }
    parts.push_back(text.substr(start));
    return parts;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

// `"a\"b"` → `a"b`; a token stays as it is.
std::string unquote(std::string_view value) {
    value = trim(value);
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::string(value);
    std::string out;
    for (std::size_t i = 1; i + 1 < value.size(); ++i) {
        if (value[i] == '\\' && i + 2 < value.size()) ++i;
        out.push_back(value[i]);
    }
    return out;
}

// A config.json `auths` key (`host:port`, `https://host:port/v1/`) reduced to its authority.
std::string auths_key_authority(std::string_view key) {
    if (const std::size_t scheme = key.find("://"); scheme != std::string_view::npos) key.remove_prefix(scheme + 3);
    return lower(key.substr(0, key.find('/')));
}

constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::optional<BaseUrl> parse_base_url(std::string_view text) {
    const auto parts = split_absolute_url(text);
    if (!parts || (parts->scheme != "http" && parts->scheme != "https")) return std::nullopt;
    if (!parts->rest.empty() && parts->rest != "/") return std::nullopt;
    if (!is_authority(parts->authority)) return std::nullopt;
    return BaseUrl{parts->scheme, parts->authority};
}

bool is_repository_name(std::string_view name) {
    if (name.empty() || name.size() > 255) return false;
    auto alnum = [](char c) { return rspcat::detail::is_digit(c) || (c >= 'a' && c <= 'z'); };
    std::size_t i = 0;
    while (true) {
        // A component: alphanumeric runs joined by `.`, `_`, `__` or any number of `-`.
        if (i >= name.size() || !alnum(name[i])) return false;
        while (i < name.size() && alnum(name[i])) ++i;
        while (i < name.size() && name[i] != '/') {
            const std::size_t separator = i;
            if (name[i] == '.') {
                ++i;
            } else if (name[i] == '_') {
                ++i;
                if (i < name.size() && name[i] == '_') ++i;
            } else if (name[i] == '-') {
                while (i < name.size() && name[i] == '-') ++i;
            } else {
                return false;
            }
            if (i >= name.size() || !alnum(name[i]) || i == separator) return false;
            while (i < name.size() && alnum(name[i])) ++i;
        }
        if (i == name.size()) return true;
        ++i;  // the `/`
    }
}

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        std::uint32_t group = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        if (i + 2 < bytes.size()) group |= static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(base64_alphabet[(group >> 18) & 63]);
        out.push_back(base64_alphabet[(group >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? base64_alphabet[(group >> 6) & 63] : '=');
        out.push_back(i + 2 < bytes.size() ? base64_alphabet[group & 63] : '=');
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    while (!text.empty() && text.back() == '=') text.remove_suffix(1);
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    std::uint32_t group = 0;
    int bits = 0;
    for (char c : text) {
        const std::size_t value = base64_alphabet.find(c);
        if (value == std::string_view::npos) return std::nullopt;
        group = (group << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((group >> bits) & 0xff));
        }
    }
    return out;
}

std::optional<Credentials> credentials_from_docker_config(std::string_view json_text, const std::string& source,
                                                          std::string_view authority) {
    using Json = nlohmann::json;
    auto fail = [&](const std::string& path, const std::string& message) -> void {
        throw InputError(source + ": " + (path.empty() ? "" : path + ": ") + message);
    };
    Json config;
    try {
        config = rspcat::detail::parse_json_input(json_text);
    } catch (const rspcat::detail::JsonInputError& e) {
        fail("", e.what());
    }
    if (!config.is_object()) fail("", "expected a Docker config.json object");
    const auto auths = config.find("auths");
    if (auths == config.end()) return std::nullopt;
    if (!auths->is_object()) fail("/auths", "expected an object");
    // Docker Hub's credentials are filed under its index's URL.
    const std::string wanted = lower(authority);
    const bool docker_hub = wanted == "docker.io" || wanted == "registry-1.docker.io" || wanted == "index.docker.io";
    for (const auto& [key, entry] : auths->items()) {
        const std::string key_authority = auths_key_authority(key);
        const bool matches = key_authority == wanted || (docker_hub && key_authority == "index.docker.io");
        if (!matches) continue;
        const std::string path = "/auths/" + key;
        if (!entry.is_object()) fail(path, "expected an object");
        const auto auth = entry.find("auth");
        const bool has_auth = auth != entry.end() && !(auth->is_string() && auth->get_ref<const std::string&>().empty());
        if (has_auth) {
            const auto decoded = auth->is_string() ? base64_decode(auth->get_ref<const std::string&>()) : std::nullopt;
            const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
            if (colon == std::string::npos) fail(path + "/auth", "not the base64 of USER:PASSWORD");
            return Credentials{decoded->substr(0, colon), decoded->substr(colon + 1)};
        }
        const auto username = entry.find("username");
        const auto password = entry.find("password");
        if (username != entry.end() && password != entry.end() && username->is_string() && password->is_string()) {
            return Credentials{username->get<std::string>(), password->get<std::string>()};
        }
        fail(path, "no \"auth\" (nor \"username\" and \"password\"); credential stores and helpers are not read");
    }
    return std::nullopt;
}

std::optional<Challenge> parse_challenge(std::string_view header) {
    header = trim(header);
    const std::size_t space = header.find(' ');
    Challenge challenge;
    challenge.scheme = lower(header.substr(0, space));
    if (challenge.scheme.empty()) return std::nullopt;
    if (space == std::string_view::npos) return challenge;
    for (std::string_view part : split_outside_quotes(header.substr(space + 1), ',')) {
        part = trim(part);
        if (part.empty()) continue;
        const std::size_t equals = part.find('=');
        if (equals == std::string_view::npos) return std::nullopt;
        challenge.params[lower(trim(part.substr(0, equals)))] = unquote(part.substr(equals + 1));
    }
    return challenge;
}

std::optional<std::string> next_page_url(std::string_view link_header, const BaseUrl& base,
                                         const std::string& current_url) {
    for (std::string_view link : split_outside_quotes(link_header, ',')) {
        link = trim(link);
        if (!link.starts_with('<')) continue;
        const std::size_t close = link.find('>');
        if (close == std::string_view::npos) continue;
        const std::string target(link.substr(1, close - 1));
        bool is_next = false;
        for (std::string_view param : split_outside_quotes(link.substr(close + 1), ';')) {
            param = trim(param);
            const std::size_t equals = param.find('=');
            if (equals == std::string_view::npos || lower(trim(param.substr(0, equals))) != "rel") continue;
            // Named, so that the views split_outside_quotes() returns outlive the loop's start:
            // a temporary string here died before the loop read them (ASan: stack-use-after-scope).
            const std::string rels = unquote(param.substr(equals + 1));
            for (std::string_view rel : split_outside_quotes(rels, ' ')) {
                if (equal_ignoring_case(rel, "next")) is_next = true;
            }
        }
        if (!is_next) continue;

        if (target.find("://") != std::string::npos || target.starts_with("//")) {
            const auto parts = split_absolute_url(target.starts_with("//") ? base.scheme + ":" + target : target);
            if (!parts || parts->scheme != base.scheme || !equal_ignoring_case(parts->authority, base.authority)) {
                throw RegistryError("GET " + current_url + ": refusing to follow the Link to another host: " +
                                    rspcat::detail::quoted(target));
            }
            return base.text() + parts->rest;
        }
        if (target.starts_with('/')) return base.text() + target;
        // Relative to the current page: its path up to the last `/` (or, for `?…`, its whole path).
        const auto current = split_absolute_url(current_url);
        const std::string current_path = current ? current->rest.substr(0, current->rest.find_first_of("?#")) : "/";
        if (target.starts_with('?')) return base.text() + current_path + target;
        return base.text() + current_path.substr(0, current_path.rfind('/') + 1) + target;
    }
    return std::nullopt;
}

}  // namespace rspcat::registry
