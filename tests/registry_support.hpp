// A real registry for tests: Debian's docker-registry (Docker Distribution) on 127.0.0.1, a
// free port and a temporary storage directory, images pushed to it with skopeo from OCI layouts
// that tests/registry/oci_layout.sh builds. Tools that are missing fail the test loudly:
// scripts/install-deps.sh installs them all.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "cli_support.hpp"
#include "test_support.hpp"

namespace rspcat::test {

// The full path of a program on PATH, or an error that says how to get it.
inline std::string require_tool(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        const std::filesystem::path candidate = std::filesystem::path(dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    throw std::runtime_error(name + " is not installed; the registry tests need it: run scripts/install-deps.sh as root");
}

// A port on 127.0.0.1 that was free a moment ago.
inline int free_local_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
    ::close(fd);
    if (!ok) throw std::runtime_error("no free port on 127.0.0.1");
    return ntohs(address.sin_port);
}

inline bool accepts_connections(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

// docker-registry serving `dir`/storage on 127.0.0.1, with deletes enabled and, when given, basic
// auth from an htpasswd file. With `access_log`, every request is logged (requests_like() counts
// them). Stopped (by its pid) when the object goes.
class LocalRegistry {
   public:
    LocalRegistry(const std::filesystem::path& dir, const std::optional<std::string>& htpasswd = std::nullopt,
                  bool access_log = false)
        : dir_(dir), access_log_(access_log) {
        const std::string program = require_tool("docker-registry");
        std::filesystem::create_directories(dir_ / "storage");
        // The port is free when picked, but another process may take it before the registry
        // binds it: then the registry exits at once, and another port is tried.
        for (int attempt = 1; attempt <= 3; ++attempt) {
            port_ = free_local_port();
            write_config(htpasswd);
            start(program);
            if (wait_until_ready()) return;
            stop();
        }
        throw std::runtime_error("docker-registry did not start; its log:\n" + slurp((dir_ / "registry.log").string()));
    }
    ~LocalRegistry() { stop(); }
    LocalRegistry(const LocalRegistry&) = delete;
    LocalRegistry& operator=(const LocalRegistry&) = delete;

    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    std::string url() const { return "http://" + address(); }

    // How many requests the access log holds whose request line (`"GET /v2/… HTTP/1.1"`) starts
    // with `start`, e.g. `GET /v2/lab/manifests/sha256:`.
    std::size_t requests_like(const std::string& start) const {
        std::istringstream log(slurp((dir_ / "registry.log").string()));
        std::size_t count = 0;
        for (std::string line; std::getline(log, line);) {
            if (line.find("\"" + start) != std::string::npos) ++count;
        }
        return count;
    }

   private:
    void write_config(const std::optional<std::string>& htpasswd) const {
        std::string config =
            "version: 0.1\n"
            "log:\n  level: error\n  accesslog:\n    disabled: " + std::string(access_log_ ? "false" : "true") + "\n"
            "storage:\n  filesystem:\n    rootdirectory: " + (dir_ / "storage").string() + "\n"
            "  delete:\n    enabled: true\n"
            "  maintenance:\n    uploadpurging:\n      enabled: false\n"
            "http:\n  addr: " + address() + "\n  secret: rspcat-test-only\n";
        if (htpasswd) config += "auth:\n  htpasswd:\n    realm: rspcat-test\n    path: " + *htpasswd + "\n";
        write_text((dir_ / "config.yml").string(), config);
    }

    void start(const std::string& program) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        const std::string log = (dir_ / "registry.log").string();
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        const std::string config = (dir_ / "config.yml").string();
        std::vector<char*> argv = {const_cast<char*>(program.c_str()), const_cast<char*>("serve"),
                                   const_cast<char*>(config.c_str()), nullptr};
        // A clean environment: REGISTRY_* variables would override the config file.
        std::vector<char*> env = {const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
        const int error = posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), env.data());
        posix_spawn_file_actions_destroy(&actions);
        if (error != 0) {
            pid_ = -1;
            throw std::runtime_error("cannot start " + program);
        }
    }

    bool wait_until_ready() {
        for (int i = 0; i < 200; ++i) {  // 10 s at most
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                return false;
            }
            if (accepts_connections(port_)) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    void stop() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 100; ++i) {  // 5 s at most, then it is killed
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }

    std::filesystem::path dir_;
    bool access_log_;
    int port_ = 0;
    pid_t pid_ = -1;
};

