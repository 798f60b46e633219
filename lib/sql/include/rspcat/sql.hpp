// The SQL surface of rspcat: one registration function for every rsp_ function and the rsp_tag
// collation. The loadable extension's entry point, the catalog and the tests all call it.
#pragma once

#include "rspcat/export.hpp"

struct sqlite3;

// Registers everything on `db`. Returns SQLITE_OK or the first registration error.
extern "C" RSPCAT_API int rsp_register_sql(sqlite3* db);
