#include "fake_http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

namespace rspcat::test {

namespace {

constexpr std::size_t max_request_bytes = 64 * 1024;
constexpr int poll_interval_ms = 50;
constexpr auto request_deadline = std::chrono::seconds(5);

std::string lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

std::string reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 401: return "Unauthorized";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 429: return "Too Many Requests";
        case 500: return "Internal Server Error";
        case 503: return "Service Unavailable";
        default: return "Status";
    }
}

std::optional<FakeRequest> parse_request(const std::string& text) {
    const std::size_t line_end = text.find("\r\n");
    const std::string line = text.substr(0, line_end);
    const std::size_t space1 = line.find(' ');
    const std::size_t space2 = line.find(' ', space1 + 1);
    if (space1 == std::string::npos || space2 == std::string::npos) return std::nullopt;
    FakeRequest request;
    request.method = line.substr(0, space1);
    request.target = line.substr(space1 + 1, space2 - space1 - 1);
    const std::size_t question = request.target.find('?');
    request.path = request.target.substr(0, question);
    if (question != std::string::npos) request.query = request.target.substr(question + 1);
    std::size_t start = line_end + 2;
    while (start < text.size()) {
        const std::size_t end = text.find("\r\n", start);
        if (end == std::string::npos || end == start) break;
        const std::string header = text.substr(start, end - start);
        const std::size_t colon = header.find(':');
        if (colon != std::string::npos) {
            std::string value = header.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            request.headers[lower(header.substr(0, colon))] = value;
        }
        start = end + 2;
    }
    return request;
}

void write_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the client went away; nothing to tell it
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace

FakeHttpServer::FakeHttpServer(FakeHandler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error("fake server: socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
    address.sin_port = 0;
    socklen_t length = sizeof address;
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 64) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(listen_fd_);
        throw std::runtime_error("fake server: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
}

FakeHttpServer::~FakeHttpServer() {
    stopping_ = true;
    thread_.join();
    ::close(listen_fd_);
}

std::vector<FakeRequest> FakeHttpServer::requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
}

void FakeHttpServer::serve() {
    while (!stopping_) {
        pollfd waiting{listen_fd_, POLLIN, 0};
        if (::poll(&waiting, 1, poll_interval_ms) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        serve_connection(fd);
        ::close(fd);
    }
}

void FakeHttpServer::serve_connection(int fd) {
    // Read up to the end of the headers, then the body that Content-Length announces, within a
    // deadline.
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + request_deadline;
    auto read_more = [&]() {
        if (text.size() > max_request_bytes || std::chrono::steady_clock::now() > deadline || stopping_) return false;
        pollfd readable{fd, POLLIN, 0};
        if (::poll(&readable, 1, poll_interval_ms) <= 0) return true;
        char buffer[4096];
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return false;
        text.append(buffer, static_cast<std::size_t>(n));
        return true;
    };
    while (text.find("\r\n\r\n") == std::string::npos) {
        if (!read_more()) return;
    }
    auto request = parse_request(text);
    if (!request) return;
    const std::size_t body_start = text.find("\r\n\r\n") + 4;
    const std::string length = request->header("content-length");
    const std::size_t body_length = length.empty() ? 0 : std::stoul(length);
    if (body_length > max_request_bytes) return;
    while (text.size() < body_start + body_length) {
        if (!read_more()) return;
    }
    request->body = text.substr(body_start, body_length);
    request->server_url = url();
    {
        const std::lock_guard lock(mutex_);
        requests_.push_back(*request);
    }
    FakeReply reply;
    try {
        reply = handler_(*request);
    } catch (const std::exception& e) {
        reply = FakeReply{500, {}, std::string("fake server handler failed: ") + e.what()};
    }
    const auto answer_at = std::chrono::steady_clock::now() + reply.delay;
    while (std::chrono::steady_clock::now() < answer_at && !stopping_) {
        std::this_thread::sleep_for(std::chrono::milliseconds(poll_interval_ms));
    }
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) + "\r\n";
    for (const auto& [name, value] : reply.headers) out += name + ": " + value + "\r\n";
    out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\nConnection: close\r\n\r\n";
    if (request->method != "HEAD") out += reply.body;
    write_all(fd, out);
}

}  // namespace rspcat::test
