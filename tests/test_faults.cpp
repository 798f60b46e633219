// Faults during ingest: SQLite's Nth allocation fails (an allocator installed with
// sqlite3_config(SQLITE_CONFIG_MALLOC)), or its Nth write or sync fails (a VFS that wraps the
// default one), for every N up to what a clean ingest performs. Each time the ingest must either
// succeed or throw (no crash), free everything SQLite allocated once the catalog is closed, and
// leave the catalog exactly as before (or, when SQLite absorbed the fault, exactly as after).
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "catalog_calls.hpp"
#include "cli_support.hpp"
#include "listing_support.hpp"
#include "process_support.hpp"
#include "rspcat/catalog.hpp"

using namespace rspcat;
using namespace rspcat::test;
namespace fs = std::filesystem;

namespace {

// Counts SQLite's allocations and fails the one numbered `fail_at` (1-based) while armed.
struct FaultyAllocator {
    static inline sqlite3_mem_methods real{};
    static inline bool armed = false;
    static inline long fail_at = 0, count = 0, live = 0;

    static void* allocate(int n) {
        if (armed && ++count == fail_at) return nullptr;
        void* p = real.xMalloc(n);
        if (p) ++live;
        return p;
    }
    static void release(void* p) {
        if (p) --live;
        real.xFree(p);
    }
    static void* reallocate(void* p, int n) {
        if (armed && ++count == fail_at) return nullptr;
        void* q = real.xRealloc(p, n);
        if (q && !p) ++live;
        return q;
    }
    static int size(void* p) { return real.xSize(p); }
    static int roundup(int n) { return real.xRoundup(n); }
    static int init(void* data) { return real.xInit(data); }
    static void shutdown(void* data) { real.xShutdown(data); }

    // Installs the allocator for the object's lifetime. SQLite must not be in use: no connection
    // may be open (sqlite3_config works only while SQLite is shut down).
    struct Installed {
        Installed() {
            REQUIRE(sqlite3_shutdown() == SQLITE_OK);
            REQUIRE(sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real) == SQLITE_OK);
            static sqlite3_mem_methods faulty{allocate, release, reallocate, size, roundup, init, shutdown, nullptr};
            REQUIRE(sqlite3_config(SQLITE_CONFIG_MALLOC, &faulty) == SQLITE_OK);
            REQUIRE(sqlite3_initialize() == SQLITE_OK);
        }
        ~Installed() {
            sqlite3_shutdown();
            sqlite3_config(SQLITE_CONFIG_MALLOC, &real);
            sqlite3_initialize();
        }
    };
};

// A VFS that passes everything to the default one, but counts xWrite and xSync calls and fails
// the one numbered `fail_at` of the kind chosen, while armed.
struct FaultyVfs {
    enum class Kind { write, sync, full, read };
    static inline sqlite3_vfs* real = nullptr;
    static inline sqlite3_vfs vfs{};
    static inline sqlite3_io_methods methods{};
    static inline bool armed = false;
    static inline Kind kind = Kind::write;
    static inline long fail_at = 0, count = 0;

    struct File {
        sqlite3_file base;
        sqlite3_file* real;  // in the same allocation, right after this struct
    };
    static sqlite3_file* inner(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

    static bool fault(Kind k) { return armed && kind == k && ++count == fail_at; }

    static int open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
        File* file = reinterpret_cast<File*>(f);
        file->real = reinterpret_cast<sqlite3_file*>(file + 1);
        const int rc = real->xOpen(real, name, file->real, flags, out_flags);
        file->base.pMethods = file->real->pMethods ? &methods : nullptr;
        if (file->real->pMethods && methods.iVersion == 0) wrap(*file->real->pMethods);
        return rc;
    }

