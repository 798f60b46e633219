#include "rspcat/error.hpp"

namespace rspcat {

Error::~Error() = default;

std::string_view kind_name(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::failed: return "failed";
        case ErrorKind::input: return "input";
        case ErrorKind::registry: return "registry";
        case ErrorKind::busy: return "busy";
        case ErrorKind::read_only: return "read-only";
        case ErrorKind::disk_full: return "disk-full";
        case ErrorKind::io: return "io";
        case ErrorKind::corrupt: return "corrupt";
        case ErrorKind::not_a_catalog: return "not-a-catalog";
        case ErrorKind::newer_schema: return "newer-schema";
        case ErrorKind::misuse: return "misuse";
        case ErrorKind::constraint: return "constraint";
    }
    return "unknown";
}

}  // namespace rspcat
