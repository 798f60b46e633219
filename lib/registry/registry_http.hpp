// The little HTTP that the registry client needs, on one libcurl easy handle per session.
#pragma once

#include <curl/curl.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rspcat/registry.hpp"

namespace rspcat::registry::detail {

enum class Method { get, head, post, del };  // del: DELETE

// Whether a config.json key (`HOST[:PORT]`, `https://HOST[:PORT]/v1/`) names the registry at
// `authority`, ignoring case; Docker Hub's credentials are filed under its index's URL.
bool names_registry(std::string_view key, std::string_view authority);

std::string_view method_name(Method method);

struct HttpResponse {
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order

    // The first header of that (lower-case) name.
    std::optional<std::string> header(std::string_view name) const;
    std::vector<std::string> headers_named(std::string_view name) const;
};

// A URL as libcurl's URL API (CURLU) reads it.
class Url {
   public:
    Url();

    // Reads `text` as an absolute URL or, once the URL holds one, as a reference relative to it
    // (RFC 3986). Returns nullptr, or libcurl's reason when `text` is not a URL.
    const char* set(const std::string& text);
    // Appends `name=value` (already percent-encoded) to the query, after a `&` if it has one.
    // Returns nullptr or libcurl's reason, as set() does.
    const char* append_query(const std::string& pair);
    // One part (the scheme lower-cased), or nullopt when the URL has none.
    std::optional<std::string> get(CURLUPart part, unsigned flags = 0) const;

   private:
    struct Deleter {
        void operator()(CURLU* url) const { curl_url_cleanup(url); }
    };
    std::unique_ptr<CURLU, Deleter> url_;
};

// No answer at all: the connection failed or broke, or the request ran out of time.
// `transient` when trying again may help.
class TransportError : public std::runtime_error {
   public:
    TransportError(const std::string& message, bool transient, bool timed_out = false)
        : std::runtime_error(message), transient(transient), timed_out(timed_out) {}
    bool transient;
    bool timed_out;  // the request's timeout passed before the answer was complete
};

// One connection's worth of requests: keeps its connection open between requests. Not to be
// shared between threads.
class HttpSession {
   public:
    explicit HttpSession(bool insecure);
    ~HttpSession();
    HttpSession(const HttpSession&) = delete;
    HttpSession& operator=(const HttpSession&) = delete;

    // Sends one request (redirects are not followed) and returns whatever status came back;
    // with `basic`, libcurl adds their `Authorization: Basic` header. A POST sends `form` as
    // `application/x-www-form-urlencoded`. Throws TransportError when nothing usable came back
    // within `timeout`.
    HttpResponse perform(Method method, const std::string& url, const std::vector<std::string>& headers,
                         std::chrono::milliseconds timeout, const Credentials* basic = nullptr,
                         const std::string& form = "");

    // `text` percent-encoded for a query string.
    std::string escape(std::string_view text);

   private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
};

}  // namespace rspcat::registry::detail
