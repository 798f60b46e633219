// Registry listings as text: `tag<TAB>digest[<TAB>size]` lines, or history files whose header
// starts with `snapshot_at` and that hold many snapshots. Read as a stream, one row at a time.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "rspcat/error.hpp"
#include "rspcat/export.hpp"
#include "rspcat/time.hpp"

namespace rspcat {

// A problem with an input, with where it is: `FILE:LINE: what is wrong`.
class RSPCAT_API InputError : public Error {
   public:
    explicit InputError(const std::string& message) : Error(ErrorKind::input, message) {}
    // Defined in the library, so that its vtable and typeinfo live there once.
    ~InputError() override;
};

struct ListingRow {
    std::string tag;
    std::string digest;
    std::optional<std::int64_t> size;
    std::size_t line = 0;  // 1-based line in the source, for error messages
};

// Docker's tag grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
RSPCAT_API bool is_docker_tag(std::string_view tag);
// `sha256:` and 64 lower-case hex digits.
RSPCAT_API bool is_sha256_digest(std::string_view digest);
// What is wrong with a row, as every listing reader and every ingest checks it: a tag that is not
// a Docker tag, a digest that is not sha256, a negative size. nullopt for a good row.
RSPCAT_API std::optional<std::string> row_problem(const ListingRow& row);

class RSPCAT_API TsvListingReader {
   public:
    // `source` names the input in error messages (a file name, or `-`).
    TsvListingReader(std::istream& in, std::string source);

    // True when the header starts with `snapshot_at`: then rows come in snapshots, and
    // next_snapshot() must be called before each snapshot's rows.
    bool is_history() const { return history_; }

    // History files: the time of the next snapshot, or nullopt at the end. Snapshots must come
    // in time order, each snapshot's rows together. On a plain listing: an Error of the misuse kind.
    std::optional<Timestamp> next_snapshot();

    // The next row of the listing (of the current snapshot, for history files), or nullopt.
    std::optional<ListingRow> next_row();

    const std::string& source() const { return source_; }

   private:
    struct Line {
        std::optional<Timestamp> snapshot_at;
        ListingRow row;
    };
    // The next line that is not empty or a comment, without its line ending; a line of only
    // spaces and tabs is an error.
    RSPCAT_INTERNAL std::optional<std::string> next_text();
    RSPCAT_INTERNAL std::optional<Line> read_line();
    [[noreturn]] RSPCAT_INTERNAL void fail(std::size_t line, const std::string& message) const;

    std::istream& in_;
    std::string source_;
    std::size_t line_number_ = 0;
    bool history_ = false;
    bool size_column_ = false;  // history files: whether there is a size column
    std::optional<std::string> pushed_back_;  // a first line that turned out not to be a header
    std::optional<Line> pending_;  // history files: the first row of the next snapshot
    std::optional<Timestamp> current_snapshot_;
    std::optional<Timestamp> last_snapshot_;
};

}  // namespace rspcat
