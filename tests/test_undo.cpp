// Catalog::undo and `rspcat undo`: the catalog after an ingest and its undo is, as `sqlite3 .dump`
// prints it (every row, in stored order), the catalog before the ingest; refusals change nothing.
#include <catch2/catch.hpp>
#include <mutex>
#include <nlohmann/json.hpp>

#include "catalog_calls.hpp"
#include "fake_registry.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using namespace rspcat::test;

namespace {

const RepositoryName lab{"example.org", "lab"};
const RepositoryName other{"other.org", "lab2"};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The whole catalog as the stock shell dumps it: the test compares this text exactly.
std::string dump(const std::string& path) {
    const auto result = run_command(SQLITE3_SHELL, {path, ".dump"});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
}

std::int64_t count(const std::string& path, const std::string& sql) {
    const auto result = run_command(SQLITE3_SHELL, {path, sql});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return std::stoll(result.out);
}

void shell(const std::string& path, const std::string& sql) {
    const auto result = run_command(SQLITE3_SHELL, {path, sql});
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
}

IngestSpec spec_of(const RepositoryName& repository, const char* time, std::vector<std::string> aliases = {},
                   bool merge = false) {
    return {repository, std::move(aliases), *parse_timestamp(time), std::string("listing-") + time, merge};
}

// One ingest of example.org/lab of each kind that changes something different.
struct Step {
    const char* time;
    std::vector<std::string> aliases;
    bool merge;
    std::vector<ListingRow> rows;
    bool unchanged = false;  // the latest listing again: confirms that snapshot, adds none
};

const std::vector<Step> steps = {
    // The first: makes the repository, its alias tag and its tags.
    {"2021-06-01", {"recommended"}, false,
     {{"w_2021_22", digest('1'), 100, 1}, {"w_2021_23", digest('2'), 200, 2},
      {"latest_weekly", digest('2'), {}, 3}, {"recommended", digest('2'), {}, 4}}},
    // A merge: moves one tag, adds another, each in a batch of its own.
    {"2021-06-03", {}, true, {{"w_2021_23", digest('3'), 300, 1}, {"w_2021_24", digest('4'), 400, 2}}},
    // A full snapshot of what the catalog holds after the merge: every row gets the new batch.
    {"2021-06-05", {}, false,
     {{"w_2021_22", digest('1'), 100, 1}, {"w_2021_23", digest('3'), 300, 2}, {"w_2021_24", digest('4'), 400, 3},
      {"latest_weekly", digest('2'), {}, 4}, {"recommended", digest('2'), {}, 5}}},
    // A sync-like full snapshot: another order, a move, an addition, a removal, a size change,
    // and a tag it already has declared an alias (its parse rewritten).
    {"2021-06-08", {"latest_weekly"}, false,
     {{"w_2021_25", digest('5'), 500, 1}, {"recommended", digest('5'), {}, 2}, {"latest_weekly", digest('5'), {}, 3},
      {"w_2021_24", digest('4'), 401, 4}, {"w_2021_23", digest('3'), 300, 5}}},
    // The same listing again: no snapshot, only the time on the latest one.
    {"2021-06-09", {}, false,
     {{"w_2021_25", digest('5'), 500, 1}, {"recommended", digest('5'), {}, 2}, {"latest_weekly", digest('5'), {}, 3},
      {"w_2021_24", digest('4'), 401, 4}, {"w_2021_23", digest('3'), 300, 5}},
     true},
    // One tag moves: the listing rows of its old and new digest are refreshed, the others not,
    // so a refresh that appended rows would leave them in another order after the undo.
    {"2021-06-10", {}, false,
     {{"w_2021_25", digest('5'), 500, 1}, {"recommended", digest('5'), {}, 2}, {"latest_weekly", digest('5'), {}, 3},
      {"w_2021_24", digest('6'), 600, 4}, {"w_2021_23", digest('3'), 300, 5}}},
};

void ingest_step(Catalog& catalog, const Step& step) {
    catalog.ingest(spec_of(lab, step.time, step.aliases, step.merge), rows_of(step.rows));
}

// A catalog file with other.org/lab2 in it (so that undo must be told which repository, and the
// other repository's rows must come through untouched), and the dump before each step of lab.
struct Walk {
    TempDir dir;
    std::string path = dir.file("c.db");
    std::vector<std::string> dumps;  // dumps[i]: before steps[i]; the last one after them all

