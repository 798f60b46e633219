// Catalog files that someone else wrote. A valid catalog (built once per process through the
// public API: two snapshots of a few dozen tags with aliases, so that history exists) is copied
// into a fresh private directory and damaged as the input says: its `sqlite_schema` rows get
// their `sql` replaced or extended (PRAGMA writable_schema), PRAGMA user_version gets any 32-bit
// value, and bytes of its pages are overwritten. The copy is then opened read-only and
// read-write and queried every way rspcat uses a catalog. Properties, beyond not crashing:
//
// - a catalog opened read-only refuses ingest and mark_seen;
// - only rspcat::Error escapes the API (std::bad_alloc aside): any other exception, SQLite's
//   included, is a finding;
// - no write to any file but the catalog and its -wal/-shm/-journal: each case runs with the
//   private directory as working directory, which afterwards must hold nothing else; a sentinel
//   catalog outside it must stay byte for byte the same; and a VFS over the default one records
//   any other named file SQLite opens for writing, which fails the case;
// - no hang: SQLite's work per case is bounded (a progress handler interrupts it after
//   `work_budget` steps, which surfaces as an ordinary error), so libFuzzer's -timeout is left
//   to catch loops in rspcat's own code.
//
// Input: FuzzedDataProvider, strings from the front, choices from the back, in this order:
// up to 3 schema edits (row byte, append flag, text), an optional user_version (int32), up to 8
// overwrites (file offset as uint32, bytes as a string). `@SENTINEL@` in an edit's text stands
// for the sentinel catalog's path, so that ATTACHing it is one step away. fuzz/seeds.cpp writes
// seeds in this form.
//
// The target changes the working directory during each case: give libFuzzer absolute paths for
// -artifact_prefix (fuzz/run does), or a crash input lands in the case directory.
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <vector>

#include "fuzz_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using rspcat::fuzz::check;
namespace fs = std::filesystem;

namespace {

const RepositoryName repository{"registry.example", "lab"};
const char* const catalog_name = "catalog.db";
// SQLite progress callbacks (each after 1000 virtual machine steps) allowed per case. A clean
// case takes about 50; this is far above that and still ends within a second.
constexpr long work_budget = 20000;

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string digest(int n) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064x", n);
    return std::string("sha256:") + hex;
}

// A listing of weeklies, dailies, releases, an experimental, a variant and aliases. `moved`
// shifts which digests the aliases point to and drops the oldest weeklies, so that the second
// snapshot adds, moves and removes tags.
std::string listing(int moved) {
    std::string text = "tag\tdigest\tsize\n";
    for (int week = 1 + moved; week <= 20; ++week) {
        char tag[32];
        std::snprintf(tag, sizeof tag, "w_2030_%02d", week);
        text += std::string(tag) + "\t" + digest(week) + "\t" + std::to_string(1000 + week) + "\n";
    }
    for (int day = 1; day <= 6; ++day) text += "d_2030_01_0" + std::to_string(day) + "\t" + digest(100 + day) + "\t\n";
    for (int patch = 0; patch <= 3; ++patch) text += "r30_0_" + std::to_string(patch) + "\t" + digest(200 + patch) + "\t9\n";
    text += "w_2030_20-amd64\t" + digest(300) + "\t5\n";
    text += "exp_w_2030_19_test\t" + digest(301) + "\t5\n";
    text += "recommended\t" + digest(18 - moved) + "\t\n";
    text += "latest_weekly\t" + digest(20) + "\t\n";
    text += "latest_release\t" + digest(203 - moved) + "\t\n";
    return text;
}

RowSource rows_of(const std::string& text) {
    auto in = std::make_shared<std::istringstream>(text);
    auto reader = std::make_shared<TsvListingReader>(*in, "fuzz.tsv");
    return [in, reader] { return reader->next_row(); };
}

Timestamp at(const char* text) { return *parse_timestamp(text); }

void build_catalog(const fs::path& path) {
    Catalog catalog(path.string());
    const std::vector<std::string> aliases = {"recommended", "latest_weekly", "latest_release"};
    catalog.ingest({repository, aliases, at("2030-01-01"), "one.tsv", false}, rows_of(listing(0)));
    catalog.ingest({repository, {}, at("2030-02-01"), "two.tsv", false}, rows_of(listing(2)));
    catalog.mark_seen(digest(18), "node-1", 1018, at("2030-02-02"));
}

