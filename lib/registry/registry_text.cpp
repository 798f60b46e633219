// The text the registry client reads and writes: URLs, Link and WWW-Authenticate headers,
// base64, Docker's config.json. Plain functions, testable without a network.
#include <nlohmann/json.hpp>

#include <algorithm>

#include "digits.hpp"
#include "input_text.hpp"
#include "json_input.hpp"
#include "registry_http.hpp"
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

// A host name or IPv4 address as Docker reference grammar spells it (letters, digits, `-`, `.`),
// or a bracketed IPv6 address, which libcurl has checked. libcurl would also take `_`, escapes
// and non-ASCII names.
bool is_plain_host(std::string_view host) {
    if (host.starts_with('[')) return true;
    return !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
        return rspcat::detail::is_digit(c) || rspcat::detail::is_letter(c) || c == '-' || c == '.';
    });
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


constexpr std::string_view base64_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

namespace detail {

std::string auths_key_authority(std::string_view key) {
    if (const std::size_t scheme = key.find("://"); scheme != std::string_view::npos) key.remove_prefix(scheme + 3);
    return lower(key.substr(0, key.find('/')));
}

bool names_registry(std::string_view key, std::string_view authority) {
    const std::string wanted = lower(authority);
    const bool docker_hub = wanted == "docker.io" || wanted == "registry-1.docker.io" || wanted == "index.docker.io";
    const std::string key_authority = auths_key_authority(key);
    return key_authority == wanted || (docker_hub && key_authority == "index.docker.io");
}

}  // namespace detail

std::optional<BaseUrl> parse_base_url(std::string_view text) {
    detail::Url url;
    if (url.set(std::string(text)) != nullptr) return std::nullopt;
    const auto scheme = url.get(CURLUPART_SCHEME);
    const auto host = url.get(CURLUPART_HOST);
    const auto port = url.get(CURLUPART_PORT);
    if (!scheme || (*scheme != "http" && *scheme != "https") || !host || !is_plain_host(*host)) return std::nullopt;
    if (port == "0") return std::nullopt;
    const std::string authority = *host + (port ? ":" + *port : "");
    // The text must be just SCHEME://AUTHORITY[/] as libcurl read them: no user, path, query or
    // fragment, and nothing libcurl tidied (`https:/host`, `host:0443`, `127.1`, a bare `#`).
    if (!equal_ignoring_case(text.substr(0, scheme->size()), *scheme)) return std::nullopt;
    std::string_view rest = text.substr(scheme->size());
    if (rest.ends_with('/')) rest.remove_suffix(1);
    if (rest != "://" + authority) return std::nullopt;
    return BaseUrl{*scheme, authority};
}

std::optional<std::string> registry_name(std::string_view text) {
    // parse_base_url() takes a trailing `/`, and libcurl a user before `@`: neither is a name.
    if (text.empty() || text.find_first_of("/@?#") != std::string_view::npos) return std::nullopt;
    const auto url = parse_base_url("https://" + std::string(text));
    if (!url) return std::nullopt;
    return lower(url->authority);
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
        // Not e.what(): it quotes the text the parser read, which may be a password.
        fail("", rspcat::detail::json_problem_without_text(e));
    }
    if (!config.is_object()) fail("", "expected a Docker config.json object");
    const auto auths = config.find("auths");
    if (auths == config.end()) return std::nullopt;
    if (!auths->is_object()) fail("/auths", "expected an object");
    for (const auto& [key, entry] : auths->items()) {
        if (!detail::names_registry(key, authority)) continue;
        const std::string path = "/auths/" + key;
        if (!entry.is_object()) fail(path, "expected an object");
        const auto auth = entry.find("auth");
        const bool has_auth = auth != entry.end() && !(auth->is_string() && auth->get_ref<const std::string&>().empty());
        Credentials credentials;
        credentials.source = source;
        if (has_auth) {
            const auto decoded = auth->is_string() ? base64_decode(auth->get_ref<const std::string&>()) : std::nullopt;
            const std::size_t colon = decoded ? decoded->find(':') : std::string::npos;
            if (colon == std::string::npos) fail(path + "/auth", "not the base64 of USER:PASSWORD");
            credentials.username = decoded->substr(0, colon);
            credentials.password = decoded->substr(colon + 1);
        } else {
            const auto username = entry.find("username");
            const auto password = entry.find("password");
            if (username != entry.end() && password != entry.end() && username->is_string() && password->is_string()) {
                credentials.username = username->get<std::string>();
                credentials.password = password->get<std::string>();
            }
        }
        // Docker writes `identitytoken` beside an `auth` whose password is empty.
        const auto identity = entry.find("identitytoken");
        if (identity != entry.end() && !(identity->is_string() && identity->get_ref<const std::string&>().empty())) {
            if (!identity->is_string()) fail(path + "/identitytoken", "expected a string");
            credentials.identity_token = identity->get<std::string>();
        }
        if (credentials.username.empty() && credentials.password.empty() && credentials.identity_token.empty()) {
            fail(path, "no \"auth\" (nor \"username\" and \"password\", nor \"identitytoken\")");
        }
        return credentials;
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

        // Resolved by libcurl against the page the header came with (RFC 3986).
        detail::Url next;
        if (next.set(current_url) != nullptr) throw RegistryError("GET " + current_url + ": not a URL");
        if (const char* why = next.set(target)) {
            throw RegistryError("GET " + current_url + ": the Link to the next page is not a URL (" + why +
                                "): " + rspcat::detail::quoted(target));
        }
        detail::Url origin;
        if (origin.set(base.text()) != nullptr) throw RegistryError(base.text() + ": not a URL");
        const auto same = [&](CURLUPart part) {
            const auto a = next.get(part, CURLU_DEFAULT_PORT), b = origin.get(part, CURLU_DEFAULT_PORT);
            return a && b && equal_ignoring_case(*a, *b);
        };
        if (!same(CURLUPART_SCHEME) || !same(CURLUPART_HOST) || !same(CURLUPART_PORT)) {
            throw RegistryError("GET " + current_url + ": refusing to follow the Link to another host: " +
                                rspcat::detail::quoted(target));
        }
        // The base URL as the caller spelled it, so that every request names the registry alike.
        std::string resolved = base.text() + next.get(CURLUPART_PATH).value_or("/");
        if (const auto query = next.get(CURLUPART_QUERY)) resolved += "?" + *query;
        if (const auto fragment = next.get(CURLUPART_FRAGMENT)) resolved += "#" + *fragment;
        return resolved;
    }
    return std::nullopt;
}

}  // namespace rspcat::registry