    Walk() {
        Catalog catalog(path);
        catalog.ingest(spec_of(other, "2021-05-01"), rows_of({{"w_2021_17", digest('9'), 900, 1}}));
        for (const auto& step : steps) {
            dumps.push_back(dump(path));
            ingest_step(catalog, step);
        }
        dumps.push_back(dump(path));
    }
};

}  // namespace

TEST_CASE("undo walks back through a first ingest, a merge and full snapshots, restoring each .dump exactly",
          "[undo]") {
    Walk walk;
    // The repeat added no snapshot: the sync-like one (5) holds its time, and the move is 6.
    CHECK(count(walk.path, "SELECT count(*) FROM snapshots") == 6);
    CHECK(count(walk.path, "SELECT count(*) FROM snapshots WHERE id = 5 AND confirmed_at = '2021-06-09T00:00:00Z' "
                           "AND confirmations = 1") == 1);
    CHECK(count(walk.path, "SELECT count(*) FROM undo_tags WHERE snapshot_id = 5") == 1);
    Catalog catalog(walk.path);
    std::int64_t id = 6;
    for (std::size_t i = steps.size(); i-- > 0;) {
        CAPTURE(i);
        // Undoing the snapshot that the repeat confirmed also undoes the confirmation.
        if (steps[i].unchanged) continue;
        const UndoSummary undo = catalog.undo(lab);
        CHECK(undo.snapshot.id == id--);
        CHECK(format_timestamp(undo.snapshot.taken_at).substr(0, 10) == steps[i].time);
        CHECK(undo.snapshot.merge == steps[i].merge);
        CHECK(undo.repository_removed == (i == 0));
        CHECK(dump(walk.path) == walk.dumps[i]);
    }
    // The repository went with its first snapshot.
    std::string message;
    CHECK(kind_thrown([&] { catalog.undo(lab); }, &message) == ErrorKind::failed);
    CHECK(contains(message, "has no repository example.org/lab"));
    CHECK(dump(walk.path) == walk.dumps[0]);
    // The other repository's snapshot is undone in turn: an empty catalog is left.
    CHECK(catalog.undo({}).repository_removed);
    CHECK(catalog.repositories().empty());
    CHECK(kind_thrown([&] { catalog.undo({}); }, &message) == ErrorKind::failed);
    CHECK(contains(message, "is empty"));
}

TEST_CASE("undo says what it restores: the counts of the sync-like snapshot", "[undo]") {
    Walk walk;
    Catalog catalog(walk.path);
    catalog.undo(lab);  // the move
    const UndoSummary undo = catalog.undo(lab, true);
    CHECK(undo.dry_run);
    CHECK(undo.repository.registry == "example.org");
    CHECK(undo.snapshot.source == "listing-2021-06-08");
    CHECK(undo.images_removed == 1);    // w_2021_25
    // w_2021_22 gone, three moved or resized. The new order moved w_2021_23 in the listing but
    // not within its digest group, which is all a position records.
    CHECK(undo.images_restored == 4);
    CHECK(undo.tags_removed == 1);      // w_2021_25 is new
    CHECK(undo.tags_reparsed == 1);     // latest_weekly became an alias
    // Closed: w_2021_22 (removed), recommended and latest_weekly (moved); opened: those two and
    // w_2021_25. A new size alone (w_2021_24) is no new assignment.
    CHECK(undo.history_reopened == 3);
    CHECK(undo.history_removed == 3);
    CHECK(undo.aliases_removed == std::vector<std::string>{"latest_weekly"});
    CHECK_FALSE(undo.repository_removed);
    CHECK(undo.snapshot.confirmed_at == parse_timestamp("2021-06-09"));
    CHECK(dump(walk.path) == walk.dumps[5]);
}

TEST_CASE("undo --dry-run writes nothing and works on a catalog opened read-only", "[undo]") {
    Walk walk;
    {
        Catalog read_only(walk.path, Catalog::Mode::read_only);
        const UndoSummary planned = read_only.undo(lab, true);
        CHECK(planned.snapshot.id == 6);
        CHECK(kind_thrown([&] { read_only.undo(lab); }) == ErrorKind::read_only);
    }
    Catalog catalog(walk.path);
    const UndoSummary planned = catalog.undo(lab, true);
    CHECK(dump(walk.path) == walk.dumps.back());
    const UndoSummary done = catalog.undo(lab);
    CHECK_FALSE(done.dry_run);
    CHECK(done.snapshot.id == planned.snapshot.id);
    CHECK(done.images_restored == planned.images_restored);
    CHECK(done.history_removed == planned.history_removed);
}

