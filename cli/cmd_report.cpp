// rspcat report: one self-contained HTML page about a repository's history, its policies and
// its menu. This file gathers plain values through the catalog's API; report/page.cpp draws them.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "common.hpp"
#include "report/page.hpp"
#include "rspcat/prune.hpp"
#include "rspcat/version.hpp"

namespace rspcat::cli {

namespace {

struct ReportArgs {
    CollectionArgs collection;  // --registry, --repository; --at set apart
    std::string at;
    std::vector<std::string> policies;
    std::string output;
    MenuOptions menu;
    std::string menu_policy;
};

FilterPolicy read_policy(const std::string& text) {
    const PolicyReference reference = parse_policy_reference(text);
    const std::string bytes = read_policy_file(reference.file);
    return parse_policy(bytes, reference.file, policy_format_of(reference.file), reference.key_path);
}

// Writes `text` to `path` through a temporary file in the same directory and a rename, so that
// a reader (a web server, a browser reloading) never sees half a page, and a failed write
// leaves an older report as it was.
void write_atomically(const std::string& path, const std::string& text) {
    const std::filesystem::path target(path);
    std::string temp = (target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path()) /
                       ("." + target.filename().string() + ".XXXXXX");
    const int fd = mkstemp(temp.data());
    if (fd < 0) throw Error(ErrorKind::io, "cannot write " + path + ": " + std::strerror(errno));
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const int error = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            throw Error(ErrorKind::io, "cannot write " + path + ": " + std::strerror(error));
        }
        done += static_cast<std::size_t>(n);
    }
    // mkstemp makes the file private; a report is for reading by others, as a new file would be.
    const mode_t mask = ::umask(0);
    ::umask(mask);
    if (::fchmod(fd, 0666 & ~mask) != 0 || ::fsync(fd) != 0 || ::close(fd) != 0 ||
        ::rename(temp.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temp.c_str());
        throw Error(ErrorKind::io, "cannot write " + path + ": " + std::strerror(error));
    }
}

std::string month_of(Timestamp t) { return format_timestamp(t).substr(0, 7); }

report::PolicyReport policy_report(const Catalog& catalog, const CollectionSpec& spec, const std::string& name,
                                   const std::vector<Image>& images, Timestamp as_of) {
    const FilterPolicy policy = read_policy(name);
    report::PolicyReport out;
    out.name = name;
    std::set<std::string> kept_digests;
    for (const Image& image : catalog.filter(spec, policy, {as_of, true, false})) {
        ++out.kept[static_cast<std::size_t>(image.tag.type)];
        if (kept_digests.insert(image.digest).second) out.kept_bytes += image.size.value_or(0);
    }
    // As `rspcat prune` plans it: the whole collection, architecture-specific images included.
    const PrunePlan plan = plan_prune(images, policy, as_of, {});
    std::map<std::string, ImageType> type_of;
    for (const Image& image : images) type_of[image.tag.tag] = image.tag.type;
    for (const auto& deletion : plan.deletions) {
        for (const auto& tag : deletion.tags) {
            const auto found = type_of.find(tag);
            ++out.deleted_tags[static_cast<std::size_t>(found == type_of.end() ? ImageType::unknown : found->second)];
        }
    }
    out.delete_digests = static_cast<std::int64_t>(plan.deletions.size());
    out.delete_bytes = plan.bytes;
    out.protections = plan.protections;
    return out;
}

