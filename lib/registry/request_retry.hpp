// Sending one request the way every registry client of rspcat does: 429, 5xx and dropped
// connections tried again with backoff (or what Retry-After asks), each request bounded by a
// timeout and all of them by a deadline. The Docker client and the Artifact Registry client
// share it, so that both fail and wait alike.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "registry_http.hpp"
#include "rspcat/registry.hpp"

namespace rspcat::registry::detail {

// `GET https://…`: how messages name a request.
std::string describe(Method method, const std::string& url);

// `60 s`, or `300 ms` for what is not whole seconds.
std::string duration_text(std::chrono::milliseconds duration);

// A registry's answer as JSON, or nullopt (with the reason in `why`) when it is not JSON
// within the depth limit.
std::optional<nlohmann::json> parse_answer(const HttpResponse& response, std::string& why);

// `(CODE: message)` from a registry's JSON error body (Docker's or Google's), or nothing.
std::string registry_error_text(const HttpResponse& response);

// A RegistryError naming the request, the status and the registry's error text, then `extra`.
[[noreturn]] void fail_status(Method method, const std::string& url, const HttpResponse& response,
                              const std::string& extra = "");

class RetryingSender {
   public:
    // The deadline (when there is one) starts now.
    RetryingSender(const RetryPolicy& retry, std::chrono::milliseconds request_timeout,
                   std::optional<std::chrono::milliseconds> deadline);

    // The answer to one request, tried again while the server is overloaded or the connection
    // drops, as RetryPolicy says. Whatever status is not 429 or 5xx is returned as it is.
    // Throws RegistryError, RegistryLimitError for the timeout and the deadline.
    HttpResponse send(HttpSession& session, Method method, const std::string& url,
                      const std::vector<std::string>& headers, const Credentials* basic = nullptr,
                      const std::string& form = "") const;

   private:
    using Clock = std::chrono::steady_clock;
    std::pair<std::chrono::milliseconds, bool> time_for_request(Method method, const std::string& url) const;
    void wait_before_retry(std::chrono::milliseconds wait, Method method, const std::string& url) const;
    RegistryLimitError deadline_passed(Method method, const std::string& url) const;
    std::chrono::milliseconds delay(int attempt, const std::optional<std::string>& retry_after) const;

    RetryPolicy retry_;
    std::chrono::milliseconds request_timeout_;
    std::optional<std::chrono::milliseconds> deadline_length_;
    std::optional<Clock::time_point> deadline_;
};

}  // namespace rspcat::registry::detail
