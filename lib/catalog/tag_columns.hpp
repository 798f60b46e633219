// The columns of a `tags` row that rspcat derives from the tag: its parse, as this build makes
// it. One definition for the ingest, which writes them, and for Catalog::check, which compares
// stored rows with them.
#pragma once

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rspcat::detail {

struct TagColumns {
    std::string parse;  // 'grammar' or 'alias'
    std::string image_type;
    std::int64_t type_priority = 0;
    std::string display_name;
    std::optional<std::string> version;
    std::optional<std::int64_t> version_major, version_minor, version_patch;
    std::optional<std::string> version_prerelease;
    std::optional<std::string> prerelease_key;  // stored as a BLOB
    std::optional<std::string> base;
    std::optional<std::int64_t> cycle, cycle_build, rsp_build;
    std::optional<std::string> architecture, extra, date;
    std::string alias_title;

    // The parse of `tag` (the alias parse when it is one of its repository's alias tags).
    static TagColumns derive(std::string_view tag, bool is_alias);

    // The derived columns, comma-separated, in the order read() expects them.
    static const char* column_list();
    // `:parse, :image_type, …`: the parameters that bind() binds, in that order.
    static const char* parameter_list();
    // `parse = :parse, …`: for an UPDATE.
    static const char* assignments();
    // `parse IS :parse AND …`: true for a stored row that holds exactly the bound values.
    static const char* equal_to_parameters();

    // A stored row whose derived columns start at `first` (selected as column_list() says).
    // A value of the wrong SQLite type (text where an integer belongs) is kept as its text, so
    // that it never compares equal to a derived value.
    static TagColumns read(SQLite::Statement& s, int first);

    // Binds the values to parameters `first` … `first + 17`, NULL for missing ones: the numbers
    // SQLite gives the `:column` parameters of parameter_list(), assignments() or
    // equal_to_parameters() when they follow `first - 1` other parameters. By number, not by
    // name: looking names up costs an ingest more than the rest of the comparison.
    void bind(SQLite::Statement& s, int first) const;

    // Throws std::logic_error unless the statement numbers its `:column` parameters so.
    static void check_parameters(SQLite::Statement& s, int first);

    // The columns whose values differ, each as `name 'stored'` (this one) and the other's value.
    std::vector<std::string> differences(const TagColumns& derived) const;

    // The columns whose stored value read() found of the wrong type; a derived row has none.
    std::vector<std::string> wrong_type;

    bool operator==(const TagColumns&) const = default;
};

}  // namespace rspcat::detail
