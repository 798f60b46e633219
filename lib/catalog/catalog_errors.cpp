#include "catalog_errors.hpp"

#include <sqlite3.h>

#include <new>

namespace rspcat {

ErrorKind sqlite_error_kind(int result_code) {
    switch (result_code & 0xff) {  // the primary code of an extended one
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return ErrorKind::busy;
        case SQLITE_READONLY:
        case SQLITE_PERM:
        case SQLITE_AUTH: return ErrorKind::read_only;
        case SQLITE_FULL: return ErrorKind::disk_full;
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_PROTOCOL:
        case SQLITE_NOLFS: return ErrorKind::io;
        case SQLITE_CORRUPT: return ErrorKind::corrupt;
        case SQLITE_NOTADB: return ErrorKind::not_a_catalog;
        case SQLITE_CONSTRAINT: return ErrorKind::constraint;
        case SQLITE_MISUSE: return ErrorKind::misuse;
        default: return ErrorKind::failed;
    }
}

namespace {

// What an operator can do about it, after SQLite's own words.
std::string advice(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::busy: return " (another connection held the catalog locked for longer than the busy timeout; try again)";
        case ErrorKind::corrupt: return " (run `rspcat check` to see where)";
        case ErrorKind::not_a_catalog: return " (it is not an rspcat catalog)";
        default: return "";
    }
}

}  // namespace

void throw_sqlite_error(const std::string& context, const SQLite::Exception& e) {
    const int code = e.getErrorCode();
    if ((code & 0xff) == SQLITE_NOMEM) throw std::bad_alloc();
    const ErrorKind kind = sqlite_error_kind(code);
    throw CatalogError(kind, context + e.what() + advice(kind));
}

void rethrow_as_catalog_error(const std::string& path, const std::string& doing) {
    const std::string context = "catalog " + path + ": cannot " + doing + ": ";
    try {
        throw;
    } catch (const Error&) {
        throw;
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error(context, e);
    } catch (const std::exception& e) {
        throw CatalogError(ErrorKind::failed, context + e.what());
    }
}

void throw_misuse(const std::string& what) { throw CatalogError(ErrorKind::misuse, "rspcat API misuse: " + what); }

}  // namespace rspcat
