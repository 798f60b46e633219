// The schema/*.sql files, embedded at build time by tools/embed_schema.cpp. File i (from 0)
// takes a catalog from schema version i to i + 1.
#pragma once

#include <cstddef>

namespace rspcat::schema {

struct SchemaFile {
    const char* name;
    const char* sql;
};

extern const SchemaFile files[];
extern const std::size_t file_count;

}  // namespace rspcat::schema
