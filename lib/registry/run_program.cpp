#include "run_program.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <sstream>
#include <thread>
#include <utility>

#include "rspcat/registry.hpp"

extern char** environ;

namespace rspcat::registry::detail {

namespace {

// A helper's answer is a few hundred bytes, a token a few kilobytes; anything far larger is not one.
constexpr std::size_t max_helper_output = 1024 * 1024;

// A descriptor closed when it goes.
class Fd {
   public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

   private:
    int fd_ = -1;
};

// Both ends of a pipe, close-on-exec: only what posix_spawn duplicates onto 0, 1 and 2 reaches
// the helper.
std::pair<Fd, Fd> make_pipe(const std::string& helper) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw RegistryError(helper + ": cannot create a pipe: " + std::strerror(errno));
    return {Fd(fds[0]), Fd(fds[1])};
}

}  // namespace

std::optional<std::string> find_program(const std::string& program, const std::optional<std::string>& path) {
    std::stringstream dirs(path.value_or("/usr/local/bin:/usr/bin:/bin"));
    for (std::string dir; std::getline(dirs, dir, ':');) {
        // Not an empty or relative entry, which a shell reads as the current directory: a
        // helper there could be anyone's (Docker's own lookup refuses them too).
        if (dir.empty() || dir.front() != '/') continue;
        const std::string candidate = dir + "/" + program;
        struct stat info{};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
    }
    return std::nullopt;
}

ProgramRun run_program(const std::string& helper, const std::string& program, const std::vector<std::string>& args,
                       const std::string& input, std::chrono::milliseconds timeout) {
    auto [in_read, in_write] = make_pipe(helper);
    auto [out_read, out_write] = make_pipe(helper);
    auto [err_read, err_write] = make_pipe(helper);
    // The server's name is far below a pipe's buffer: written whole before the helper starts, so
    // that a helper that exits without reading cannot raise SIGPIPE here.
    if (input.size() >= PIPE_BUF || ::write(in_write.get(), input.data(), input.size()) != static_cast<ssize_t>(input.size())) {
        throw RegistryError(helper + ": cannot write to its standard input");
    }
    in_write.reset();

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // Whatever was opened without O_CLOEXEC (by a library, say) is closed in the helper too.
    // Elsewhere only O_CLOEXEC protects: rspcat's own descriptors (pipes, SQLite's files) have it.
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t no_signals, defaults;
    sigemptyset(&no_signals);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigmask(&attributes, &no_signals);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    // Its own process group, so that a timeout stops what the helper started too.
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    std::vector<std::string> words = {program};
    words.insert(words.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    in_read.reset();
    out_write.reset();
    err_write.reset();
    if (spawned != 0) throw RegistryError(helper + " (" + program + "): cannot run it: " + std::strerror(spawned));

    ProgramRun run;
    std::string dropped;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false, too_large = false;
    int poll_error = 0;
    pollfd fds[2] = {{out_read.get(), POLLIN, 0}, {err_read.get(), POLLIN, 0}};
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        const int ready = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (ready < 0 && errno != EINTR) {
            poll_error = errno;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            char buffer[4096];
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                fds[i].fd = -1;
                continue;
            }
            std::string& sink = i == 0 ? run.out : dropped;
            if (sink.size() + static_cast<std::size_t>(n) > max_helper_output) {
                too_large = true;
                break;
            }
            sink.append(buffer, static_cast<std::size_t>(n));
        }
        if (too_large) break;
    }
    // Its output is closed, but it may linger (or have handed its pipes on): it still has only
    // until the deadline to exit.
    bool exited = false;
    while (!timed_out && !too_large && poll_error == 0) {
        const pid_t waited = ::waitpid(pid, &run.status, WNOHANG);
        if (waited == pid) {
            exited = true;
            break;
        }
        if (waited < 0 && errno != EINTR) break;
        if (std::chrono::steady_clock::now() >= deadline) {
            timed_out = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!exited) {
        ::kill(-pid, SIGKILL);  // the group: the helper and what it started
        ::kill(pid, SIGKILL);
        while (::waitpid(pid, &run.status, 0) < 0 && errno == EINTR) {
        }
    }
    if (poll_error != 0) throw RegistryError(helper + ": cannot read its answer: " + std::strerror(poll_error));
    if (timed_out) {
        const std::string limit = timeout.count() % 1000 == 0 ? std::to_string(timeout.count() / 1000) + " s"
                                                              : std::to_string(timeout.count()) + " ms";
        throw RegistryError(helper + ": no answer within " + limit + "; it was stopped");
    }
    if (too_large) throw RegistryError(helper + ": it printed more than 1 MiB; it was stopped");
    return run;
}

std::string exit_text(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "failed";
}


}  // namespace rspcat::registry::detail
