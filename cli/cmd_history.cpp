// rspcat history and diff: what the catalog remembers.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common.hpp"

namespace rspcat::cli {

namespace {

std::string time_or_empty(const std::optional<Timestamp>& t) { return t ? format_timestamp(*t) : ""; }

struct HistoryArgs {
    CollectionArgs collection;
    FormatArg format;
    std::string tag;
};

int run_history(const Globals& globals, const HistoryArgs& args) {
    const Output output = args.format.output();
    const CollectionSpec spec = args.collection.spec();
    // A digest (or its first 12 or more digits): which tags pointed to it, and when.
    const bool by_digest = args.tag.starts_with("sha256:");
    if (by_digest) check_digest_syntax("DIGEST", args.tag);
    const Catalog catalog = open_for_query(globals);
    const std::string what = by_digest ? digest_arg(catalog, "DIGEST", args.tag) : args.tag;
    const auto entries = by_digest ? catalog.digest_timeline(spec, what) : catalog.timeline(spec, what);
    if (entries.empty()) {
        throw CatalogError((by_digest ? "no tag of the repository ever pointed to digest " : "tag ") + what +
                           (by_digest ? "" : " never appeared in the catalog"));
    }
    if (output.format == Format::json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& e : entries) {
            out.push_back({{"tag", e.tag},
                           {"digest", e.digest},
                           {"size", e.size ? nlohmann::json(*e.size) : nlohmann::json()},
                           {"from", format_timestamp(e.from)},
                           {"to", e.to ? nlohmann::json(format_timestamp(*e.to)) : nlohmann::json()},
                           {"resolved_to", e.resolved_to ? nlohmann::json(*e.resolved_to) : nlohmann::json()}});
        }
        std::cout << out.dump(1) << '\n';
        return 0;
    }
    Table table;
    // By digest the digest is the same on every row, and the tag is what changes.
    table.columns = {"from", "to", by_digest ? "tag" : "digest", "resolved_to"};
    for (const auto& e : entries) {
        table.rows.push_back(
            {format_timestamp(e.from), time_or_empty(e.to), by_digest ? e.tag : e.digest, e.resolved_to.value_or("")});
    }
    table.print(std::cout, output);
    return 0;
}

struct DiffArgs {
    CollectionArgs collection;
    FormatArg format;
    std::string from, to;
};

int run_diff(const Globals& globals, const DiffArgs& args) {
    const Output output = args.format.output();
    const CollectionSpec spec = args.collection.spec();
    const Timestamp from = parse_time_arg("T1", args.from), to = parse_time_arg("T2", args.to);
    const Catalog catalog = open_for_query(globals);
    const auto changes = catalog.diff(spec, from, to);
    auto kind = [](TagChange::Kind k) {
        return k == TagChange::Kind::added ? "added" : k == TagChange::Kind::removed ? "removed" : "moved";
    };
    if (output.format == Format::json) {
        nlohmann::json out = {{"added", nlohmann::json::array()},
                              {"removed", nlohmann::json::array()},
                              {"moved", nlohmann::json::array()}};
        for (const auto& c : changes) {
            out[kind(c.kind)].push_back(
                {{"tag", c.tag},
                 {"old_digest", c.old_digest ? nlohmann::json(*c.old_digest) : nlohmann::json()},
                 {"new_digest", c.new_digest ? nlohmann::json(*c.new_digest) : nlohmann::json()}});
        }
        std::cout << out.dump(1) << '\n';
        return 0;
    }
    Table table;
    table.columns = {"change", "tag", "old_digest", "new_digest"};
    for (const auto& c : changes) {
        table.rows.push_back({kind(c.kind), c.tag, c.old_digest.value_or(""), c.new_digest.value_or("")});
    }
    table.print(std::cout, output);
    return 0;
}

}  // namespace

void add_history_commands(Commands& commands) {
    {
        auto [command, args] =
            commands.add<HistoryArgs>("history", "A tag's timeline (each digest it pointed to, from when to when), or a digest's (the tags that pointed to it)",
                                      run_history);
        command->add_option("tag", args->tag, "TAG, or sha256:DIGEST (or its first 12 or more hex digits)")->required();
        args->collection.add_repository_to(command);
        args->format.add_to(command);
    }
    {
        auto [command, args] =
            commands.add<DiffArgs>("diff", "Tags added, removed and moved between two times", run_diff);
        command->add_option("from", args->from, "T1 (ISO 8601)")->required();
        command->add_option("to", args->to, "T2 (ISO 8601)")->required();
        args->collection.add_repository_to(command);
        args->format.add_to(command);
    }
}

}  // namespace rspcat::cli
