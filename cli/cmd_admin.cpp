// rspcat repos, snapshots, alias add|remove and undo: what the catalog holds per repository, the
// alias tags changed after the first ingest, and taking back the latest snapshot.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common.hpp"

namespace rspcat::cli {

namespace {

std::string time_or_empty(const std::optional<Timestamp>& t) { return t ? format_timestamp(*t) : ""; }

nlohmann::json time_or_null(const std::optional<Timestamp>& t) {
    return t ? nlohmann::json(format_timestamp(*t)) : nlohmann::json();
}

struct ReposArgs {
    FormatArg format;
};

int run_repos(const Globals& globals, const ReposArgs& args) {
    const Output output = args.format.output();
    const Catalog catalog = open_for_query(globals);
    const auto summaries = catalog.repository_summaries();
    if (output.format == Format::json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : summaries) {
            out.push_back({{"registry", r.name.registry},
                           {"repository", r.name.repository},
                           {"tag_count", r.tag_count},
                           {"aliases", r.aliases},
                           {"snapshot_count", r.snapshot_count},
                           {"first_snapshot", time_or_null(r.first_snapshot)},
                           {"last_snapshot", time_or_null(r.last_snapshot)}});
        }
        std::cout << out.dump(1) << '\n';
        return 0;
    }
    Table table;
    table.columns = {"registry", "repository", "tag_count", "aliases", "snapshot_count", "first_snapshot", "last_snapshot"};
    for (const auto& r : summaries) {
        std::string aliases;
        for (const auto& alias : r.aliases) aliases += (aliases.empty() ? "" : " ") + alias;
        table.rows.push_back({r.name.registry, r.name.repository, std::to_string(r.tag_count), aliases,
                              std::to_string(r.snapshot_count), time_or_empty(r.first_snapshot),
                              time_or_empty(r.last_snapshot)});
    }
    table.print(std::cout, output);
    return 0;
}

struct SnapshotsArgs {
    RepositoryArgs repository;
    FormatArg format;
    std::int64_t limit = 0;
    CLI::Option* limit_option = nullptr;
};

int run_snapshots(const Globals& globals, const SnapshotsArgs& args) {
    const Output output = args.format.output();
    const auto repository = args.repository.name();
    const Catalog catalog = open_for_query(globals);
    const auto snapshots =
        catalog.snapshots(repository, *args.limit_option ? std::optional<std::int64_t>(args.limit) : std::nullopt);
    if (output.format == Format::json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& s : snapshots) {
            out.push_back({{"id", s.id},
                           {"taken_at", format_timestamp(s.taken_at)},
                           {"ingested_at", format_timestamp(s.ingested_at)},
                           {"kind", s.merge ? "merge" : "full"},
                           {"source", s.source},
                           {"tag_count", s.tag_count},
                           {"added", s.added},
                           {"moved", s.moved},
                           {"removed", s.removed},
                           {"confirmed_at", s.confirmed_at ? nlohmann::json(format_timestamp(*s.confirmed_at))
                                                           : nlohmann::json(nullptr)},
                           {"confirmations", s.confirmations}});
        }
        std::cout << out.dump(1) << '\n';
        return 0;
    }
    Table table;
    table.columns = {"id", "taken_at", "kind", "source", "tag_count", "added", "moved", "removed"};
    // In a table only when some snapshot has one, as the images' creation times: a catalog of
    // listing files that never repeat keeps its table as it was. CSV always has the column.
    const bool confirmed = output.format == Format::csv ||
                           std::any_of(snapshots.begin(), snapshots.end(), [](const auto& s) { return s.confirmed_at; });
    if (confirmed) table.columns.push_back("confirmed_at");
    for (const auto& s : snapshots) {
        table.rows.push_back({std::to_string(s.id), format_timestamp(s.taken_at), s.merge ? "merge" : "full", s.source,
                              std::to_string(s.tag_count), std::to_string(s.added), std::to_string(s.moved),
                              std::to_string(s.removed)});
        if (confirmed) table.rows.back().push_back(s.confirmed_at ? format_timestamp(*s.confirmed_at) : "");
    }
    table.print(std::cout, output);
    return 0;
}

struct AliasArgs {
    RepositoryArgs repository;
    std::vector<std::string> tags;
};