TEST_CASE("a snapshot without an undo journal (as schema 2 ingested them) is refused and nothing changes",
          "[undo]") {
    Walk walk;
    shell(walk.path, "DELETE FROM undo_snapshots WHERE snapshot_id = 6");
    const std::string before = dump(walk.path);
    Catalog catalog(walk.path);
    std::string message;
    for (const bool dry_run : {true, false}) {
        CHECK(kind_thrown([&] { catalog.undo(lab, dry_run); }, &message) == ErrorKind::failed);
        CHECK(contains(message, "snapshot 6 of example.org/lab (2021-06-10T00:00:00Z, listing-2021-06-10)"));
        CHECK(contains(message, "has no undo journal"));
        CHECK(contains(message, "nothing was changed"));
    }
    CHECK(dump(walk.path) == before);
}

TEST_CASE("alias tags changed after the snapshot: undo refuses until they are as the snapshot left them",
          "[undo]") {
    Walk walk;
    Catalog catalog(walk.path);
    catalog.add_alias_tags(lab, {"w_2021_23"});
    const std::string changed = dump(walk.path);
    std::string message;
    CHECK(kind_thrown([&] { catalog.undo(lab); }, &message) == ErrorKind::failed);
    CHECK(contains(message, "alias tags of example.org/lab were changed after snapshot 6"));
    CHECK(contains(message, "then: latest_weekly, recommended; now: latest_weekly, recommended, w_2021_23"));
    CHECK(dump(walk.path) == changed);
    catalog.remove_alias_tags(lab, {"w_2021_23"});
    catalog.undo(lab);
    CHECK(dump(walk.path) == walk.dumps[5]);
}

TEST_CASE("an undo that fails part way leaves the catalog as it was", "[undo]") {
    Walk walk;
    Catalog catalog(walk.path);
    catalog.undo(lab);
    // A journal row that cannot be put back: images.batch is NOT NULL. The restore of the other
    // rows, the history and the tags ran before it fails; the transaction rolls them back.
    shell(walk.path, "UPDATE undo_images SET batch = NULL WHERE snapshot_id = 5 AND tag_id = 2");
    const std::string before = dump(walk.path);
    CHECK(kind_thrown([&] { catalog.undo(lab); }) == ErrorKind::constraint);
    CHECK(dump(walk.path) == before);
}

TEST_CASE("undo of an unknown repository, in a catalog of several without a name, or with a Writer open",
          "[undo]") {
    Walk walk;
    Catalog catalog(walk.path);
    std::string message;
    CHECK(kind_thrown([&] { catalog.undo(RepositoryName{"example.org", "nope"}); }, &message) == ErrorKind::failed);
    CHECK(contains(message, "has no repository example.org/nope"));
    CHECK(kind_thrown([&] { catalog.undo({}); }, &message) == ErrorKind::failed);
    CHECK(contains(message, "holds 2 repositories (example.org/lab, other.org/lab2)"));
    {
        Catalog::Writer writer = catalog.writer();
        CHECK(kind_thrown([&] { catalog.undo(lab); }) == ErrorKind::misuse);
    }
    CHECK(dump(walk.path) == walk.dumps.back());
    Catalog empty(":memory:");
    CHECK(kind_thrown([&] { empty.undo({}); }, &message) == ErrorKind::failed);
    CHECK(contains(message, "is empty"));
}

// Through the real binary.

