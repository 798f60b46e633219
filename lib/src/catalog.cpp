// Opening a catalog and bringing its schema up to date.
#include "catalog_impl.hpp"

#include <SQLiteCpp/Transaction.h>
#include <sqlite3.h>

#include "rsp_sql.h"
#include "schema_files.hpp"

namespace rspcat {

namespace {

// PRAGMA application_id of rspcat catalogs: 'RSPC'.
constexpr int application_id = 0x52535043;

SQLite::Database open_database(const std::string& path, Catalog::Mode mode) {
    const int flags = mode == Catalog::Mode::read_only ? SQLite::OPEN_READONLY
                                                       : SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE;
    try {
        // Readers and a writer share a catalog under WAL; wait rather than fail when busy.
        return SQLite::Database(path, flags | SQLite::OPEN_NOFOLLOW, 30000);
    } catch (const SQLite::Exception& e) {
        throw CatalogError("cannot open catalog " + path + ": " + e.getErrorStr());
    }
}

int pragma_int(SQLite::Database& db, const char* pragma) {
    return db.execAndGet(std::string("PRAGMA ") + pragma).getInt();
}

}  // namespace

Catalog::Impl::Impl(const std::string& path_, Mode mode) : db(open_database(path_, mode)), path(path_) {
    read_only = mode == Mode::read_only;
    if (const int rc = rsp_register_sql(db.getHandle()); rc != SQLITE_OK) {
        throw CatalogError("cannot register the rsp SQL functions on " + path + ": " + sqlite3_errstr(rc));
    }
    db.exec("PRAGMA foreign_keys = ON");
    check_and_migrate();
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

Catalog::Catalog(const std::string& path, Mode mode) : impl_(std::make_unique<Impl>(path, mode)) {}
Catalog::~Catalog() = default;
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;

int Catalog::schema_version() { return static_cast<int>(schema::file_count); }

}  // namespace rspcat