// What every case starts from, made once per process.
struct Fixture {
    fs::path root;      // private to this process; holds the sentinel and the case directories
    fs::path sentinel;  // a catalog no case may change
    std::string sentinel_bytes;
    std::string catalog_bytes;
};

const Fixture& fixture() {
    static const Fixture made = [] {
        Fixture f;
        std::string root = (fs::temp_directory_path() / "rspcat-fuzz-catalog-file-XXXXXX").string();
        if (!mkdtemp(root.data())) std::abort();
        f.root = fs::canonical(root);
        f.sentinel = f.root / "sentinel.db";
        build_catalog(f.sentinel);
        f.sentinel_bytes = read_bytes(f.sentinel);
        build_catalog(f.root / "base.db");
        f.catalog_bytes = read_bytes(f.root / "base.db");
        fs::remove(f.root / "base.db");
        check(!f.catalog_bytes.empty() && !fs::exists(f.sentinel.string() + "-wal"),
              "the fixture catalogs are whole files once closed");
        return f;
    }();
    return made;
}

// ---- Bounding SQLite's work -------------------------------------------------------------------

bool bounded = false;  // only while a case runs rspcat: building the fixture takes longer
long work_done = 0;
long budget_hits = 0;
long most_work = 0;  // the most any case took, to keep the budget honest

int over_budget(void*) { return bounded && ++work_done > work_budget ? 1 : 0; }

// Runs for every connection opened in this process, the catalog's own included.
int bound_work(sqlite3* db, char**, const sqlite3_api_routines*) {
    sqlite3_progress_handler(db, 1000, over_budget, nullptr);
    return SQLITE_OK;
}

// ---- Watching which files SQLite opens for writing ------------------------------------------

struct Watch {
    bool armed = false;
    std::string catalog;                // the case's catalog, as SQLite names it
    std::vector<std::string> strangers;  // other files opened for writing while armed
};
Watch watch;
sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs watching_vfs{};

bool is_catalog_file(const std::string& name) {
    for (const char* suffix : {"", "-wal", "-journal"}) {
        if (name == watch.catalog + suffix) return true;
    }
    return false;
}

int watched_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
    // Unnamed files are SQLite's own temporary files; -shm files are not opened through xOpen.
    if (watch.armed && name && (flags & (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) && !is_catalog_file(name)) {
        watch.strangers.push_back(name);
    }
    return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
}

void install_hooks() {
    real_vfs = sqlite3_vfs_find(nullptr);
    watching_vfs = *real_vfs;
    watching_vfs.zName = "rspcat-fuzz-watch";
    watching_vfs.xOpen = watched_open;
    watching_vfs.pNext = nullptr;
    check(sqlite3_vfs_register(&watching_vfs, 1) == SQLITE_OK, "the watching VFS registers");
    check(sqlite3_auto_extension(reinterpret_cast<void (*)()>(bound_work)) == SQLITE_OK,
          "the work bound registers");
}

// ---- Exceptions that escape -----------------------------------------------------------------

// Counts printed when the process ends, which also removes the fixture's directory.
struct Totals {
    long cases = 0;
    fs::path root;
    ~Totals() {
        std::fprintf(stderr, "fuzz_catalog_file: %ld cases, %ld over the work budget (%ld), the most work %ld\n",
                     cases, budget_hits, work_budget, most_work);
        std::error_code ignored;
        if (!root.empty()) fs::remove_all(root, ignored);
    }
};
Totals totals;

// An exception rspcat does not document, with the operation it came from. The case catches it
// once it has left its directory, so that libFuzzer writes the input where it was asked to.
struct Undocumented : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Runs one operation; the documented errors are expected.
template <typename Operation>
void attempt(const std::string& what, Operation&& operation) {
    try {
        operation();
    } catch (const Error&) {
    } catch (const SQLite::Exception& e) {
        throw Undocumented(what + ": SQLite::Exception: " + e.what());
    } catch (const std::exception& e) {
        throw Undocumented(what + ": " + e.what());
    }
}

// ---- The damage -----------------------------------------------------------------------------

struct SchemaEdit {
    std::uint8_t row;  // index into sqlite_schema's rows in rowid order, modulo their number
    bool append;       // append to the row's sql rather than replace it
    std::string text;
};

struct Overwrite {
    std::uint32_t offset;  // modulo the file's size
    std::string bytes;
};