namespace {

CommandResult rspcat_ok(const std::vector<std::string>& args) {
    const auto result = run_rspcat(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return result;
}

}  // namespace

TEST_CASE("rspcat undo restores the .dump of before a first ingest, a merge and full snapshots", "[undo][cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    const std::vector<std::string> repo = {"--registry", "example.org", "--repository", "lab"};
    auto args = [&](std::vector<std::string> head, const std::vector<std::string>& tail) {
        head.insert(head.end(), tail.begin(), tail.end());
        return head;
    };
    write_text(dir.file("other.tsv"), "w_2021_17\t" + digest('9') + "\t900\n");
    rspcat_ok({"--db", db, "ingest", "--registry", "other.org", "--repository", "lab2", "--at", "2021-05-01", dir.file("other.tsv")});
    write_text(dir.file("s1.tsv"), "w_2021_22\t" + digest('1') + "\t100\nw_2021_23\t" + digest('2') +
                                       "\t200\nrecommended\t" + digest('2') + "\n");
    write_text(dir.file("m2.tsv"), "w_2021_23\t" + digest('3') + "\t300\nw_2021_24\t" + digest('4') + "\t400\n");
    write_text(dir.file("s3.tsv"), "w_2021_25\t" + digest('5') + "\t500\nrecommended\t" + digest('5') +
                                       "\nw_2021_24\t" + digest('4') + "\t401\nw_2021_23\t" + digest('3') + "\t300\n");
    std::vector<std::string> dumps = {dump(db)};
    rspcat_ok(args({"--db", db, "ingest", "--alias", "recommended", "--at", "2021-06-01"}, args(repo, {dir.file("s1.tsv")})));
    dumps.push_back(dump(db));
    rspcat_ok(args({"--db", db, "ingest", "--merge", "--at", "2021-06-03"}, args(repo, {dir.file("m2.tsv")})));
    dumps.push_back(dump(db));
    rspcat_ok(args({"--db", db, "ingest", "--at", "2021-06-08"}, args(repo, {dir.file("s3.tsv")})));
    dumps.push_back(dump(db));

    const auto planned = rspcat_ok(args({"--db", db, "--read-only", "undo", "--dry-run"}, repo));
    CHECK(planned.out.rfind("would undo snapshot 4 (2021-06-08T00:00:00Z, full, " + dir.file("s3.tsv") +
                                ") of example.org/lab: would restore 4 images, remove 1 image and 1 new tag",
                            0) == 0);
    CHECK(dump(db) == dumps[3]);
    for (std::size_t i = 3; i-- > 0;) {
        CAPTURE(i);
        const auto undone = rspcat_ok(args({"--db", db, "undo"}, repo));
        CHECK(undone.out.rfind("undid snapshot " + std::to_string(i + 2) + " (", 0) == 0);
        CHECK(contains(undone.out, "the repository goes too") == (i == 0));
        CHECK(dump(db) == dumps[i]);
    }
    const auto none = run_rspcat(args({"--db", db, "undo"}, repo));
    CHECK(none.exit_code == 1);
    CHECK(contains(none.err, "has no repository example.org/lab"));
    rspcat_ok({"--db", db, "undo"});  // other.org/lab2, the one left
    const auto empty = run_rspcat({"--db", db, "undo"});
    CHECK(empty.exit_code == 1);
    CHECK(contains(empty.err, "is empty"));
    const auto read_only = run_rspcat({"--db", db, "--read-only", "undo"});
    CHECK(read_only.exit_code == 2);
}

TEST_CASE("rspcat undo refuses a snapshot without a journal, and changes nothing", "[undo][cli]") {
    TempDir dir;
    const std::string db = dir.file("c.db");
    write_text(dir.file("s1.tsv"), "w_2021_22\t" + digest('1') + "\t100\n");
    rspcat_ok({"--db", db, "ingest", "--registry", "example.org", "--repository", "lab", dir.file("s1.tsv")});
    shell(db, "DELETE FROM undo_snapshots");
    const std::string before = dump(db);
    for (const char* dry_run : {"--dry-run", ""}) {
        std::vector<std::string> command = {"--db", db, "undo"};
        if (*dry_run) command.push_back(dry_run);
        const auto refused = run_rspcat(command);
        CHECK(refused.exit_code == 1);
        CHECK(contains(refused.err, "has no undo journal"));
        CHECK(dump(db) == before);
    }
}

// A registry whose tags the test changes between syncs.
class ChangingRegistry {
   public:
    using Tags = std::vector<std::pair<std::string, std::string>>;

    ChangingRegistry() : shared_(std::make_shared<Shared>()), registry_(config(shared_)) {}
    void set(Tags tags) {
        const std::lock_guard lock(shared_->mutex);
        shared_->tags = std::move(tags);
    }
    std::string url() const { return registry_.url(); }

