// Entry point of the loadable extension rsp.so: `.load ./rsp` in the sqlite3 shell. SQLite
// derives the name sqlite3_rsp_init from the file name.
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#include "rspcat/sql.hpp"

extern "C" __attribute__((visibility("default"))) int sqlite3_rsp_init(sqlite3* db, char**,
                                                                       const sqlite3_api_routines* api) {
    SQLITE_EXTENSION_INIT2(api);
    return rsp_register_sql(db);
}