int run_alias_add(const Globals& globals, const AliasArgs& args) {
    const auto repository = args.repository.name();
    if (globals.read_only) throw UsageError("alias add writes the catalog: not with --read-only");
    Catalog catalog = open_for_query(globals);
    const AliasTagsChange change = catalog.add_alias_tags(repository, args.tags);
    const std::string name = change.repository.registry + "/" + change.repository.repository;
    for (const auto& tag : change.changed) std::cout << name << ": " << tag << " is now an alias tag\n";
    for (const auto& tag : change.unchanged) {
        std::cout << name << ": " << tag << " is already an alias tag; nothing to do\n";
    }
    return 0;
}

int run_alias_remove(const Globals& globals, const AliasArgs& args) {
    const auto repository = args.repository.name();
    if (globals.read_only) throw UsageError("alias remove writes the catalog: not with --read-only");
    Catalog catalog = open_for_query(globals);
    const AliasTagsChange change = catalog.remove_alias_tags(repository, args.tags);
    const std::string name = change.repository.registry + "/" + change.repository.repository;
    for (const auto& tag : change.changed) std::cout << name << ": " << tag << " is no longer an alias tag\n";
    return 0;
}

struct UndoArgs {
    RepositoryArgs repository;
    bool dry_run = false;
};

std::string count_of(std::int64_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

int run_undo(const Globals& globals, const UndoArgs& args) {
    const auto repository = args.repository.name();
    if (globals.read_only && !args.dry_run) throw UsageError("undo writes the catalog: not with --read-only (or add --dry-run)");
    Catalog catalog = open_for_query(globals);
    const UndoSummary undo = catalog.undo(repository, args.dry_run);
    const SnapshotSummary& s = undo.snapshot;
    std::cout << (undo.dry_run ? "would undo" : "undid") << " snapshot " << s.id << " ("
              << format_timestamp(s.taken_at) << ", " << (s.merge ? "merge" : "full") << ", " << s.source << ") of "
              << undo.repository.registry << "/" << undo.repository.repository << ": "
              << (undo.dry_run ? "would restore " : "restored ") << count_of(undo.images_restored, "image", "images")
              << ", " << (undo.dry_run ? "remove " : "removed ") << count_of(undo.images_removed, "image", "images")
              << " and " << count_of(undo.tags_removed, "new tag", "new tags") << ", "
              << (undo.dry_run ? "reopen " : "reopened ")
              << count_of(undo.history_reopened, "history row", "history rows");
    if (undo.tags_reparsed > 0) std::cout << ", " << count_of(undo.tags_reparsed, "earlier parse", "earlier parses");
    for (const auto& tag : undo.aliases_removed) std::cout << ", alias tag " << tag;
    if (undo.repository_removed) std::cout << "; it was the first snapshot: the repository goes too";
    std::cout << '\n';
    return 0;
}

// `alias add` or `alias remove`: a subcommand of `alias`, run as the top-level ones are.
void add_alias_command(Commands& commands, CLI::App* alias, const std::string& name, const std::string& description,
                       int (*run)(const Globals&, const AliasArgs&)) {
    auto args = std::make_shared<AliasArgs>();
    CLI::App* command = alias->add_subcommand(name, description);
    command->add_option("tags", args->tags, "The tags (Docker tags)")->required();
    args->repository.add_to(command);
    commands.actions.emplace_back(command, [run, args, &g = commands.globals] { return run(g, *args); });
}

}  // namespace

void add_admin_commands(Commands& commands) {
    {
        auto [command, args] = commands.add<ReposArgs>(
            "repos", "Every repository: its current tag count, alias tags, and first and last snapshot", run_repos);
        args->format.add_to(command);
    }
    {
        auto [command, args] =
            commands.add<SnapshotsArgs>("snapshots", "A repository's snapshots, newest first", run_snapshots);
        args->repository.add_to(command);
        args->limit_option = command->add_option("--limit", args->limit, "List at most this many (the newest)")
                                 ->transform(whole_number())
                                 ->check(positive());
        args->format.add_to(command);
    }
    {
        auto [command, args] = commands.add<UndoArgs>(
            "undo", "Remove a repository's latest snapshot, restoring the catalog exactly as it was before it",
            run_undo);
        args->repository.add_to(command);
        command->add_flag("--dry-run", args->dry_run, "Say what would be undone; write nothing");
    }
    CLI::App* alias = commands.app.add_subcommand("alias", "Change a repository's alias tags (alias add|remove TAG...)");
    alias->require_subcommand(1);
    add_alias_command(commands, alias, "add",
                      "Make tags alias tags: re-parse them as aliases and refresh the listing, in one transaction",
                      run_alias_add);
    add_alias_command(commands, alias, "remove",
                      "Make alias tags ordinary tags again: re-parse them by the grammar and refresh the listing",
                      run_alias_remove);
}

}  // namespace rspcat::cli
