// How the catalog's public functions report failures: as rspcat::Error only. SQLite's
// exceptions and the standard library's become a CatalogError that names the catalog, what was
// being done and the kind of failure; rspcat's own errors and std::bad_alloc pass unchanged.
#pragma once

#include <SQLiteCpp/Exception.h>

#include <string>

#include "rspcat/catalog.hpp"

namespace rspcat {

// The kind of failure an SQLite result code means.
ErrorKind sqlite_error_kind(int result_code);

// An SQLite failure as a CatalogError of its kind: `context`, then SQLite's words and advice.
// SQLITE_NOMEM as std::bad_alloc.
[[noreturn]] void throw_sqlite_error(const std::string& context, const SQLite::Exception& e);

// Rethrows the exception being handled, translated as above. `doing` completes "cannot …".
[[noreturn]] void rethrow_as_catalog_error(const std::string& path, const std::string& doing);

// Runs `body`, translating what it throws.
template <typename Body>
auto with_catalog_errors(const std::string& path, const std::string& doing, Body&& body) -> decltype(body()) {
    try {
        return body();
    } catch (...) {
        rethrow_as_catalog_error(path, doing);
    }
}

// A CatalogError of the misuse kind: `what` is the rule that was broken.
[[noreturn]] void throw_misuse(const std::string& what);

}  // namespace rspcat
