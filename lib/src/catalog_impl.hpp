// The catalog's private state, shared by its source files.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <sqlite3.h>

#include "rspcat/catalog.hpp"

namespace rspcat {

struct Catalog::Impl {
    Impl(const std::string& path, Mode mode);

    SQLite::Database db;
    std::string path;
    bool read_only = false;
    std::string read_only_reason;  // for messages: "is open read-only", …

    // The id of the collection's repository; throws CatalogError when there is no such one, or
    // when none is named and the catalog does not hold exactly one.
    std::int64_t repository_id(const CollectionSpec& collection) const;

    // The view that lists the collection's images: image_listing for the current state, or its
    // temporary twin over the state at `collection.at`, which this prepares.
    std::string listing_view(const CollectionSpec& collection);

   private:
    void check_and_migrate();
    void create_past_views();
    bool past_views_ready = false;
};

// A read transaction around a query of several statements, so that all of them see one state of
// the catalog even while another process commits an ingest (under WAL each statement would
// otherwise see the latest commit). Inside a Writer's transaction it does nothing: that one
// already holds the state.
class ReadTransaction {
   public:
    explicit ReadTransaction(SQLite::Database& db) : db_(db), began_(sqlite3_get_autocommit(db.getHandle()) != 0) {
        if (began_) db_.exec("BEGIN");
    }
    ~ReadTransaction() {
        // Ending a transaction that only read cannot lose anything; nothing to report.
        if (began_) sqlite3_exec(db_.getHandle(), "COMMIT", nullptr, nullptr, nullptr);
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

   private:
    SQLite::Database& db_;
    bool began_;
};

}  // namespace rspcat
