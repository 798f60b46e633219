// The one family of errors that rspcat's public functions throw. A caller that catches
// rspcat::Error catches every failure the library reports; std::bad_alloc is the only other
// exception that can leave a public function (and the RowSource a caller passes to an ingest,
// whose own exceptions come back unchanged: see catalog.hpp).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include "rspcat/export.hpp"

namespace rspcat {

// What went wrong, for a program to react to without reading the message. The command-line tool
// exits with a status per kind (docs/cli.md).
enum class ErrorKind {
    failed,         // the request cannot be done as asked: an unknown repository, an out-of-order snapshot
    input,          // an input is not well-formed: a listing, a row, a tag, a policy
    registry,       // a registry could not be listed: unreachable, refused, an error answer, a limit
    busy,           // another connection held the catalog locked for longer than the busy timeout
    read_only,      // the catalog cannot be written: opened read-only, a read-only file system, permissions
    disk_full,      // no room to write: the disk or the quota is full
    io,             // the operating system failed to open, read or write the file
    corrupt,        // the file, or a row rspcat derived, is damaged: `rspcat check` says where
    not_a_catalog,  // the file is not an rspcat catalog (another database, not a database at all)
    newer_schema,   // the catalog was written by a newer rspcat
    misuse,         // the API was called against its rules (a moved-from object, a second Writer, …)
    constraint,     // a write would break one of the catalog's constraints
};

// The kind's name as the documentation writes it: `busy`, `read-only`, `disk-full`, …
RSPCAT_API std::string_view kind_name(ErrorKind kind);

class RSPCAT_API Error : public std::runtime_error {
   public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    // Defined in the library, so that its vtable and typeinfo live there once.
    ~Error() override;
    ErrorKind kind() const noexcept { return kind_; }

   private:
    ErrorKind kind_;
};

}  // namespace rspcat
