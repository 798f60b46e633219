#include "registry_http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>
#include <new>

#include "rspcat/version.hpp"

namespace rspcat::registry::detail {

namespace {

// Tag lists of many thousand tags are a few hundred kilobytes; anything far larger is not a
// registry answering what was asked.
constexpr std::size_t max_body_bytes = 64 * 1024 * 1024;
constexpr long connect_timeout_ms = 10'000;

struct CurlEasyDeleter {
    void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct CurlListDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlList = std::unique_ptr<curl_slist, CurlListDeleter>;

// curl_global_init is not thread-safe on every libcurl build: done once, before any session.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw TransportError("libcurl cannot start", false);
    });
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
    return text;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
        text.remove_suffix(1);
    }
    return text;
}

// What a transfer collects. The callbacks below are called by libcurl (C code): they must not
// throw, so they report trouble by returning a short count, which makes libcurl stop.
struct Transfer {
    HttpResponse response;
    bool too_large = false;
    bool in_headers = false;  // between the status line and the blank line that ends the headers
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    if (transfer->response.body.size() + bytes > max_body_bytes) {
        transfer->too_large = true;
        return 0;
    }
    try {
        transfer->response.body.append(data, bytes);
    } catch (...) {
        return 0;
    }
    return bytes;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) noexcept {
    auto* transfer = static_cast<Transfer*>(user);
    const std::size_t bytes = size * count;
    try {
        const std::string_view line(data, bytes);
        // A new status line (after `100 Continue`, say) starts a new set of headers.
        if (line.starts_with("HTTP/")) {
            transfer->response.headers.clear();
            transfer->in_headers = true;
            return bytes;
        }
        if (trim(line).empty()) {
            transfer->in_headers = false;
            return bytes;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return bytes;
        transfer->response.headers.emplace_back(lower(std::string(trim(line.substr(0, colon)))),
                                                std::string(trim(line.substr(colon + 1))));
    } catch (...) {
        return 0;
    }
    return bytes;
}

// Connection trouble that may pass; everything else (a bad URL, a refused certificate, a
// refused connection) will not. A timeout is either: see perform().
bool is_transient(CURLcode code) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

}  // namespace

Url::Url() {
    init_curl_once();
    url_.reset(curl_url());
    if (!url_) throw std::bad_alloc();
}

const char* Url::set(const std::string& text) {
    const CURLUcode code = curl_url_set(url_.get(), CURLUPART_URL, text.c_str(), 0);
    return code == CURLUE_OK ? nullptr : curl_url_strerror(code);
}

const char* Url::append_query(const std::string& pair) {
    const CURLUcode code = curl_url_set(url_.get(), CURLUPART_QUERY, pair.c_str(), CURLU_APPENDQUERY);
    return code == CURLUE_OK ? nullptr : curl_url_strerror(code);
}

std::optional<std::string> Url::get(CURLUPart part, unsigned flags) const {
    char* text = nullptr;
    const CURLUcode code = curl_url_get(url_.get(), part, &text, flags);
    if (code == CURLUE_OUT_OF_MEMORY) throw std::bad_alloc();
    if (code != CURLUE_OK) return std::nullopt;
    std::string out = text;
    curl_free(text);
    return out;
}

std::string_view method_name(Method method) {
    switch (method) {
        case Method::get: return "GET";
        case Method::head: return "HEAD";
        case Method::post: return "POST";
        case Method::del: return "DELETE";
    }
    return "GET";
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (key == name) return value;
    }
    return std::nullopt;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view name) const {
    std::vector<std::string> values;
    for (const auto& [key, value] : headers) {
        if (key == name) values.push_back(value);
    }
    return values;
}

struct HttpSession::Handle {
    std::unique_ptr<CURL, CurlEasyDeleter> easy;
    char error[CURL_ERROR_SIZE] = {};
};