    // The methods of the default VFS's files, with writes and syncs counted.
    static void wrap(const sqlite3_io_methods& m) {
        methods.iVersion = m.iVersion;
        methods.xClose = [](sqlite3_file* f) { return inner(f)->pMethods->xClose(inner(f)); };
        methods.xRead = [](sqlite3_file* f, void* b, int n, sqlite3_int64 o) {
            return fault(Kind::read) ? SQLITE_IOERR_READ : inner(f)->pMethods->xRead(inner(f), b, n, o);
        };
        methods.xWrite = [](sqlite3_file* f, const void* b, int n, sqlite3_int64 o) {
            if (fault(Kind::write)) return SQLITE_IOERR_WRITE;
            if (fault(Kind::full)) return SQLITE_FULL;  // what SQLite's own VFS says for ENOSPC
            return inner(f)->pMethods->xWrite(inner(f), b, n, o);
        };
        methods.xTruncate = [](sqlite3_file* f, sqlite3_int64 n) { return inner(f)->pMethods->xTruncate(inner(f), n); };
        methods.xSync = [](sqlite3_file* f, int flags) {
            return fault(Kind::sync) ? SQLITE_IOERR_FSYNC : inner(f)->pMethods->xSync(inner(f), flags);
        };
        methods.xFileSize = [](sqlite3_file* f, sqlite3_int64* n) { return inner(f)->pMethods->xFileSize(inner(f), n); };
        methods.xLock = [](sqlite3_file* f, int l) { return inner(f)->pMethods->xLock(inner(f), l); };
        methods.xUnlock = [](sqlite3_file* f, int l) { return inner(f)->pMethods->xUnlock(inner(f), l); };
        methods.xCheckReservedLock = [](sqlite3_file* f, int* r) { return inner(f)->pMethods->xCheckReservedLock(inner(f), r); };
        methods.xFileControl = [](sqlite3_file* f, int op, void* a) { return inner(f)->pMethods->xFileControl(inner(f), op, a); };
        methods.xSectorSize = [](sqlite3_file* f) { return inner(f)->pMethods->xSectorSize(inner(f)); };
        methods.xDeviceCharacteristics = [](sqlite3_file* f) { return inner(f)->pMethods->xDeviceCharacteristics(inner(f)); };
        methods.xShmMap = [](sqlite3_file* f, int i, int n, int w, void volatile** p) { return inner(f)->pMethods->xShmMap(inner(f), i, n, w, p); };
        methods.xShmLock = [](sqlite3_file* f, int o, int n, int fl) { return inner(f)->pMethods->xShmLock(inner(f), o, n, fl); };
        methods.xShmBarrier = [](sqlite3_file* f) { inner(f)->pMethods->xShmBarrier(inner(f)); };
        methods.xShmUnmap = [](sqlite3_file* f, int d) { return inner(f)->pMethods->xShmUnmap(inner(f), d); };
        methods.xFetch = [](sqlite3_file* f, sqlite3_int64 o, int n, void** p) { return inner(f)->pMethods->xFetch(inner(f), o, n, p); };
        methods.xUnfetch = [](sqlite3_file* f, sqlite3_int64 o, void* p) { return inner(f)->pMethods->xUnfetch(inner(f), o, p); };
    }

    // Makes the faulty VFS the default for the object's lifetime.
    struct Installed {
        Installed() {
            real = sqlite3_vfs_find(nullptr);
            REQUIRE(real);
            vfs = *real;
            vfs.zName = "rspcat-faulty";
            vfs.szOsFile = static_cast<int>(sizeof(File)) + real->szOsFile;
            vfs.xOpen = open;
            vfs.pNext = nullptr;
            REQUIRE(sqlite3_vfs_register(&vfs, 1) == SQLITE_OK);
        }
        ~Installed() {
            sqlite3_vfs_unregister(&vfs);
            sqlite3_vfs_register(real, 1);
        }
    };
};

const RepositoryName lab{"example.org", "lab"};

RowSource rows_of(const std::string& listing) {
    auto in = std::make_shared<std::istringstream>(listing);
    auto reader = std::make_shared<TsvListingReader>(*in, "faults.tsv");
    return [in, reader]() { return reader->next_row(); };
}

// A catalog file with two snapshots, and the ingest that the faults hit: a third snapshot that
// adds, moves and removes tags (or a merge), with an alias tag to resolve.
struct Scenario {
    TempDir dir;
    std::string base = dir.file("base.db"), work = dir.file("work.db");
    std::string listing = synthetic_rows(3, 20, 60);
    bool merge = false;

    explicit Scenario(bool merge_) : merge(merge_) {
        Catalog catalog(base);
        catalog.ingest({lab, {"recommended"}, *parse_timestamp("2030-01-01"), "one", false}, rows_of(synthetic_rows(1, 0, 40)));
        catalog.ingest({lab, {}, *parse_timestamp("2030-01-02"), "two", false}, rows_of(synthetic_rows(2, 10, 50)));
    }
    void reset_work() const {
        for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(work + suffix);
        fs::copy_file(base, work);
    }
    IngestSpec spec() const { return {lab, {"recommended", "latest"}, *parse_timestamp("2030-01-03"), "three", merge}; }
};

