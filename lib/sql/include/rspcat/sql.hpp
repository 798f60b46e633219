// The SQL surface of rspcat: one registration function for every rsp_ function, the rsp_tag
// collation and the rsp_filter table-valued function. The loadable extension's entry point, the
// catalog and the tests all call it. Plain C: no exception leaves it.
#pragma once

#include "rspcat/export.hpp"

struct sqlite3;

// Registers everything on `db`. Returns SQLITE_OK or the first registration error: what was
// registered before it stays registered, the rest is not tried.
extern "C" RSPCAT_API int rsp_register_sql(sqlite3* db);

// The same, and on an error, when `failed` is not null, sets *failed to the SQL name whose
// registration failed (`rsp_tag_compare`, the collation `rsp_tag`, the table-valued function
// `rsp_filter`), a static string. SQLite sets sqlite3_errmsg() for
// some of these errors only (e.g. replacing a function while statements run), so use
// sqlite3_errstr() of the result when the connection's error code is another.
extern "C" RSPCAT_API int rsp_register_sql_v2(sqlite3* db, const char** failed);
