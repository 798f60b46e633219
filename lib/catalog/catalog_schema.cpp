#include "catalog_schema.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <vector>

#include "rspcat/sql.hpp"
#include "rspcat/catalog.hpp"
#include "schema_files.hpp"

namespace rspcat::detail {

SchemaObjects schema_objects(SQLite::Database& db) {
    SchemaObjects objects;
    SQLite::Statement s(db, "SELECT type, name, tbl_name, sql FROM main.sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
    while (s.executeStep()) {
        SchemaObject object{s.getColumn(0).getString(), s.getColumn(1).getString(), s.getColumn(2).getString(),
                            s.getColumn(3).getString(), {}};
        objects.emplace(object.name, std::move(object));
    }
    return objects;
}

namespace {

// Applies the schema files one by one to an empty database, keeping what each version holds.
std::vector<SchemaObjects> build_all_versions() {
    try {
        SQLite::Database db(":memory:", SQLite::OPEN_READWRITE);
        // The same SQL surface as a catalog connection, in case a schema object names a function.
        rsp_register_sql(db.getHandle());
        std::vector<SchemaObjects> versions{schema_objects(db)};
        SQLite::Statement columns(db, "SELECT name FROM pragma_table_info(?)");
        for (std::size_t i = 0; i < schema::file_count; ++i) {
            db.exec(schema::files[i].sql);
            versions.push_back(schema_objects(db));
            for (auto& [name, object] : versions.back()) {
                if (object.type != "table" && object.type != "view") continue;
                columns.reset();
                columns.bind(1, name);
                while (columns.executeStep()) object.columns.push_back(columns.getColumn(0).getString());
            }
        }
        return versions;
    } catch (const SQLite::Exception& e) {
        // Only a broken build gets here: the embedded SQL is rspcat's own.
        throw CatalogError(std::string("rspcat's own schema does not apply: ") + e.what());
    }
}

}  // namespace

const SchemaObjects& shipped_schema(int version) {
    static const std::vector<SchemaObjects> versions = build_all_versions();
    return versions.at(static_cast<std::size_t>(version));
}

}  // namespace rspcat::detail
