// A tiny HTTP/1.1 server for tests, on 127.0.0.1 and a port the kernel picks, answering from a
// function the test gives. It stands in for registries where the real one cannot show what is
// tested (Link pagination, bearer tokens, overload). One connection at a time, one request per
// connection (`Connection: close`), a body only by Content-Length; it stops, and its thread ends, when the object goes.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rspcat::test {

struct FakeRequest {
    std::string method;
    std::string target;  // path and query, as sent
    std::string path;
    std::string query;                           // after `?`, or empty
    std::map<std::string, std::string> headers;  // names lower-cased
    std::string body;                            // as Content-Length says (POST)
    std::string server_url;                      // `http://127.0.0.1:PORT` of the server

    std::string header(const std::string& name) const {
        const auto found = headers.find(name);
        return found == headers.end() ? "" : found->second;
    }
};

struct FakeReply {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // How long to hold the request before answering: a stalled registry. The wait ends early
    // when the server stops, so a test need not wait it out.
    std::chrono::milliseconds delay{0};
};

using FakeHandler = std::function<FakeReply(const FakeRequest&)>;

class FakeHttpServer {
   public:
    explicit FakeHttpServer(FakeHandler handler);
    ~FakeHttpServer();
    FakeHttpServer(const FakeHttpServer&) = delete;
    FakeHttpServer& operator=(const FakeHttpServer&) = delete;

    int port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // Every request served so far, in order.
    std::vector<FakeRequest> requests() const;

   private:
    void serve();
    void serve_connection(int fd);

    FakeHandler handler_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_{false};
    mutable std::mutex mutex_;
    std::vector<FakeRequest> requests_;
    std::thread thread_;
};

}  // namespace rspcat::test
