// Opening a catalog: refusing files that are not catalogs or that were changed outside rspcat,
// and bringing the schema up to date.
#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <climits>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"
#include "catalog_schema.hpp"
#include "rspcat/sql.hpp"
#include "schema_files.hpp"

namespace rspcat {

namespace {

// An open that SQLite refused: not a database, a damaged one, a lock held past the timeout, a
// directory that does not exist. Says which file.
[[noreturn]] void opening_failed(const std::string& path, const SQLite::Exception& e) {
    throw_sqlite_error("cannot open catalog " + path + ": ", e);
}

bool is_file_path(const std::string& path) { return !path.empty() && path != ":memory:"; }

const char* file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
    return "not a regular file";
}

// A catalog is a regular file, or one to be created. Anything else would hang SQLite (a FIFO
// blocks until someone writes to it) or fail with SQLite's bare "unable to open database file".
void check_catalog_path(const std::string& path) {
    struct stat status {};
    if (!is_file_path(path) || lstat(path.c_str(), &status) != 0) return;  // to be created
    if (S_ISLNK(status.st_mode)) {
        std::error_code error;
        const auto target = std::filesystem::read_symlink(path, error);
        throw CatalogError(ErrorKind::failed, "cannot open catalog " + path + ": it is a symbolic link" +
                           (error ? "" : " (to " + target.string() + ")") +
                           "; rspcat opens a catalog only by its real path, so that its -wal and -shm files are "
                           "the ones beside it: pass the target instead");
    }
    if (!S_ISREG(status.st_mode)) {
        throw CatalogError(ErrorKind::not_a_catalog, "cannot open catalog " + path + ": it is " + file_kind(status.st_mode) +
                           ", not a regular file");
    }
}

bool exists(const std::string& path) {
    struct stat status {};
    return lstat(path.c_str(), &status) == 0;
}

std::string directory_of(const std::string& path) {
    const auto parent = std::filesystem::path(path).parent_path();
    return parent.empty() ? "." : parent.string();
}

}  // namespace

OpenPlan plan_open(const std::string& path, Catalog::Mode mode, std::chrono::milliseconds busy_timeout) {
    check_catalog_path(path);
    OpenPlan plan;
    plan.busy_timeout = busy_timeout;
    if (mode == Catalog::Mode::read_only) plan.read_only_reason = "is open read-only";
    if (!is_file_path(path) || !exists(path)) return plan;
    struct statvfs fs {};
    const bool read_only_mount = statvfs(path.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0;
    const bool cannot_make_shm = mode == Catalog::Mode::read_only && !exists(path + "-shm") &&
                                 access(directory_of(path).c_str(), W_OK) != 0;
    if (!read_only_mount && !cannot_make_shm) return plan;
    std::error_code error;
    const auto wal_size = std::filesystem::file_size(path + "-wal", error);
    if (!error && wal_size > 0) {
        // Committed transactions wait in the -wal file; an immutable open would not see them.
        throw CatalogError(ErrorKind::read_only, "cannot read catalog " + path + ": its -wal file holds transactions, and reading them "
                           "needs " + path + "-shm, which " +
                           (read_only_mount ? "a read-only file system" : "this user") +
                           " cannot create; open it once where it can be written");
    }
    plan.immutable = true;
    if (read_only_mount) {
        plan.read_only_reason = "is on a read-only file system";
    } else {
        plan.warnings.push_back("cannot create " + path + "-shm (the directory " + directory_of(path) +
                                " is not writable by this user): reading the catalog as immutable, so changes "
                                "that another process commits meanwhile are not seen");
    }
    return plan;
}

namespace {

// `file:` URI of a path, every byte but unreserved ones and `/` percent-encoded.
std::string file_uri(const std::string& path, const char* query) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string uri = "file:";
    for (const char c : path) {
        const auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            uri.push_back(c);
        } else {
            uri.append({'%', hex[byte >> 4], hex[byte & 15]});
        }
    }
    return uri + "?" + query;
}

int busy_timeout_ms(const OpenPlan& plan) {
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(plan.busy_timeout.count(), 0, INT_MAX));
}

SQLite::Database open_database(const std::string& path, Catalog::Mode mode, const OpenPlan& plan) {
    const bool read_only = mode == Catalog::Mode::read_only || plan.immutable;
    const int flags = read_only ? SQLite::OPEN_READONLY : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    try {
        // Readers and a writer share a catalog under WAL; wait rather than fail when busy.
        if (plan.immutable) {
            return SQLite::Database(file_uri(path, "immutable=1"), flags | SQLite::OPEN_URI, busy_timeout_ms(plan));
        }
        return SQLite::Database(path, flags | SQLite::OPEN_NOFOLLOW, busy_timeout_ms(plan));
    } catch (const SQLite::Exception& e) {
        opening_failed(path, e);
    }
}

int pragma_int(SQLite::Database& db, const char* pragma) {
    return db.execAndGet(std::string("PRAGMA ") + pragma).getInt();
}

