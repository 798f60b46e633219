// The little HTTP that the registry client needs, on one libcurl easy handle per session.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rspcat::registry::detail {

enum class Method { get, head };

std::string_view method_name(Method method);

struct HttpResponse {
    long status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order

    // The first header of that (lower-case) name.
    std::optional<std::string> header(std::string_view name) const;
    std::vector<std::string> headers_named(std::string_view name) const;
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

    // Sends one request (redirects are not followed) and returns whatever status came back.
    // Throws TransportError when nothing usable came back within `timeout`.
    HttpResponse perform(Method method, const std::string& url, const std::vector<std::string>& headers,
                         std::chrono::milliseconds timeout);

    // `text` percent-encoded for a query string.
    std::string escape(std::string_view text);

   private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
};

}  // namespace rspcat::registry::detail
