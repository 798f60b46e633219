// What a catalog's schema must be: the objects that rspcat's own SQL (schema/*.sql, embedded at
// build time) makes at each version. A catalog is compared with them when it is opened, and the
// catalog's TEMP copies of the resolution views are made from them, never from SQL text stored
// in a catalog file: that text is whatever the last program to write the file put there.
#pragma once

#include <SQLiteCpp/Database.h>

#include <map>
#include <string>
#include <vector>

namespace rspcat::detail {

struct SchemaObject {
    std::string type;   // table, index, view, trigger
    std::string name;
    std::string table;  // sqlite_schema.tbl_name
    std::string sql;    // exactly as SQLite stores it
    std::vector<std::string> columns;  // of a table or view, in order; filled for shipped_schema() only
};

using SchemaObjects = std::map<std::string, SchemaObject>;  // by name

// The objects of a database's main schema, sqlite_* internals aside.
SchemaObjects schema_objects(SQLite::Database& db);

// The objects that schema files 1..version make, sqlite_* internals aside. `version` must be in
// 0..schema::file_count. Made once per process, in a private in-memory database.
const SchemaObjects& shipped_schema(int version);

}  // namespace rspcat::detail