struct Damage {
    std::vector<SchemaEdit> edits;
    std::optional<std::int32_t> user_version;
    std::vector<Overwrite> overwrites;
};

std::string with_sentinel(std::string text) {
    static const std::string token = "@SENTINEL@";
    const std::string path = fixture().sentinel.string();
    for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + path.size())) {
        text.replace(at, token.size(), path);
    }
    return text;
}

Damage read_damage(FuzzedDataProvider& input) {
    Damage damage;
    const int edits = input.ConsumeIntegralInRange(0, 3);
    for (int i = 0; i < edits; ++i) {
        SchemaEdit edit;
        edit.row = input.ConsumeIntegral<std::uint8_t>();
        edit.append = input.ConsumeBool();
        edit.text = with_sentinel(fuzz::next_string(input, 2048));
        damage.edits.push_back(std::move(edit));
    }
    if (input.ConsumeBool()) damage.user_version = input.ConsumeIntegral<std::int32_t>();
    const int overwrites = input.ConsumeIntegralInRange(0, 8);
    for (int i = 0; i < overwrites; ++i) {
        Overwrite overwrite;
        overwrite.offset = input.ConsumeIntegral<std::uint32_t>();
        overwrite.bytes = fuzz::next_string(input, 64);
        damage.overwrites.push_back(std::move(overwrite));
    }
    return damage;
}

// Edits the schema and user_version through SQLite itself, so that the file stays well formed
// and only what it says is hostile. A step SQLite refuses is skipped.
void edit_schema(const std::string& path, const Damage& damage) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK) {
        sqlite3_exec(db, "PRAGMA writable_schema = ON; BEGIN", nullptr, nullptr, nullptr);
        if (damage.user_version) {
            const std::string pragma = "PRAGMA user_version = " + std::to_string(*damage.user_version);
            sqlite3_exec(db, pragma.c_str(), nullptr, nullptr, nullptr);
        }
        std::vector<sqlite3_int64> rows;
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db, "SELECT rowid FROM sqlite_schema ORDER BY rowid", -1, &s, nullptr) == SQLITE_OK) {
            while (sqlite3_step(s) == SQLITE_ROW) rows.push_back(sqlite3_column_int64(s, 0));
        }
        sqlite3_finalize(s);
        s = nullptr;
        const char* update = "UPDATE sqlite_schema SET sql = CASE WHEN ?2 THEN coalesce(sql, '') || ?3 ELSE ?3 END "
                             "WHERE rowid = ?1";
        if (!rows.empty() && sqlite3_prepare_v2(db, update, -1, &s, nullptr) == SQLITE_OK) {
            for (const SchemaEdit& edit : damage.edits) {
                sqlite3_bind_int64(s, 1, rows[edit.row % rows.size()]);
                sqlite3_bind_int(s, 2, edit.append);
                sqlite3_bind_text(s, 3, edit.text.data(), static_cast<int>(edit.text.size()), SQLITE_TRANSIENT);
                sqlite3_step(s);
                sqlite3_reset(s);
            }
        }
        sqlite3_finalize(s);
        sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    }
    sqlite3_close(db);  // checkpoints and removes the -wal file: the file holds everything
}

void overwrite_bytes(const std::string& path, const Damage& damage) {
    std::fstream file(path, std::ios::in | std::ios::out | std::ios::binary);
    const std::uint32_t size = static_cast<std::uint32_t>(fixture().catalog_bytes.size());
    for (const Overwrite& o : damage.overwrites) {
        file.seekp(o.offset % size);
        file.write(o.bytes.data(), static_cast<std::streamsize>(o.bytes.size()));
    }
}

// ---- The queries ----------------------------------------------------------------------------

void query(const Catalog& catalog) {
    const CollectionSpec all{repository, std::nullopt};
    attempt("images", [&] { (void)catalog.images(all); });
    attempt("images --hide-aliased", [&] { (void)catalog.images(all, {.hide_aliased = true}); });
    attempt("images --at", [&] { (void)catalog.images({repository, std::nullopt, at("2030-01-15")}); });
    attempt("timeline", [&] { (void)catalog.timeline(all, "recommended"); });
    attempt("diff", [&] { (void)catalog.diff(all, at("2030-01-15"), at("2030-02-15")); });
    attempt("filter", [&] {
        const FilterPolicy policy =
            parse_policy_json(R"({"weekly": {"number": 3, "age": "5w"}, "release": {"cutoffVersion": "30.0.1"}})", "p");
        (void)catalog.filter(all, policy, {at("2030-03-01"), true, false});
    });
    attempt("latest", [&] { (void)catalog.latest(all, ImageType::weekly); });
}

