#include "suggest.hpp"

#include <algorithm>

namespace rspcat::cli {

namespace {

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbours (`--hdie` for `--hide`) each cost one.
std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
            }
        }
    }
    return d[a.size()][b.size()];
}

// The long and short option names of a command and of the commands above it (whose options a
// command accepts too: they fall through).
std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
        for (const CLI::Option* option : app->get_options()) {
            for (const auto& name : option->get_lnames()) names.push_back("--" + name);
            for (const auto& name : option->get_snames()) names.push_back("-" + name);
        }
    }
    return names;
}

std::string did_you_mean(const std::optional<std::string>& suggestion) {
    return suggestion ? " (did you mean " + *suggestion + "?)" : "";
}

}  // namespace

std::vector<std::string> subcommand_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::App* sub : command.get_subcommands([](const CLI::App*) { return true; })) {
        names.push_back(sub->get_name());
    }
    return names;
}

std::optional<std::string> nearest(const std::string& word, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_distance = 0;
    for (const auto& candidate : candidates) {
        // An abbreviation of one option only (`--hide-al`) is as good as a typo.
        const std::size_t distance =
            candidate.starts_with(word) && word.size() > 3 ? 1 : edit_distance(word, candidate);
        if (!best || distance < best_distance) best = candidate, best_distance = distance;
    }
    // A typo changes a few characters, not most of the word.
    const std::size_t allowed = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3));
    if (!best || best_distance > allowed) return std::nullopt;
    return best;
}

const CLI::App& chosen_command(const CLI::App& app) {
    const CLI::App* command = &app;
    while (!command->get_subcommands().empty()) command = command->get_subcommands().front();
    return *command;
}

std::string command_path(const CLI::App& command) {
    std::string path;
    for (const CLI::App* app = &command; app != nullptr; app = app->get_parent()) {
        path = app->get_name() + (path.empty() ? "" : " " + path);
    }
    return path;
}

std::optional<std::string> unknown_word_message(const CLI::App& app) {
    const CLI::App& command = chosen_command(app);
    const std::vector<std::string> left = app.remaining(true);
    if (left.empty()) return std::nullopt;
    const std::string& word = left.front();
    const std::string path = command_path(command);
    // `rspcat help alias` for `rspcat alias`.
    const std::string help = "`" + command_path(app) + " help" + path.substr(command_path(app).size()) + "` lists ";
    if (word.starts_with("-") && word.size() > 1) {
        const std::string name = word.substr(0, word.find('='));
        return path + ": unknown option '" + name + "'" + did_you_mean(nearest(name, option_names(command))) +
               "; " + help + "the options";
    }
    // A word where a command was wanted: the top level, or a command made of subcommands.
    if (!subcommand_names(command).empty()) {
        return path + ": unknown command '" + word + "'" + did_you_mean(nearest(word, subcommand_names(command))) +
               "; " + help + "the commands";
    }
    return std::nullopt;
}

}  // namespace rspcat::cli
