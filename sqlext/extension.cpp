// Entry point of the loadable extension rsp.so: `.load ./rsp` in the sqlite3 shell. SQLite
// derives the name sqlite3_rsp_init from the file name.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "rspcat/sql.hpp"

extern "C" __attribute__((visibility("default"))) int sqlite3_rsp_init(sqlite3* db, char** error,
                                                                       const sqlite3_api_routines* api) {
    SQLITE_EXTENSION_INIT2(api);
    const char* failed = nullptr;
    const int rc = rsp_register_sql_v2(db, &failed);
    if (rc != SQLITE_OK && error != nullptr) {
        // SQLite prints this after "error during initialization: ". Its own message is there only
        // when the failed call set one; otherwise the result code says what went wrong.
        const char* why = sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        // Allocated with SQLite's allocator (through `api`): SQLite frees it.
        *error = sqlite3_mprintf("rsp: cannot register %s: %s", failed != nullptr ? failed : "the SQL functions", why);
    }
    return rc;
}