report::ReportData gather(const Catalog& catalog, const ReportArgs& args) {
    CollectionSpec spec = args.collection.spec();
    // The snapshots, newest first; this also checks that the repository exists.
    const std::vector<SnapshotSummary> snapshots = catalog.snapshots(spec.repository);
    RepositorySummary summary;
    for (const auto& s : catalog.repository_summaries()) {
        if (!spec.repository || s.name == *spec.repository) summary = s;
    }
    spec.repository = summary.name;

    report::ReportData data;
    // The catalog's own last time by default, not the clock: the same catalog gives the same page.
    // That is its last sync: the latest snapshot, or a later sync that found it unchanged.
    Timestamp last_seen = summary.last_snapshot.value_or(Timestamp{});
    if (!snapshots.empty() && snapshots.front().confirmed_at) {
        last_seen = std::max(last_seen, *snapshots.front().confirmed_at);
    }
    data.as_of = !args.at.empty() ? parse_time_arg("--at", args.at) : last_seen;
    spec.at = data.as_of;

    const std::vector<Image> images = catalog.images(spec, {.hide_arch_specific = false});
    report::Facts& facts = data.facts;
    facts.repository = summary.name.registry + "/" + summary.name.repository;
    facts.first_snapshot = summary.first_snapshot;
    facts.current_tags = static_cast<std::int64_t>(images.size());
    std::set<std::string> digests;
    for (const Image& image : images) digests.insert(image.digest);
    facts.digests = static_cast<std::int64_t>(digests.size());
    facts.schema_version = Catalog::schema_version();
    facts.rspcat_version = project_version;

    // Churn by month, oldest first; the first snapshot adds the whole listing, which is not churn.
    std::map<std::string, report::ChurnMonth> months;
    for (auto s = snapshots.rbegin(); s != snapshots.rend(); ++s) {
        if (s->taken_at > data.as_of) break;
        ++facts.snapshots;
        facts.last_snapshot = s->taken_at;
        facts.latest_source = s->source;
        report::ChurnMonth& month = months[month_of(s->taken_at)];
        month.month = month_of(s->taken_at);
        month.added += s == snapshots.rbegin() ? 0 : s->added;
        month.removed += s->removed;
        month.moved += s->moved;
    }
    for (auto& [name, month] : months) data.churn.push_back(month);

    CollectionSpec all_times = spec;
    all_times.at.reset();
    for (const auto& alias : summary.aliases) {
        data.aliases.push_back({alias, catalog.timeline(all_times, alias)});
    }
    data.points = catalog.history_points(spec.repository);

    for (const auto& name : args.policies) data.policies.push_back(policy_report(catalog, spec, name, images, data.as_of));

    MenuOptions menu = args.menu;
    if (menu.recommended.empty() && catalog.image_for_tag(spec, "recommended")) menu.recommended = "recommended";
    if (!menu.recommended.empty()) {
        if (!catalog.image_for_tag(spec, menu.recommended)) {
            throw CatalogError("--recommended " + menu.recommended + ": no such tag in the collection");
        }
        for (const auto& pin : menu.pins) {
            if (!catalog.image_for_tag(spec, pin)) throw CatalogError("--pin " + pin + ": no such tag in the collection");
        }
        if (!args.menu_policy.empty()) menu.policy = read_policy(args.menu_policy);
        menu.age_basis = data.as_of;
        const Menu result = catalog.menu(spec, menu);
        data.recommended = menu.recommended;
        for (const auto& image : result.menu) data.menu.push_back({image.tag.display_name, image.tag.tag});
        for (const auto& image : result.dropdown) data.dropdown.push_back({image.tag.display_name, image.tag.tag});
    }
    return data;
}

int run_report(const Globals& globals, const ReportArgs& args) {
    args.collection.spec();  // --registry without --repository, before opening anything
    if (!args.at.empty()) parse_time_arg("--at", args.at);
    // Policies are read before the catalog is opened: a typo in a file name fails fast.
    for (const auto& name : args.policies) read_policy(name);
    const Catalog catalog = open_for_query(globals);
    const std::string page = report::render_page(gather(catalog, args));
    if (args.output.empty() || args.output == "-") {
        std::cout << page << std::flush;
    } else {
        write_atomically(args.output, page);
    }
    return 0;
}

}  // namespace

void add_report_commands(Commands& commands) {
    auto [command, args] = commands.add<ReportArgs>(
        "report", "One self-contained HTML page: alias timelines, growth, churn, what each policy would prune, the menu",
        run_report);
    args->collection.add_repository_to(command);
    command->add_option("--at", args->at,
                        "The time the page is about: the state, ages and menu then (ISO 8601; default the catalog's "
                        "last sync, so that the page depends on the catalog only)")
        ->check(not_empty());
    command->add_option("--policy", args->policies, "Policy file (JSON or YAML, FILE#KEY.PATH) to plan a prune with (repeatable)")
        ->allow_extra_args(false)
        ->check(not_empty());
    command->add_option("-o,--output", args->output, "Write the page to FILE (atomically) instead of standard output")
        ->check(not_empty());
    command->add_option("--recommended", args->menu.recommended,
                        "The menu's recommended tag (default recommended, when the collection has it)");
    command->add_option("--releases", args->menu.releases, "How many releases the menu prepulls")->transform(whole_number());
    command->add_option("--weeklies", args->menu.weeklies, "How many weeklies the menu prepulls")->transform(whole_number());
    command->add_option("--dailies", args->menu.dailies, "How many dailies the menu prepulls")->transform(whole_number());
    command->add_option("--pin", args->menu.pins, "A tag the menu prepulls as well (repeatable)")->allow_extra_args(false);
    command->add_option("--menu-policy", args->menu_policy, "Policy file for the menu's dropdown (default: every image)")
        ->check(not_empty());
}

}  // namespace rspcat::cli