HttpSession::HttpSession(bool insecure) : handle_(std::make_unique<Handle>()) {
    init_curl_once();
    handle_->easy.reset(curl_easy_init());
    CURL* easy = handle_->easy.get();
    if (!easy) throw TransportError("libcurl cannot create a handle", false);
    static const std::string user_agent = "rspcat/" + std::string(project_version);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, handle_->error);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);  // several sessions run on threads
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
    curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);  // sent with the first request, unasked
    if (insecure) {
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, static_cast<curl_write_callback>(on_body));
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, static_cast<curl_write_callback>(on_header));
}

HttpSession::~HttpSession() = default;

HttpResponse HttpSession::perform(Method method, const std::string& url, const std::vector<std::string>& headers,
                                  std::chrono::milliseconds timeout, const Credentials* basic,
                                  const std::string& form) {
    CURL* easy = handle_->easy.get();
    CurlList header_list;
    for (const auto& header : headers) {
        curl_slist* appended = curl_slist_append(header_list.get(), header.c_str());
        if (!appended) throw TransportError("out of memory", false);
        (void)header_list.release();
        header_list.reset(appended);
    }
    Transfer transfer;
    handle_->error[0] = '\0';
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    // At least 1 ms: 0 would mean no timeout at all.
    const long timeout_ms = std::max<long>(1, static_cast<long>(timeout.count()));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, std::min(connect_timeout_ms, timeout_ms));
    if (method == Method::head) {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else if (method == Method::post) {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 0L);
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(form.size()));
        curl_easy_setopt(easy, CURLOPT_COPYPOSTFIELDS, form.c_str());  // libcurl keeps a copy
    } else {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    }
    // DELETE is a GET with another verb and no body; nullptr forgets the previous request's.
    curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, method == Method::del ? "DELETE" : nullptr);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, header_list.get());
    // libcurl copies these; nullptr forgets the previous request's.
    curl_easy_setopt(easy, CURLOPT_USERNAME, basic ? basic->username.c_str() : nullptr);
    curl_easy_setopt(easy, CURLOPT_PASSWORD, basic ? basic->password.c_str() : nullptr);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &transfer);
    const CURLcode code = curl_easy_perform(easy);
    // The list dies with this call: libcurl must not keep a pointer to it.
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, nullptr);
    if (transfer.too_large) {
        throw TransportError("the answer is larger than " + std::to_string(max_body_bytes / (1024 * 1024)) + " MiB",
                             false);
    }
    // libcurl refuses a header line longer than CURL_MAX_HTTP_HEADER with CURLE_OUT_OF_MEMORY
    // (7.88 has no code of its own for it); while headers arrive, that is what it means.
    if (code == CURLE_OUT_OF_MEMORY && transfer.in_headers) {
        throw TransportError("a response header larger than " + std::to_string(CURL_MAX_HTTP_HEADER / 1024) +
                                 " KB (libcurl's limit)",
                             false);
    }
    if (code != CURLE_OK) {
        const std::string detail = handle_->error[0] != '\0' ? handle_->error : curl_easy_strerror(code);
        // The request's own timeout is final (the caller chose how long to wait); the shorter
        // connect timeout is connection trouble like any other, worth another try. libcurl says
        // which only in its message, so: the connect timeout fired when it is the shorter one and
        // no connection was made. (Timing the call is not enough: libcurl may stop up to a
        // millisecond before the timeout by the caller's clock.)
        curl_off_t connected_after_us = 0;
        curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connected_after_us);
        const bool connect_timeout = connected_after_us == 0 && connect_timeout_ms < timeout_ms;
        const bool timed_out = code == CURLE_OPERATION_TIMEDOUT && !connect_timeout;
        throw TransportError(detail, is_transient(code) && !timed_out, timed_out);
    }
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    return std::move(transfer.response);
}

std::string HttpSession::escape(std::string_view text) {
    char* escaped = curl_easy_escape(handle_->easy.get(), text.data(), static_cast<int>(text.size()));
    if (!escaped) throw TransportError("out of memory", false);
    std::string out = escaped;
    curl_free(escaped);
    return out;
}

}  // namespace rspcat::registry::detail