bool is_busy(const SQLite::Exception& e) {
    const int code = e.getErrorCode();
    return code == SQLITE_BUSY || code == SQLITE_LOCKED;
}

// Switching a new file to WAL needs an exclusive lock, and SQLite asks for it without calling the
// busy handler: when several processes create one catalog at once, all but one get SQLITE_BUSY
// at once. So this retries, with short random pauses, for as long as the busy timeout.
void enable_wal(SQLite::Database& db, std::chrono::milliseconds busy_timeout) {
    std::minstd_rand random(static_cast<unsigned>(getpid()));
    const auto deadline = std::chrono::steady_clock::now() + busy_timeout;
    while (true) {
        try {
            db.exec("PRAGMA journal_mode = WAL");
            return;
        } catch (const SQLite::Exception& e) {
            if (!is_busy(e) || std::chrono::steady_clock::now() >= deadline) throw;
        }
        std::this_thread::sleep_for(std::chrono::microseconds(500 + random() % 5000));
    }
}

// SQLite's busy handler: sleeps a little longer each time, like sqlite3_busy_timeout, until the
// timeout; tells once per wait when it has lasted lock_wait_notice_after.
int wait_for_lock(void* context, int count) noexcept {
    using namespace std::chrono;
    auto& wait = *static_cast<Catalog::Impl::LockWait*>(context);
    const auto now = steady_clock::now();
    if (count == 0) wait.started = now, wait.told = false;
    const auto waited = duration_cast<milliseconds>(now - wait.started);
    if (waited >= wait.timeout) return 0;
    if (!wait.told && waited >= Catalog::lock_wait_notice_after && wait.on_long_wait) {
        wait.told = true;
        try {
            wait.on_long_wait();
        } catch (...) {  // NOLINT(bugprone-empty-catch): nothing may unwind through SQLite
        }
    }
    constexpr std::array<int, 8> steps_ms{1, 2, 5, 10, 15, 20, 25, 50};
    const milliseconds step{steps_ms[std::min<std::size_t>(static_cast<std::size_t>(count), steps_ms.size() - 1)]};
    std::this_thread::sleep_for(std::min(step, wait.timeout - waited));
    return 1;
}

}  // namespace

Catalog::Impl::Impl(const std::string& path_, Mode mode, std::chrono::milliseconds busy_timeout_)
    : Impl(path_, mode, plan_open(path_, mode, busy_timeout_)) {}

Catalog::Impl::Impl(const std::string& path_, Mode mode, const OpenPlan& plan, Purpose purpose)
    : db(open_database(path_, mode, plan)),
      path(path_),
      read_only(!plan.read_only_reason.empty()),
      read_only_reason(plan.read_only_reason),
      warnings(plan.warnings),
      busy_timeout(plan.busy_timeout),
      lock_wait{plan.busy_timeout, plan.on_long_lock_wait, {}, false} {
    sqlite3_busy_handler(db.getHandle(), wait_for_lock, &lock_wait);
    const char* failed = "the rsp SQL functions";
    if (const int rc = rsp_register_sql_v2(db.getHandle(), &failed); rc != SQLITE_OK) {
        if (rc == SQLITE_NOMEM) throw std::bad_alloc();
        throw CatalogError(ErrorKind::failed, "cannot register " + std::string(failed) + " on " + path + ": " + sqlite3_errstr(rc));
    }
    try {
        db.exec("PRAGMA foreign_keys = ON");
        // A page cache of up to 64 MiB per database (main and temp), not SQLite's 2 MiB: ingests and
        // listing refreshes walk several indexes of the whole repository, and with the default cache
        // they spend most of their time re-reading pages from the operating system.
        db.exec("PRAGMA main.cache_size = -65536");
        db.exec("PRAGMA temp.cache_size = -65536");
        if (purpose == Purpose::use) {
            check_and_migrate();
            catch_up_listing();
        }
    } catch (const SQLite::Exception& e) {
        // Not a database, a damaged one, a lock held past the timeout: say which file.
        opening_failed(path, e);
    }
}

// Version outside 0..current, or an SQLite file of something else: refused before anything of it
// is read or run.
void Catalog::Impl::check_version(int version) {
    const int current = static_cast<int>(schema::file_count);
    if (version < 0) {
        throw CatalogError(ErrorKind::not_a_catalog,
                           path + " is not an rspcat catalog (schema version " + std::to_string(version) + ")");
    }
    const bool has_tables = db.execAndGet("SELECT count(*) FROM main.sqlite_schema").getInt() > 0;
    if ((version > 0 || has_tables) && pragma_int(db, "application_id") != schema::application_id) {
        throw CatalogError(ErrorKind::not_a_catalog,
                           path + " is not an rspcat catalog (it is an SQLite database of something else)");
    }
    if (version > current) {
        throw CatalogError(ErrorKind::newer_schema, "catalog " + path + " has schema version " + std::to_string(version) +
                           ", newer than this rspcat knows (" + std::to_string(current) +
                           "): it was written by a newer rspcat, or it is not an rspcat catalog");
    }
}

