// The catalog's private state, shared by its source files.
#pragma once

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include "rspcat/catalog.hpp"

namespace rspcat {

struct Catalog::Impl {
    Impl(const std::string& path, Mode mode);

    SQLite::Database db;
    std::string path;
    bool read_only = false;

    // The id of the collection's repository; throws CatalogError when there is no such one, or
    // when none is named and the catalog does not hold exactly one.
    std::int64_t repository_id(const CollectionSpec& collection) const;

    // The view that lists the collection's images: image_listing for the current state, or its
    // temporary twin over the state at `collection.at`, which this prepares.
    std::string listing_view(const CollectionSpec& collection);

   private:
    void check_and_migrate();
    void create_past_views();
    bool past_views_ready = false;
};

}  // namespace rspcat
