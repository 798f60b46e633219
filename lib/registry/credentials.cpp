// Credentials as Docker, crane and podman find them: config.json and containers' auth.json,
// their `auths`, `credHelpers` and `credsStore`, and the Docker credential-helper protocol
// (`docker-credential-NAME get`, the server on standard input, a JSON answer on standard
// output). Helpers run through posix_spawn, without a shell, with no descriptor of ours but
// three pipes, and are killed when they take too long.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <utility>

#include "input_text.hpp"
#include "json_input.hpp"
#include "registry_http.hpp"
#include "rspcat/registry.hpp"

extern char** environ;

namespace rspcat::registry {

namespace {

using Json = nlohmann::json;

// What Docker's credential helpers print when they hold nothing for the server
// (docker/docker-credential-helpers, credentials.ErrCredentialsNotFound).
constexpr std::string_view not_found_answer = "credentials not found in native keychain";
// A helper's answer is a few hundred bytes; anything far larger is not one.
constexpr std::size_t max_helper_output = 1024 * 1024;

std::optional<std::string> non_empty(const char* value) {
    if (value == nullptr || *value == '\0') return std::nullopt;
    return std::string(value);
}

// `text` without the blanks and line ends around it.
std::string_view trimmed(std::string_view text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n')) text.remove_prefix(1);
    return text;
}

// A file's whole text, or nullopt when it does not exist. Anything else that keeps it from being
// read (a directory, permissions) is an InputError naming it.
std::optional<std::string> read_if_present(const std::string& path) {
    struct stat info{};
    if (::stat(path.c_str(), &info) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw InputError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (S_ISDIR(info.st_mode)) throw InputError("cannot read " + path + ": it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw InputError("cannot read " + path + ": " + std::strerror(errno));
    return text.str();
}

// What one config file says about a registry.
struct ConfigEntry {
    std::optional<std::string> helper;       // NAME of docker-credential-NAME, from credHelpers or credsStore
    std::string helper_key;                  // `credHelpers` or `credsStore`, for messages
    std::optional<Credentials> credentials;  // from `auths`, when no helper applies
};

std::optional<ConfigEntry> config_entry(const std::string& text, const std::string& source, std::string_view authority) {
    auto fail = [&](const std::string& path, const std::string& message) -> void {
        throw InputError(source + ": " + (path.empty() ? "" : path + ": ") + message);
    };
    Json config;
    try {
        config = rspcat::detail::parse_json_input(text);
    } catch (const rspcat::detail::JsonInputError& e) {
        // Not e.what(): it quotes the text the parser read, which may be a password.
        fail("", rspcat::detail::json_problem_without_text(e));
    }
    if (!config.is_object()) fail("", "expected a Docker config.json object");
    // A helper's name becomes part of a program's name: no path, nothing a shell would read.
    auto checked_helper = [&](const Json& name, const std::string& path) {
        if (!name.is_string()) fail(path, "expected a string");
        const std::string& text_name = name.get_ref<const std::string&>();
        const bool plain = !text_name.empty() && text_name.size() <= 100 &&
                           text_name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") ==
                               std::string::npos;
        if (!plain) fail(path, rspcat::detail::quoted(text_name) + " is not a credential helper's name");
        return text_name;
    };
    if (const auto helpers = config.find("credHelpers"); helpers != config.end()) {
        if (!helpers->is_object()) fail("/credHelpers", "expected an object");
        for (const auto& [key, name] : helpers->items()) {
            if (!detail::names_registry(key, authority)) continue;
            return ConfigEntry{checked_helper(name, "/credHelpers/" + key), "credHelpers", std::nullopt};
        }
    }
    // Docker writes `"credsStore": ""` for none.
    if (const auto store = config.find("credsStore");
        store != config.end() && !(store->is_string() && store->get_ref<const std::string&>().empty())) {
        return ConfigEntry{checked_helper(*store, "/credsStore"), "credsStore", std::nullopt};
    }
    auto credentials = credentials_from_docker_config(text, source, authority);
    if (!credentials) return std::nullopt;
    return ConfigEntry{std::nullopt, "", std::move(credentials)};
}

// The full path of `program` in the directories of `path`, or nullopt.
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

struct HelperRun {
    int status = 0;  // as waitpid gives it
    std::string out;
};

// Runs `program get` with `input` on its standard input and collects its standard output;
// standard error is read and dropped, since a failing helper may print what it was given.
HelperRun run_helper(const std::string& helper, const std::string& program, const std::string& input,
                     std::chrono::milliseconds timeout) {
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
    std::string argv0 = program, argv1 = "get";
    char* argv[] = {argv0.data(), argv1.data(), nullptr};
    pid_t pid = -1;
    const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, &attributes, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    in_read.reset();
    out_write.reset();
    err_write.reset();
    if (spawned != 0) throw RegistryError(helper + " (" + program + "): cannot run it: " + std::strerror(spawned));

    HelperRun run;
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

// The server a helper is asked about: the registry's `HOST[:PORT]`, or Docker Hub's index URL,
// under which Docker files Hub's credentials.
std::string helper_server(std::string_view authority) {
    if (detail::names_registry("https://index.docker.io/v1/", authority)) return "https://index.docker.io/v1/";
    return std::string(authority);
}

std::optional<Credentials> ask_helper(const std::string& name, const std::string& where, std::string_view authority,
                                      const CredentialLookup& lookup) {
    const std::string program = "docker-credential-" + name;
    const std::string helper = program + " (" + where + ")";
    const auto found = find_program(program, lookup.path);
    if (!found) throw RegistryError(helper + ": not found on PATH");
    const HelperRun run = run_helper(helper, *found, helper_server(authority), lookup.helper_timeout);
    if (!WIFEXITED(run.status) || WEXITSTATUS(run.status) != 0) {
        if (trimmed(run.out) == not_found_answer) return std::nullopt;
        // What it printed is not shown: a helper may echo the secrets it was handling.
        throw RegistryError(helper + ": `" + program + " get` " + exit_text(run.status) +
                            " (what it printed is not shown: it may hold secrets)");
    }
    Json answer;
    try {
        answer = rspcat::detail::parse_json_input(run.out);
    } catch (const rspcat::detail::JsonInputError&) {
        answer = Json();
    }
    const auto field = [&](const char* key) -> std::optional<std::string> {
        if (!answer.is_object()) return std::nullopt;
        const auto value = answer.find(key);
        if (value == answer.end() || !value->is_string()) return std::nullopt;
        return value->get<std::string>();
    };
    const auto username = field("Username");
    const auto secret = field("Secret");
    if (!username || !secret) {
        throw RegistryError(helper + ": `" + program +
                            " get` did not answer a JSON object with \"Username\" and \"Secret\" strings");
    }
    if (username->empty() && secret->empty()) return std::nullopt;
    Credentials credentials;
    credentials.source = program;
    // docker/cli: a Username of `<token>` marks the Secret as an identity token.
    if (*username == "<token>") {
        credentials.identity_token = *secret;
    } else {
        credentials.username = *username;
        credentials.password = *secret;
    }
    return credentials;
}

}  // namespace

CredentialLookup credential_lookup_from_environment() {
    CredentialLookup lookup;
    lookup.docker_config = non_empty(std::getenv("DOCKER_CONFIG"));
    lookup.home = non_empty(std::getenv("HOME"));
    lookup.registry_auth_file = non_empty(std::getenv("REGISTRY_AUTH_FILE"));
    lookup.xdg_runtime_dir = non_empty(std::getenv("XDG_RUNTIME_DIR"));
    lookup.path = non_empty(std::getenv("PATH"));
    return lookup;
}

std::vector<std::string> credential_files(const CredentialLookup& lookup) {
    if (lookup.config_file) return {*lookup.config_file};
    std::vector<std::string> files;
    if (lookup.docker_config) {
        files.push_back(*lookup.docker_config + "/config.json");
    } else if (lookup.home) {
        files.push_back(*lookup.home + "/.docker/config.json");
    }
    if (lookup.registry_auth_file) files.push_back(*lookup.registry_auth_file);
    if (lookup.xdg_runtime_dir) files.push_back(*lookup.xdg_runtime_dir + "/containers/auth.json");
    return files;
}

std::optional<Credentials> resolve_credentials(std::string_view authority, const CredentialLookup& lookup) {
    try {
        for (const std::string& file : credential_files(lookup)) {
            auto text = read_if_present(file);
            if (!text) {
                if (lookup.config_file) throw InputError("cannot read " + file + ": " + std::strerror(ENOENT));
                continue;
            }
            auto entry = config_entry(*text, file, authority);
            if (!entry) {
                if (lookup.config_file) {
                    throw InputError(file + ": no \"auths\" or \"credHelpers\" entry for " + std::string(authority) +
                                     " and no \"credsStore\"");
                }
                continue;
            }
            if (!entry->helper) return entry->credentials;
            auto credentials = ask_helper(*entry->helper, entry->helper_key + " in " + file, authority, lookup);
            // A store that holds nothing for this registry leaves the next file to answer
            // (podman's auth.json after Docker's credsStore), unless the file was named.
            if (credentials || lookup.config_file) return credentials;
        }
        return std::nullopt;
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        throw RegistryError(std::string("looking up the credentials for ") + std::string(authority) + ": " + e.what());
    }
}

}  // namespace rspcat::registry