// An ingest and a mark_seen; whether either of them returned rather than threw.
bool write(Catalog& catalog) {
    bool returned = false;
    attempt("ingest", [&] {
        const std::string tiny = "w_2031_01\t" + digest(400) + "\t7\nrecommended\t" + digest(400) + "\n";
        (void)catalog.ingest({repository, {"recommended"}, at("2031-01-01"), "tiny.tsv", false}, rows_of(tiny));
        returned = true;
    });
    attempt("mark_seen", [&] {
        (void)catalog.mark_seen(digest(19), "node-2", 1019, at("2031-01-02"));
        returned = true;
    });
    return returned;
}

// Read-only first, so that it sees the damage as written rather than what a read-write open
// made of it. Returns whether the read-only catalog let a write through.
bool exercise(const std::string& path) {
    bool read_only_wrote = false;
    {
        std::optional<Catalog> catalog;
        attempt("open read-only", [&] { catalog.emplace(path, Catalog::Mode::read_only); });
        if (catalog) query(*catalog);
        if (catalog) read_only_wrote = write(*catalog);
    }
    std::optional<Catalog> catalog;
    attempt("open read-write", [&] { catalog.emplace(path); });
    if (catalog) {
        query(*catalog);
        (void)write(*catalog);
        query(*catalog);
    }
    return read_only_wrote;
}

// ---- One case -------------------------------------------------------------------------------

// A fresh private directory that is also the working directory while it exists, so that a
// relative path in hostile SQL lands in it and shows.
class CaseDirectory {
   public:
    CaseDirectory() : previous_(fs::current_path()) {
        std::string dir = (fixture().root / "case-XXXXXX").string();
        check(mkdtemp(dir.data()) != nullptr, "a case directory can be made");
        path_ = dir;
        fs::current_path(path_);
    }
    ~CaseDirectory() {
        leave();
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    // Back to the directory libFuzzer started in, where it writes inputs that fail a check.
    void leave() { fs::current_path(previous_); }
    const fs::path& path() const { return path_; }

   private:
    fs::path previous_, path_;
};

// The most telling check first: a changed sentinel is damage done, an open is only a way to it.
void check_no_other_file_written(const CaseDirectory& dir) {
    const Fixture& f = fixture();
    check(read_bytes(f.sentinel) == f.sentinel_bytes, "the sentinel catalog is unchanged");
    check(!fs::exists(f.sentinel.string() + "-wal") && !fs::exists(f.sentinel.string() + "-journal"),
          "the sentinel catalog has no -wal or -journal");
    std::string others;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        const std::string name = entry.path().filename().string();
        if (name != catalog_name && name != std::string(catalog_name) + "-wal" &&
            name != std::string(catalog_name) + "-shm" && name != std::string(catalog_name) + "-journal") {
            others += name + " ";
        }
    }
    check(others.empty(), "the case directory holds only the catalog and its -wal, -shm, -journal", others);
    std::string opened;
    for (const auto& name : watch.strangers) opened += name + " ";
    check(opened.empty(), "SQLite opened no other file for writing", opened);
}

void run_case(FuzzedDataProvider& input) {
    const Damage damage = read_damage(input);
    CaseDirectory dir;
    const std::string path = (dir.path() / catalog_name).string();
    std::ofstream(path, std::ios::binary) << fixture().catalog_bytes;
    edit_schema(path, damage);
    overwrite_bytes(path, damage);

    watch = {true, path, {}};
    work_done = 0;
    bounded = true;
    bool read_only_wrote = false;
    try {
        read_only_wrote = exercise(path);
    } catch (const Undocumented& e) {
        bounded = watch.armed = false;
        dir.leave();
        check(false, "only rspcat's documented exceptions escape", e.what());
    }
    bounded = watch.armed = false;
    dir.leave();
    if (work_done > work_budget) ++budget_hits;
    most_work = std::max(most_work, work_done);
    check(!read_only_wrote, "a catalog opened read-only refuses ingest and mark_seen");
    check_no_other_file_written(dir);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    install_hooks();
    totals.root = fixture().root;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider input(data, size);
    ++totals.cases;
    run_case(input);
    return 0;
}
