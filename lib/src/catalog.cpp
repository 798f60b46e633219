// Opening a catalog and bringing its schema up to date.
#include "catalog_impl.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>
#include <sys/statvfs.h>

#include <cctype>
#include <filesystem>

#include "rsp_sql.h"
#include "schema_files.hpp"

namespace rspcat {

namespace {

// PRAGMA application_id of rspcat catalogs: 'RSPC'.
constexpr int application_id = 0x52535043;

// True for a catalog file on a read-only file system (a read-only mount, a snapshot) with no
// -wal file beside it. SQLite cannot read such a WAL-mode file the usual way, since readers need
// a -shm file that cannot be created there; but then the file itself holds every committed
// transaction and nothing can change it, which is what SQLite's `immutable` open is for.
bool on_read_only_file_system(const std::string& path) {
    struct statvfs fs {};
    if (path.empty() || path == ":memory:" || statvfs(path.c_str(), &fs) != 0) return false;
    return (fs.f_flag & ST_RDONLY) != 0 && !std::filesystem::exists(path + "-wal");
}

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

SQLite::Database open_database(const std::string& path, Catalog::Mode mode, bool immutable) {
    const int flags = mode == Catalog::Mode::read_only || immutable ? SQLite::OPEN_READONLY
                                                                    : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    try {
        // Readers and a writer share a catalog under WAL; wait rather than fail when busy.
        if (immutable) return SQLite::Database(file_uri(path, "immutable=1"), flags | SQLite::OPEN_URI, 30000);
        return SQLite::Database(path, flags | SQLite::OPEN_NOFOLLOW, 30000);
    } catch (const SQLite::Exception& e) {
        throw CatalogError("cannot open catalog " + path + ": " + e.getErrorStr());
    }
}

int pragma_int(SQLite::Database& db, const char* pragma) {
    return db.execAndGet(std::string("PRAGMA ") + pragma).getInt();
}

}  // namespace

Catalog::Impl::Impl(const std::string& path_, Mode mode)
    : db(open_database(path_, mode, on_read_only_file_system(path_))), path(path_) {
    if (mode == Mode::read_only) read_only_reason = "is open read-only";
    if (on_read_only_file_system(path)) read_only_reason = "is on a read-only file system";
    read_only = !read_only_reason.empty();
    if (const int rc = rsp_register_sql(db.getHandle()); rc != SQLITE_OK) {
        throw CatalogError("cannot register the rsp SQL functions on " + path + ": " + sqlite3_errstr(rc));
    }
    db.exec("PRAGMA foreign_keys = ON");
    // A page cache of up to 64 MiB per database (main and temp), not SQLite's 2 MiB: ingests and
    // listing refreshes walk several indexes of the whole repository, and with the default cache
    // they spend most of their time re-reading pages from the operating system.
    db.exec("PRAGMA main.cache_size = -65536");
    db.exec("PRAGMA temp.cache_size = -65536");
    check_and_migrate();
    catch_up_listing();
}

void Catalog::Impl::check_and_migrate() {
    const int current = static_cast<int>(schema::file_count);
    auto check = [&](int version) {
        const bool has_tables = db.execAndGet("SELECT count(*) FROM sqlite_schema").getInt() > 0;
        if ((version > 0 || has_tables) && pragma_int(db, "application_id") != application_id) {
            throw CatalogError(path + " is not an rspcat catalog (it is an SQLite database of something else)");
        }
        if (version > current) {
            throw CatalogError("catalog " + path + " has schema version " + std::to_string(version) +
                               ", newer than this rspcat knows (" + std::to_string(current) +
                               "); use a newer rspcat");
        }
    };
    int version = pragma_int(db, "user_version");
    check(version);
    if (version == current) return;
    if (read_only) {
        throw CatalogError("catalog " + path + " has schema version " + std::to_string(version) +
                           ", older than this rspcat writes (" + std::to_string(current) +
                           "); open it once without --read-only to upgrade it");
    }
    if (path != ":memory:" && !path.empty()) db.exec("PRAGMA journal_mode = WAL");
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    version = pragma_int(db, "user_version");  // another process may have migrated meanwhile
    check(version);
    for (int i = version; i < current; ++i) {
        try {
            db.exec(schema::files[i].sql);
        } catch (const SQLite::Exception& e) {
            throw CatalogError(std::string("cannot apply schema/") + schema::files[i].name + " to " + path + ": " +
                               e.what());
        }
    }
    db.exec("PRAGMA user_version = " + std::to_string(current));
    db.exec("PRAGMA application_id = " + std::to_string(application_id));
    transaction.commit();
}

// Writes made outside rspcat (the sqlite3 shell) mark digests stale without refreshing them:
// a catalog opened for writing brings the listing up to date before anything reads it.
void Catalog::Impl::catch_up_listing() {
    if (read_only || !db.execAndGet("SELECT EXISTS (SELECT 1 FROM main.listing_stale)").getInt()) return;
    SQLite::Transaction transaction(db, SQLite::TransactionBehavior::IMMEDIATE);
    refresh_listing();
    transaction.commit();
}

Catalog::Catalog(const std::string& path, Mode mode) : impl_(std::make_unique<Impl>(path, mode)) {}
Catalog::~Catalog() = default;
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;

int Catalog::schema_version() { return static_cast<int>(schema::file_count); }

}  // namespace rspcat
