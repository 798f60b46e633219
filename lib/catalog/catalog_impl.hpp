// The catalog's private state, shared by its source files.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Savepoint.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>
#include <SQLiteCpp/VariadicBind.h>
#include <sqlite3.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/catalog.hpp"
#include "image_row.hpp"

namespace rspcat {

// How a catalog file is opened. WAL readers need a -shm file beside the catalog; where none
// exists and none can be made, the only way to read is SQLite's `immutable` open, which trusts
// that nothing changes the file meanwhile.
struct OpenPlan {
    std::chrono::milliseconds busy_timeout{};
    Catalog::LockWaitNotice on_long_lock_wait;
    bool immutable = false;
    std::string read_only_reason;  // for messages: "is open read-only", …
    std::vector<std::string> warnings;
};

// Refuses paths that are not catalogs (a FIFO, a symbolic link) and says how to open the rest.
OpenPlan plan_open(const std::string& path, Catalog::Mode mode, std::chrono::milliseconds busy_timeout);

struct Catalog::Impl {
    // What an open is for: using the catalog (its schema checked, upgraded, its listing caught
    // up), or Catalog::check, which opens it as it is and checks and repairs it itself.
    enum class Purpose { use, check };

    Impl(const std::string& path, Mode mode, std::chrono::milliseconds busy_timeout);
    Impl(const std::string& path, Mode mode, const OpenPlan& plan, Purpose purpose = Purpose::use);
    // Rolls back an open Writer's transaction and tells the Writer that its catalog is gone.
    ~Impl();
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    SQLite::Database db;
    std::string path;
    bool read_only = false;
    std::string read_only_reason;  // for messages: "is open read-only", …
    std::vector<std::string> warnings;
    std::string foreign_trigger;  // "NAME on TABLE": a trigger rspcat did not make, if any
    std::chrono::milliseconds busy_timeout;

    // SQLite's busy handler state: waits up to busy_timeout, telling on_long_wait once per wait
    // that passes lock_wait_notice_after. Lives here, where its address stays put.
    struct LockWait {
        std::chrono::milliseconds timeout;
        Catalog::LockWaitNotice on_long_wait;
        std::chrono::steady_clock::time_point started;
        bool told = false;
    } lock_wait;

    // The Writer open on this catalog, if any, and its transaction. Here rather than in the
    // Writer so that it ends before `db` closes, whichever of the two goes first.
    Writer::State* writer = nullptr;
    std::optional<SQLite::Transaction> write_transaction;
    // Ends `state`'s transaction (rolled back unless committed), if it is the open Writer's.
    void end_write(Writer::State& state);

    // Throws a CatalogError ending in `consequence` unless rspcat may write this catalog: not when
    // it is open read-only, nor while it holds a trigger that rspcat did not make.
    void check_writable(const std::string& consequence) const;
    // A misuse error unless no Writer is open: `function` writes in a transaction of its own.
    void check_no_writer(const std::string& function) const;

    // The id of the collection's repository; throws CatalogError when there is no such one, or
    // when none is named and the catalog does not hold exactly one.
    std::int64_t repository_id(const CollectionSpec& collection) const;

    // The table or view that lists the collection's images, resolved: the `listing` table for
    // the current state, or the temporary twin of listing_source over the state at
    // `collection.at`, which this prepares. Either orders by menu_order.
    std::string listing_view(const CollectionSpec& collection);

    // Sets each alias entry's `resolved_to`: what it resolved to in the collection when the
    // entry started. Entries of the repository `repository`, with their digests and times.
    void resolve_timeline(std::int64_t repository, const CollectionSpec& collection,
                          std::vector<TimelineEntry>& entries);

    // Brings `listing` up to date for the digests in listing_stale, within the caller's write
    // transaction. Every write calls it before it commits.
    void refresh_listing();

    // Throws a CatalogError for a schema version outside 0..current, or a file that is not an
    // rspcat catalog.
    void check_version(int version);
    // TEMP copies `<prefix>_<view>` of the resolution views over a TEMP table `<prefix>_images`.
    void create_view_copies(const std::string& prefix);

   private:
    void check_schema_objects(int version);
    void check_and_migrate();
    void catch_up_listing();
};

// Binds a parameter (by number or name) to a value that may be missing, NULL if it is: SQLiteCpp
// 3.2.1's SQLite::bind(statement, values...) has no way to say NULL.
template <typename Parameter, typename T>
void bind_optional(SQLite::Statement& s, Parameter parameter, const std::optional<T>& value) {
    if (value) {
        s.bind(parameter, *value);
    } else {
        s.bind(parameter);
    }
}

// A read transaction around a query of several statements, so that all of them see one state of
// the catalog even while another process commits an ingest (under WAL each statement would
// otherwise see the latest commit). A savepoint: outside a transaction it begins one, inside a
// Writer's it nests in the state that one already holds.
class ReadTransaction {
   public:
    explicit ReadTransaction(SQLite::Database& db) : savepoint_(db, "rspcat_read") {}
    ~ReadTransaction() {
        // Released on every exit, exceptions included: it only read, and a rollback would also
        // drop the TEMP view copies made inside it. Failing to end a read loses nothing.
        try {
            savepoint_.release();
        } catch (const SQLite::Exception&) {
        }
    }
    ReadTransaction(const ReadTransaction&) = delete;
    ReadTransaction& operator=(const ReadTransaction&) = delete;

   private:
    SQLite::Savepoint savepoint_;
};

}  // namespace rspcat
