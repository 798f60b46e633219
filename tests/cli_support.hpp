// Running the real rspcat and sqlite3 binaries from tests.
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace rspcat::test {

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Single-quotes an argument for /bin/sh.
inline std::string shell_quote(const std::string& arg) {
    std::string out = "'";
    for (char c : arg) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

// A directory that is removed with everything in it when the object goes.
class TempDir {
   public:
    TempDir() {
        std::random_device random;
        path_ = std::filesystem::temp_directory_path() / ("rspcat-test-" + std::to_string(random()));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }

   private:
    std::filesystem::path path_;
};

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path);
}

// Runs `program args…` with standard input from `stdin_file` (or /dev/null).
inline CommandResult run_command(const std::string& program, const std::vector<std::string>& args,
                                 const std::string& stdin_file = "/dev/null") {
    static int counter = 0;
    const std::string err_path =
        (std::filesystem::temp_directory_path() / ("rspcat-test-stderr-" + std::to_string(::getpid()) + "-" +
                                                   std::to_string(counter++)))
            .string();
    std::string command = shell_quote(program);
    for (const auto& arg : args) command += " " + shell_quote(arg);
    command += " < " + shell_quote(stdin_file) + " 2> " + shell_quote(err_path);
    CommandResult result;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) throw std::runtime_error("cannot run " + command);
    char buffer[65536];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
    const int status = pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    result.err = slurp(err_path);
    std::filesystem::remove(err_path);
    return result;
}

inline CommandResult run_rspcat(const std::vector<std::string>& args, const std::string& stdin_file = "/dev/null") {
    return run_command(RSPCAT_BINARY, args, stdin_file);
}

}  // namespace rspcat::test
