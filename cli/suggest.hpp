// "Did you mean …?" for a word on the command line that names no command or option.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace rspcat::cli {

// The candidate closest to `word` by edit distance, if one is close enough to be a typo (or
// starts with `word`, an abbreviation).
std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates);

// After a failed parse: the message for an unknown command or option, naming the nearest known
// one, or nothing when the failure was of another kind (CLI11's own message then says it).
std::optional<std::string> unknown_word_message(const CLI::App& app);

// The names of a command's subcommands, in the order they were added.
std::vector<std::string> subcommand_names(const CLI::App& command);

// The deepest subcommand chosen on the command line (`alias add`), or `app` itself.
const CLI::App& chosen_command(const CLI::App& app);

// `rspcat alias add`, for messages.
std::string command_path(const CLI::App& command);

}  // namespace rspcat::cli
