// rspcat help [COMMAND...]: the --help text of the tool or of a command, as git help does.
#include <iostream>

#include "common.hpp"
#include "suggest.hpp"

namespace rspcat::cli {

namespace {

struct HelpArgs {
    std::vector<std::string> command;
};

int run_help(const CLI::App& root, const HelpArgs& args) {
    const CLI::App* command = &root;
    for (const auto& word : args.command) {
        const auto names = subcommand_names(*command);
        if (std::find(names.begin(), names.end(), word) == names.end()) {
            const auto suggestion = nearest(word, names);
            throw UsageError("help: " + command_path(*command) + " has no command '" + word + "'" +
                             (suggestion ? " (did you mean " + *suggestion + "?)" : "") + "; `" +
                             command_path(root) + " help` lists the commands");
        }
        command = command->get_subcommand(word);
    }
    // The formatter, not App::help(): that one shows the help of the chosen subcommand, `help`.
    std::cout << command->get_formatter()->make_help(command, command_path(*command), CLI::AppFormatMode::Normal);
    return 0;
}

}  // namespace

void add_help_command(Commands& commands) {
    auto args = std::make_shared<HelpArgs>();
    CLI::App* command = commands.app.add_subcommand("help", "Show the help of rspcat, or of a command (help alias add)");
    command->add_option("command", args->command, "COMMAND [SUBCOMMAND]");
    const CLI::App& root = commands.app;
    commands.actions.emplace_back(command, [args, &root] { return run_help(root, *args); });
}

}  // namespace rspcat::cli
