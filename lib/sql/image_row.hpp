// The catalog's SQL that both of its readers run, and Image values from its listing's rows: the
// catalog reads through SQLiteCpp, the extension's rsp_filter() through the raw C API.
#pragma once

#include <cstdint>
#include <string>

#include "rspcat/image.hpp"

namespace rspcat {

// The image_listing columns that make an Image, in the order image_from_row() reads them.
inline constexpr const char* image_row_columns =
    "tag, image_type, display_name, version_major, version_minor, version_patch, version_prerelease, "
    "base, cycle, cycle_build, rsp_build, architecture, extra, date, registry, repository, digest, "
    "size, alias_target, aliases, nodes";

// ORDER BY terms of menu order (model.md §1.5) over the catalog's `listing` table (and its twins for
// past listings): exactly the terms of the index listing_by_menu (schema/002_listing.sql), so
// that SQLite reads that index in order instead of sorting.
inline constexpr const char* menu_order =
    "type_priority, version_major IS NULL DESC, version_major DESC, version_minor DESC, version_patch DESC, "
    "prerelease_key IS NULL DESC, prerelease_key DESC, base DESC, cycle DESC, cycle_build DESC, "
    "rsp_build DESC, extra DESC, architecture IS NULL DESC, architecture DESC, tag DESC";

// The repository of a collection: ?1 registry and ?2 repository, or both NULL for the catalog's
// only one. Up to two ids, so that callers can tell "none" and "several" apart.
inline constexpr const char* repository_lookup =
    "SELECT id FROM main.repositories WHERE ?1 IS NULL OR (registry = ?1 AND repository = ?2) LIMIT 2";

// One result row, column by column (0-based, in image_row_columns order).
class ColumnValues {
   public:
    virtual ~ColumnValues() = default;
    virtual bool is_null(int column) const = 0;
    virtual std::int64_t integer(int column) const = 0;
    virtual std::string text(int column) const = 0;
};

// Throws std::runtime_error on a row the catalog could not have written (a malformed date or
// JSON array), naming the value.
Image image_from_row(const ColumnValues& row);

}  // namespace rspcat