   private:
    struct Shared {
        std::mutex mutex;
        Tags tags;
    };
    static FakeRegistryConfig config(const std::shared_ptr<Shared>& shared) {
        FakeRegistryConfig c;
        c.intercept = [shared](const FakeRequest& request) -> std::optional<FakeReply> {
            const std::lock_guard lock(shared->mutex);
            if (request.method == "GET" && request.path == "/v2/lab/tags/list") {
                nlohmann::json names = nlohmann::json::array();
                for (const auto& [tag, digest] : shared->tags) names.push_back(tag);
                return FakeReply{200, {{"Content-Type", "application/json"}},
                                 nlohmann::json{{"name", "lab"}, {"tags", names}}.dump()};
            }
            for (const auto& [tag, digest] : shared->tags) {
                if (request.method == "HEAD" && request.path == "/v2/lab/manifests/" + tag) {
                    return FakeReply{200,
                                     {{"Docker-Content-Digest", digest},
                                      {"Content-Type", "application/vnd.oci.image.manifest.v1+json"}},
                                     ""};
                }
            }
            return std::nullopt;  // manifests and blobs by digest, as any fake registry serves them
        };
        return c;
    }
    std::shared_ptr<Shared> shared_;
    FakeRegistry registry_;
};

TEST_CASE("rspcat undo takes back syncs: the first, and one that moves, adds and removes tags", "[undo][cli]") {
    ChangingRegistry registry;
    TempDir dir;
    const std::string db = dir.file("c.db");
    const std::vector<std::string> sync = {"--db", db, "sync", "--url", registry.url(), "--repository", "lab",
                                           "--alias", "recommended"};
    // A catalog to start from: another repository, ingested from a file.
    write_text(dir.file("other.tsv"), "w_2021_17\t" + fake_image("9") + "\t900\n");
    rspcat_ok({"--db", db, "ingest", "--registry", "other.org", "--repository", "lab2", "--at", "2021-05-01",
               dir.file("other.tsv")});
    std::vector<std::string> dumps = {dump(db)};
    registry.set({{"w_2021_22", fake_image("1")}, {"w_2021_23", fake_image("2")}, {"recommended", fake_image("2")}});
    rspcat_ok(sync);
    dumps.push_back(dump(db));
    registry.set({{"recommended", fake_image("3")}, {"w_2021_23", fake_image("2")}, {"w_2021_24", fake_image("3")}});
    rspcat_ok(sync);
    dumps.push_back(dump(db));
    const std::string name = registry.url().substr(std::string("http://").size()) + "/lab";
    const std::vector<std::string> repo = {"--db", db, "undo", "--registry", registry.url().substr(7), "--repository", "lab"};
    for (std::size_t i = 2; i-- > 0;) {
        CAPTURE(i);
        const auto undone = rspcat_ok(repo);
        CHECK(contains(undone.out, "of " + name + ": "));
        CHECK(dump(db) == dumps[i]);
    }
}

TEST_CASE("undo keeps a repository that has journalled deletions, and the journal reads back", "[undo]") {
    Catalog catalog(":memory:");
    const RepositoryName name{"example.org", "solo"};
    catalog.ingest(spec_of(name, "2021-06-01"), rows_of({{"w_2021_22", digest('1'), 100, 1}, {"w_2021_23", digest('2'), 200, 2}}));
    const Deletion deletion{0, name, digest('1'), {"w_2021_22", "a_tag"}, 100, *parse_timestamp("2021-06-02T03:04:05Z"),
                            "prune", "policy.yaml#controller", "sha256:" + std::string(64, 'f')};
    catalog.record_deletions({deletion});
    const auto journal = catalog.deletions(name);
    REQUIRE(journal.size() == 1);
    Deletion expected = deletion;
    expected.id = journal[0].id;
    expected.tags = {"a_tag", "w_2021_22"};  // sorted
    CHECK(journal[0] == expected);
    for (const bool dry_run : {true, false}) {
        CAPTURE(dry_run);
        CHECK_THROWS_WITH(catalog.undo(name, dry_run), Catch::Contains("journal of deletions"));
    }
    CHECK(catalog.repositories().size() == 1);
    CHECK_THROWS_AS(catalog.record_deletions({Deletion{0, name, "sha256:abc", {}, {}, {}, "prune", {}, {}}}), InputError);
    CHECK_THROWS_AS(catalog.record_deletions({Deletion{0, name, digest('2'), {}, {}, {}, "purge", {}, {}}}), InputError);
    CHECK(catalog.deletions().size() == 1);
}