// Every object that rspcat's schema makes at `version` must be there exactly as rspcat made it:
// otherwise queries would run SQL that somebody else wrote. Objects of the user's own (a report
// view, an index) are left alone; a trigger of theirs is remembered, since it would run inside
// rspcat's writes, and makes the catalog one that rspcat only reads.
void Catalog::Impl::check_schema_objects(int version) {
    const auto& shipped = detail::shipped_schema(version);
    const auto present = detail::schema_objects(db);
    const std::string changed = " was changed outside rspcat; rspcat will not use a catalog whose own schema it cannot "
                                "trust (compare `sqlite3 " + path + " .schema` with rspcat's schema/)";
    for (const auto& [name, expected] : shipped) {
        const auto found = present.find(name);
        if (found == present.end()) {
            throw CatalogError(ErrorKind::corrupt, "catalog " + path + " lacks the " + expected.type + " " + name + " of schema version " +
                               std::to_string(version) + ": it" + changed);
        }
        const auto& actual = found->second;
        if (actual.type != expected.type || actual.table != expected.table || actual.sql != expected.sql) {
            throw CatalogError(ErrorKind::corrupt, "catalog " + path + ": the " + expected.type + " " + name + " is not the one schema version " +
                               std::to_string(version) + " defines: it" + changed);
        }
    }
    foreign_trigger.clear();
    for (const auto& [name, actual] : present) {
        if (actual.type == "trigger" && shipped.count(name) == 0) {
            foreign_trigger = name + " on " + actual.table;
            break;
        }
    }
}

void Catalog::Impl::check_no_writer(const std::string& function) const {
    if (writer) throw_misuse(function + " while a Writer is open on catalog " + path + ": commit it first");
}

void Catalog::Impl::check_writable(const std::string& consequence) const {
    if (read_only) throw CatalogError(ErrorKind::read_only, "catalog " + path + " " + read_only_reason + "; " + consequence);
    if (!foreign_trigger.empty()) {
        throw CatalogError(ErrorKind::read_only, "catalog " + path + " has a trigger " + foreign_trigger +
                           " that rspcat did not make, which would run inside rspcat's writes (drop it to write "
                           "with rspcat; reading works); " + consequence);
    }
}

void Catalog::Impl::check_and_migrate() {
    const int current = static_cast<int>(schema::file_count);
    int version = 0;
    {
        // The version and the objects from one state: another process may be creating the catalog.
        const ReadTransaction read(db);
        version = pragma_int(db, "user_version");
        check_version(version);
        check_schema_objects(version);
    }
    if (version == current) return;
    if (read_only) {
        throw CatalogError(ErrorKind::read_only, "catalog " + path + " has schema version " + std::to_string(version) +
                           ", older than this rspcat writes (" + std::to_string(current) +
                           "); open it once without --read-only to upgrade it");
    }
    check_writable("cannot upgrade its schema");
    if (is_file_path(path)) enable_wal(db, busy_timeout);
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    version = pragma_int(db, "user_version");  // another process may have migrated meanwhile
    check_version(version);
    check_schema_objects(version);
    for (int i = version; i < current; ++i) {
        try {
            db.exec(schema::files[i].sql);
        } catch (const SQLite::Exception& e) {
            throw CatalogError(sqlite_error_kind(e.getErrorCode()), std::string("cannot apply schema/") + schema::files[i].name + " to " + path + ": " +
                               e.what());
        }
    }
    db.exec("PRAGMA user_version = " + std::to_string(current));
    db.exec("PRAGMA application_id = " + std::to_string(schema::application_id));
    transaction.commit();
}

// Writes made outside rspcat (the sqlite3 shell) mark digests stale without refreshing them:
// a catalog opened for writing brings the listing up to date before anything reads it.
void Catalog::Impl::catch_up_listing() {
    if (read_only || !db.execAndGet("SELECT EXISTS (SELECT 1 FROM main.listing_stale)").getInt()) return;
    check_writable("cannot bring its listing up to date");
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    refresh_listing();
    transaction.commit();
}

CatalogError::~CatalogError() = default;
IngestGuardError::~IngestGuardError() = default;

Catalog::Catalog(const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout)
    : impl_(with_catalog_errors(path, "open it", [&] { return std::make_unique<Impl>(path, mode, busy_timeout); })) {}
Catalog::Catalog(const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout,
                 LockWaitNotice on_long_lock_wait)
    : impl_(with_catalog_errors(path, "open it", [&] {
          OpenPlan plan = plan_open(path, mode, busy_timeout);
          plan.on_long_lock_wait = std::move(on_long_lock_wait);
          return std::make_unique<Impl>(path, mode, plan);
      })) {}
Catalog::~Catalog() = default;
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;

Catalog::Impl& Catalog::impl() const {
    if (!impl_) throw_misuse("this Catalog was moved from; use the one it was moved to");
    return *impl_;
}

const std::vector<std::string>& Catalog::warnings() const { return impl().warnings; }

int Catalog::schema_version() { return static_cast<int>(schema::file_count); }

}  // namespace rspcat
