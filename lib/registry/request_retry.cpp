#include "request_retry.hpp"

#include <algorithm>
#include <thread>

#include "input_text.hpp"
#include "json_input.hpp"

namespace rspcat::registry::detail {

using Json = nlohmann::json;
using Limit = RegistryLimitError::Limit;

std::string describe(Method method, const std::string& url) { return std::string(method_name(method)) + " " + url; }

std::string duration_text(std::chrono::milliseconds duration) {
    if (duration.count() % 1000 == 0) return std::to_string(duration.count() / 1000) + " s";
    return std::to_string(duration.count()) + " ms";
}

std::optional<Json> parse_answer(const HttpResponse& response, std::string& why) {
    try {
        return rspcat::detail::parse_json_input(response.body);
    } catch (const rspcat::detail::JsonInputError& e) {
        why = e.what();
        return std::nullopt;
    }
}

std::string registry_error_text(const HttpResponse& response) {
    std::string ignored;
    const Json body = parse_answer(response, ignored).value_or(Json());
    // Docker's `{"errors": [{"code", "message"}]}`, or Google's `{"error": {"status", "message"}}`.
    const bool docker = body.is_object() && body.contains("errors") && body["errors"].is_array() && !body["errors"].empty();
    const bool google = body.is_object() && body.contains("error") && body["error"].is_object();
    if (!docker && !google) return "";
    const Json& first = docker ? body["errors"][0] : body["error"];
    const char* code = docker ? "code" : "status";
    std::string text;
    if (first.contains(code) && first[code].is_string()) text += first[code].get<std::string>();
    if (first.contains("message") && first["message"].is_string()) {
        text += (text.empty() ? "" : ": ") + first["message"].get<std::string>();
    }
    return text.empty() ? "" : " (" + rspcat::detail::printable(text, 200) + ")";
}

void fail_status(Method method, const std::string& url, const HttpResponse& response, const std::string& extra) {
    throw RegistryError(describe(method, url) + ": HTTP " + std::to_string(response.status) +
                        registry_error_text(response) + extra);
}

RetryingSender::RetryingSender(const RetryPolicy& retry, std::chrono::milliseconds request_timeout,
                               std::optional<std::chrono::milliseconds> deadline)
    : retry_(retry), request_timeout_(request_timeout), deadline_length_(deadline) {
    if (deadline) deadline_ = Clock::now() + *deadline;
}

HttpResponse RetryingSender::send(HttpSession& session, Method method, const std::string& url,
                                  const std::vector<std::string>& headers, const Credentials* basic,
                                  const std::string& form) const {
    const int attempts = std::max(1, retry_.attempts);
    for (int attempt = 1;; ++attempt) {
        const bool last = attempt >= attempts;
        const std::string tried = attempt > 1 ? " (tried " + std::to_string(attempt) + " times)" : "";
        const auto [timeout, cut_by_deadline] = time_for_request(method, url);
        try {
            HttpResponse response = session.perform(method, url, headers, timeout, basic, form);
            const bool overloaded = response.status == 429 || response.status >= 500;
            if (!overloaded) return response;
            if (last) fail_status(method, url, response, tried);
            wait_before_retry(delay(attempt, response.header("retry-after")), method, url);
        } catch (const TransportError& e) {
            if (e.timed_out && cut_by_deadline) throw deadline_passed(method, url);
            if (e.timed_out) {
                throw RegistryLimitError(describe(method, url) + ": no complete answer within " +
                                             duration_text(timeout) + " (the per-request timeout)" + tried,
                                         Limit::request_timeout);
            }
            if (!e.transient || last) throw RegistryError(describe(method, url) + ": " + e.what() + tried);
            wait_before_retry(delay(attempt, std::nullopt), method, url);
        }
    }
}

// How long the next request may take: the per-request timeout, or what is left before the
// deadline when that is less (and then `true`).
std::pair<std::chrono::milliseconds, bool> RetryingSender::time_for_request(Method method, const std::string& url) const {
    if (!deadline_) return {request_timeout_, false};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - Clock::now());
    if (left.count() <= 0) throw deadline_passed(method, url);
    if (left < request_timeout_) return {left, true};
    return {request_timeout_, false};
}

void RetryingSender::wait_before_retry(std::chrono::milliseconds wait, Method method, const std::string& url) const {
    if (deadline_ && Clock::now() + wait >= *deadline_) throw deadline_passed(method, url);
    std::this_thread::sleep_for(wait);
}

RegistryLimitError RetryingSender::deadline_passed(Method method, const std::string& url) const {
    return RegistryLimitError(describe(method, url) + ": the sync's deadline of " + duration_text(*deadline_length_) +
                                  " passed",
                              Limit::deadline);
}

std::chrono::milliseconds RetryingSender::delay(int attempt, const std::optional<std::string>& retry_after) const {
    if (retry_after && !retry_after->empty() && retry_after->size() <= 6 &&
        std::all_of(retry_after->begin(), retry_after->end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::min(retry_.max_delay, std::chrono::milliseconds(std::stoll(*retry_after) * 1000));
    }
    auto wait = retry_.first_delay;
    for (int i = 1; i < attempt && wait < retry_.max_delay; ++i) wait *= 2;
    return std::min(wait, retry_.max_delay);
}

}  // namespace rspcat::registry::detail