// The states a faulty ingest may leave: before it, and after a clean one.
struct States {
    std::string before, after;
};

States clean_states(const Scenario& s) {
    s.reset_work();
    States states{catalog_content(s.work), {}};
    Catalog(s.work).ingest(s.spec(), rows_of(s.listing));
    states.after = catalog_content(s.work);
    REQUIRE(states.before != states.after);
    return states;
}

// Runs the ingest on a fresh copy with `arm` set up to fail fault number n; checks the outcome:
// an rspcat::Error (or std::bad_alloc) and the catalog as before, or no error and the catalog
// as after. Returns whether the ingest threw; `kind` is the error's kind, if it was an Error.
template <typename Arm, typename Disarm>
bool ingest_with_fault(const Scenario& s, const States& states, long n, Arm arm, Disarm disarm,
                       std::optional<ErrorKind>* kind = nullptr) {
    s.reset_work();
    bool threw = false;
    {
        Catalog catalog(s.work);
        arm(n);
        try {
            catalog.ingest(s.spec(), rows_of(s.listing));
        } catch (const Error& e) {
            threw = true;
            INFO(e.what());
            CHECK(std::string(e.what()).find(s.work) != std::string::npos);  // names the catalog
            if (kind) *kind = e.kind();
        } catch (const std::bad_alloc&) {
            threw = true;
        } catch (const std::exception& e) {
            disarm();
            FAIL("not an rspcat::Error: " << e.what());
        }
        disarm();
    }
    CAPTURE(n, threw);
    REQUIRE(integrity(s.work) == "ok");
    const std::string content = catalog_content(s.work);
    if (threw) {
        REQUIRE(content == states.before);
    } else {
        REQUIRE(content == states.after);
    }
    return threw;
}

}  // namespace

namespace {

// Every allocation of the ingest fails once, in `shards` test cases that each take every
// shards-th one (so that ctest runs them side by side: under ASan the whole takes minutes).
void check_allocation_faults(bool merge, long shard, long shards) {
    CAPTURE(merge, shard);
    Scenario scenario(merge);
    const States states = clean_states(scenario);
    FaultyAllocator::Installed installed;
    using A = FaultyAllocator;
    // How many allocations a clean ingest makes, and what stays allocated after it (SQLite's own
    // global state, set up on first use).
    A::fail_at = 0;
    ingest_with_fault(scenario, states, 0, [](long) { A::count = 0; A::armed = true; }, [] { A::armed = false; });
    const long total = A::count;
    const long live_before = A::live;
    REQUIRE(total > 100);
    long failures = 0;
    for (long n = 1 + shard; n <= total; n += shards) {
        failures += ingest_with_fault(
            scenario, states, n, [](long at) { A::count = 0; A::fail_at = at; A::armed = true; },
            [] { A::armed = false; });
        // Everything SQLite allocated for the catalog is freed once it is closed.
        REQUIRE(A::live == live_before);
    }
    std::printf("allocation faults (%s, shard %ld of %ld): %ld allocations, %ld failed ingests\n",
                merge ? "merge" : "full", shard + 1, shards, total, failures);
    CHECK(failures > 0);
}

constexpr long allocation_shards = 2;

}  // namespace

TEST_CASE("every allocation failure during a full ingest is a clean error that changes nothing (first half)", "[faults]") {
    check_allocation_faults(false, 0, allocation_shards);
}
TEST_CASE("every allocation failure during a full ingest is a clean error that changes nothing (second half)", "[faults]") {
    check_allocation_faults(false, 1, allocation_shards);
}
TEST_CASE("every allocation failure during a merge is a clean error that changes nothing (first half)", "[faults]") {
    check_allocation_faults(true, 0, allocation_shards);
}
TEST_CASE("every allocation failure during a merge is a clean error that changes nothing (second half)", "[faults]") {
    check_allocation_faults(true, 1, allocation_shards);
}

namespace {

// Runs the scenario's ingest once per call of the VFS's `kind` (1 to the count of a clean
// ingest), that call failing, with ingest_with_fault's checks; `each` sees whether the ingest
// threw and the kind of its error. Returns {calls, failed ingests}.
std::pair<long, long> sweep_vfs_faults(const Scenario& scenario, const States& states, FaultyVfs::Kind kind,
                                       const std::function<void(bool, std::optional<ErrorKind>)>& each = {}) {
    using V = FaultyVfs;
    V::kind = kind;
    V::fail_at = 0;
    ingest_with_fault(scenario, states, 0, [](long) { V::count = 0; V::armed = true; }, [] { V::armed = false; });
    const long total = V::count;
    REQUIRE(total > 0);
    long failures = 0;
    for (long n = 1; n <= total; ++n) {
        CAPTURE(n);
        std::optional<ErrorKind> error;
        const bool threw = ingest_with_fault(
            scenario, states, n, [](long at) { V::count = 0; V::fail_at = at; V::armed = true; },
            [] { V::armed = false; }, &error);
        failures += threw;
        if (each) each(threw, error);
    }
    return {total, failures};
}

}  // namespace

