// Entry point of the loadable extension rsp.so: `.load ./rsp` in the sqlite3 shell. SQLite
// derives the name sqlite3_rsp_init from the file name.
#include <dlfcn.h>
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "rspcat/sql.hpp"

namespace {

// Any object of this library, for dladdr() to find the library by.
const char anchor = 0;

// SQLite unloads the library when the init fails, but what registered before the failure stays
// registered and points into it: calling such a function would jump into unmapped memory. So
// the library stays loaded.
void keep_loaded() {
    Dl_info self;
    if (dladdr(&anchor, &self) != 0 && self.dli_fname != nullptr) {
        // A handle never closed; RTLD_NODELETE also keeps the library when SQLite closes its own.
        dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
    }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int sqlite3_rsp_init(sqlite3* db, char** error,
                                                                       const sqlite3_api_routines* api) {
    SQLITE_EXTENSION_INIT2(api);
    const char* failed = nullptr;
    const int rc = rsp_register_sql_v2(db, &failed);
    if (rc != SQLITE_OK) {
        keep_loaded();
        if (error != nullptr) {
            // SQLite prints this after "error during initialization: ". Its own message is there
            // only when the failed call set one; otherwise the result code says what went wrong.
            const char* why = sqlite3_extended_errcode(db) == rc ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
            // Allocated through `api`, with SQLite's allocator: SQLite frees it.
            *error = sqlite3_mprintf("rsp: cannot register %s: %s", failed != nullptr ? failed : "the SQL functions",
                                     why);
        }
    }
    return rc;
}
