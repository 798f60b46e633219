// Running a program for its answer, as credential helpers and `gcloud` are run: found on PATH
// (absolute entries only), through posix_spawn without a shell, with no descriptor of ours but
// three pipes, in its own process group, and killed with that group when it takes too long.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rspcat::registry::detail {

// The full path of `program` in the directories of `path` (default /usr/local/bin:/usr/bin:/bin),
// or nullopt.
std::optional<std::string> find_program(const std::string& program, const std::optional<std::string>& path);

struct ProgramRun {
    int status = 0;  // as waitpid gives it
    std::string out;
};

// Runs `program ARGS…` with `input` (less than PIPE_BUF bytes) on its standard input and collects
// its standard output; standard error is read and dropped, since a failing program may print
// what it was given. `label` names it in messages. Throws RegistryError when it cannot run,
// prints more than 1 MiB, or has not exited within `timeout` (it is then killed).
ProgramRun run_program(const std::string& label, const std::string& program, const std::vector<std::string>& args,
                       const std::string& input, std::chrono::milliseconds timeout);

// `exited with status N`, `was killed by signal N`.
std::string exit_text(int status);

}  // namespace rspcat::registry::detail
