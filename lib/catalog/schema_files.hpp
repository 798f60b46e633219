// The schema/*.sql files, embedded at build time by embed_schema.cpp. File i (from 0)
// takes a catalog from schema version i to i + 1.
#pragma once

#include <cstddef>

namespace rspcat::schema {

struct SchemaFile {
    const char* name;
    const char* sql;
};

// PRAGMA application_id of rspcat catalogs: 'RSPC'. Here, with the schema, so that
// schema/current.sql (embed_schema --current) sets the same.
inline constexpr int application_id = 0x52535043;

extern const SchemaFile files[];
extern const std::size_t file_count;

}  // namespace rspcat::schema