TEST_CASE("every failed write or sync during an ingest is a clean error that changes nothing", "[faults]") {
    for (const bool merge : {false, true}) {
        CAPTURE(merge);
        Scenario scenario(merge);
        const States states = clean_states(scenario);
        FaultyVfs::Installed installed;
        for (const auto kind : {FaultyVfs::Kind::write, FaultyVfs::Kind::sync}) {
            const char* name = kind == FaultyVfs::Kind::write ? "write" : "sync";
            CAPTURE(name);
            const auto [total, failures] = sweep_vfs_faults(scenario, states, kind);
            std::printf("I/O faults (%s, %s): %ld calls, %ld failed ingests\n", merge ? "merge" : "full", name, total,
                        failures);
            CHECK(failures > 0);
        }
    }
}

TEST_CASE("a full disk during an ingest is a disk-full error that changes nothing", "[faults]") {
    Scenario scenario(false);
    const States states = clean_states(scenario);
    FaultyVfs::Installed installed;
    const auto [total, failures] =
        sweep_vfs_faults(scenario, states, FaultyVfs::Kind::full, [](bool threw, std::optional<ErrorKind> kind) {
            if (threw) CHECK(kind == ErrorKind::disk_full);
        });
    std::printf("full disk: %ld writes, %ld failed ingests\n", total, failures);
    CHECK(failures > 0);
}

namespace {

// Calls `call` on a fresh catalog once per fault that `arm` can set (1 to the count of a clean
// call, every `stride`-th), and requires each failure to be an rspcat::Error or std::bad_alloc:
// the check that no third-party exception (SQLiteCpp's, the standard library's) leaves a public
// function. Returns how many calls failed.
template <typename Arm, typename Disarm, typename Count>
long sweep(const std::string& pristine, const std::function<void(Catalog&)>& call, long stride, Arm arm,
           Disarm disarm, Count count) {
    TempDir dir;
    const std::string path = dir.file("c.db");
    auto run = [&](long n) {
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
        std::filesystem::copy_file(pristine, path);
        Catalog catalog(path);
        arm(n);
        try {
            call(catalog);
        } catch (const Error& e) {
            disarm();
            CHECK(std::string(e.what()).size() > 0);
            return true;
        } catch (const std::bad_alloc&) {
            disarm();
            return true;
        } catch (const std::exception& e) {
            disarm();
            FAIL("not an rspcat::Error: " << e.what());
        }
        disarm();
        return false;
    };
    run(0);
    const long total = count();
    long failures = 0;
    for (long n = 1; n <= total; n += stride) {
        CAPTURE(n);
        failures += run(n);
    }
    return failures;
}

}  // namespace

TEST_CASE("every public Catalog function fails only with rspcat::Error when a read or an allocation fails", "[faults]") {
    TempDir dir;
    const std::string pristine = make_catalog(dir);
    for (const auto& [name, call] : every_catalog_call()) {
        CAPTURE(name);
        long read_failures = 0, allocation_failures = 0;
        {
            FaultyVfs::Installed installed;
            using V = FaultyVfs;
            V::kind = V::Kind::read;
            read_failures = sweep(
                pristine, call, 1, [](long at) { V::count = 0; V::fail_at = at; V::armed = true; },
                [] { V::armed = false; }, [] { return V::count; });
        }
        {
            FaultyAllocator::Installed installed;
            using A = FaultyAllocator;
            // Every 5th allocation: the whole sweep of all of them takes minutes under ASan.
            allocation_failures = sweep(
                pristine, call, 5, [](long at) { A::count = 0; A::fail_at = at; A::armed = true; },
                [] { A::armed = false; }, [] { return A::count; });
        }
        std::printf("%s: %ld failed on a read fault, %ld on an allocation fault\n", name.c_str(), read_failures,
                    allocation_failures);
        if (name != "warnings") CHECK(allocation_failures > 0);
    }
}