// Images in an OCI layout, pushed with skopeo to a repository of a LocalRegistry.
class ImagePusher {
   public:
    ImagePusher(std::filesystem::path layout, std::string repository_reference, std::optional<std::string> creds = {})
        : layout_(std::move(layout)),
          reference_(std::move(repository_reference)),
          creds_(std::move(creds)),
          skopeo_(require_tool("skopeo")) {}

    // An image whose one layer holds `text`, its config `created` at `created` when given;
    // returns its manifest digest.
    std::string build_image(const std::string& ref, const std::string& text, const std::string& arch = "amd64",
                            const std::string& created = "") {
        std::vector<std::string> args = {"image", layout_.string(), ref, text, arch};
        if (!created.empty()) args.push_back(created);
        layout_tool(args);
        return digest(ref);
    }

    // The config and layer blobs of images built here (digest → bytes, as the layout tool
    // measured the files), each blob once.
    std::map<std::string, std::int64_t> blobs(const std::vector<std::string>& refs) const {
        std::istringstream lines(slurp((layout_ / "blobs.txt").string()));
        std::map<std::string, std::int64_t> out;
        for (std::string ref, config, layer; lines >> ref;) {
            std::int64_t config_size = 0, layer_size = 0;
            lines >> config >> config_size >> layer >> layer_size;
            if (std::find(refs.begin(), refs.end(), ref) == refs.end()) continue;
            out[config] = config_size;
            out[layer] = layer_size;
        }
        return out;
    }

    // A multi-architecture index of images already built; returns its digest.
    std::string build_index(const std::string& ref, const std::vector<std::string>& members) {
        std::vector<std::string> args = {"index", layout_.string(), ref};
        args.insert(args.end(), members.begin(), members.end());
        layout_tool(args);
        return digest(ref);
    }

    std::string digest(const std::string& ref) const {
        std::istringstream refs(slurp((layout_ / "refs.txt").string()));
        std::string found;
        for (std::string name, media_type, digest, size, arch; refs >> name >> media_type >> digest >> size >> arch;) {
            if (name == ref) found = digest;
        }
        if (found.empty()) throw std::runtime_error("no " + ref + " in " + layout_.string());
        return found;
    }

    void push(const std::string& ref, const std::string& tag) const {
        skopeo({"copy", "--all", "--dest-tls-verify=false"}, creds_args("--dest-creds"),
               {"oci:" + layout_.string() + ":" + ref, "docker://" + reference_ + ":" + tag});
    }

    // Points `to` at what `from` points to, as `docker tag` and `docker push` would.
    void retag(const std::string& from, const std::string& to) const {
        std::vector<std::string> credentials = creds_args("--src-creds");
        const auto dest = creds_args("--dest-creds");
        credentials.insert(credentials.end(), dest.begin(), dest.end());
        skopeo({"copy", "--all", "--src-tls-verify=false", "--dest-tls-verify=false"}, credentials,
               {"docker://" + reference_ + ":" + from, "docker://" + reference_ + ":" + to});
    }

    // Deletes the manifest that `tag` points to (and with it every tag on it).
    void remove(const std::string& tag) const {
        skopeo({"delete", "--tls-verify=false"}, creds_args("--creds"), {"docker://" + reference_ + ":" + tag});
    }

   private:
    void layout_tool(const std::vector<std::string>& args) const {
        std::vector<std::string> all = {source_path("tests/registry/oci_layout.sh")};
        all.insert(all.end(), args.begin(), args.end());
        const auto result = run_command("sh", all);
        if (result.exit_code != 0) throw std::runtime_error("oci_layout.sh failed: " + result.err);
    }

    std::vector<std::string> creds_args(const std::string& option) const {
        if (!creds_) return {};
        return {option, *creds_};
    }

    void skopeo(std::vector<std::string> args, const std::vector<std::string>& credentials,
                const std::vector<std::string>& operands) const {
        args.insert(args.end(), credentials.begin(), credentials.end());
        args.insert(args.end(), operands.begin(), operands.end());
        const auto result = run_command(skopeo_, args);
        if (result.exit_code != 0) throw std::runtime_error("skopeo " + args.front() + " failed: " + result.err);
    }

    std::filesystem::path layout_;
    std::string reference_;  // `127.0.0.1:PORT/REPOSITORY`
    std::optional<std::string> creds_;
    std::string skopeo_;
};

}  // namespace rspcat::test
