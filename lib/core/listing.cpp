#include "rspcat/listing.hpp"

#include <algorithm>
#include <vector>

#include "digits.hpp"
#include "input_text.hpp"

namespace rspcat {

namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    while (true) {
        const std::size_t tab = line.find('\t', start);
        fields.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) return fields;
        start = tab + 1;
    }
}

// Spaces and tabs before the `#` are allowed, as they always were.
bool is_comment(std::string_view line) {
    const std::size_t first = line.find_first_not_of(" \t");
    return first != std::string_view::npos && line[first] == '#';
}

bool is_only_spaces_and_tabs(std::string_view line) {
    return !line.empty() && line.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

InputError::~InputError() = default;

bool is_docker_tag(std::string_view tag) {
    auto word = [](char c) { return detail::is_digit(c) || detail::is_letter(c) || c == '_'; };
    if (tag.empty() || tag.size() > 128 || !word(tag[0])) return false;
    return std::all_of(tag.begin() + 1, tag.end(), [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool is_sha256_digest(std::string_view digest) {
    constexpr std::string_view prefix = "sha256:";
    if (digest.size() != prefix.size() + 64 || !digest.starts_with(prefix)) return false;
    return std::all_of(digest.begin() + prefix.size(), digest.end(),
                       [](char c) { return detail::is_digit(c) || (c >= 'a' && c <= 'f'); });
}

std::optional<std::string> row_problem(const ListingRow& row) {
    if (!is_docker_tag(row.tag)) {
        return "tag " + detail::quoted(row.tag) + " is not a Docker tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})";
    }
    if (!is_sha256_digest(row.digest)) {
        return "digest " + detail::quoted(row.digest) + " is not sha256: followed by 64 lower-case hex digits";
    }
    if (row.size && *row.size < 0) return "size " + std::to_string(*row.size) + " is negative";
    return std::nullopt;
}

TsvListingReader::TsvListingReader(std::istream& in, std::string source) : in_(in), source_(std::move(source)) {
    const auto first = next_text();
    if (!first) return;
    const auto fields = split_tabs(*first);
    if (fields[0] == "snapshot_at") {
        const bool ok = (fields.size() == 3 || fields.size() == 4) && fields[1] == "tag" && fields[2] == "digest" &&
                        (fields.size() == 3 || fields[3] == "size");
        if (!ok) fail(line_number_, "a history header must be snapshot_at<TAB>tag<TAB>digest[<TAB>size]");
        history_ = true;
        size_column_ = fields.size() == 4;
        return;
    }
    const bool plain_header = fields.size() >= 2 && fields[0] == "tag" && fields[1] == "digest";
    if (!plain_header) pushed_back_ = *first;
}

std::optional<std::string> TsvListingReader::next_text() {
    if (pushed_back_) {
        auto text = std::move(pushed_back_);
        pushed_back_.reset();
        return text;
    }
    std::string text;
    while (std::getline(in_, text)) {
        ++line_number_;
        // A byte-order mark, which Windows editors write at the start of UTF-8 text, is no part of a tag.
        if (line_number_ == 1 && text.starts_with(detail::utf8_bom)) text.erase(0, detail::utf8_bom.size());
        if (!text.empty() && text.back() == '\r') text.pop_back();
        if (text.empty() || is_comment(text)) continue;
        // Not taken as blank: a line of tabs is a row whose fields were lost, and a file of them
        // would otherwise ingest as an empty snapshot that removes every tag.
        if (is_only_spaces_and_tabs(text)) fail(line_number_, "a line of only spaces or tabs (a blank line must be empty)");
        return text;
    }
    if (in_.bad()) fail(line_number_, "read error");
    return std::nullopt;
}

void TsvListingReader::fail(std::size_t line, const std::string& message) const {
    throw InputError(source_ + ":" + std::to_string(line) + ": " + message);
}

std::optional<TsvListingReader::Line> TsvListingReader::read_line() {
    const auto text = next_text();
    if (!text) return std::nullopt;
    const auto fields = split_tabs(*text);
    Line line;
    line.row.line = line_number_;
    std::size_t column = 0;
    const std::size_t min_fields = history_ ? 3 : 2;
    const std::size_t max_fields = history_ ? (size_column_ ? 4 : 3) : 3;
    if (fields.size() < min_fields || fields.size() > max_fields) {
        fail(line_number_, "expected " +
                               std::string(history_ ? (size_column_ ? "snapshot_at<TAB>tag<TAB>digest<TAB>size"
                                                                    : "snapshot_at<TAB>tag<TAB>digest")
                                                    : "tag<TAB>digest[<TAB>size]") +
                               ", found " + std::to_string(fields.size()) + " field" +
                               (fields.size() == 1 ? "" : "s"));
    }
    if (history_) {
        line.snapshot_at = parse_timestamp(fields[column]);
        if (!line.snapshot_at) {
            fail(line_number_, "snapshot_at " + detail::quoted(fields[column]) + " is not an ISO 8601 time");
        }
        ++column;
    }
    line.row.tag = std::string(fields[column++]);
    line.row.digest = std::string(fields[column++]);
    if (const auto problem = row_problem(line.row)) fail(line_number_, *problem);
    if (column < fields.size() && !fields[column].empty()) {
        const std::string_view size = fields[column];
        const auto value = detail::all_digits(size) ? detail::to_int64(size) : std::nullopt;
        if (!value) fail(line_number_, "size " + detail::quoted(size) + " is not a whole number of bytes");
        line.row.size = value;
    }
    return line;
}

std::optional<Timestamp> TsvListingReader::next_snapshot() {
    if (!history_) throw Error(ErrorKind::misuse, source_ + ": next_snapshot() on a listing that is not a history file");
    // Skip whatever the caller left of the current snapshot.
    while (current_snapshot_ && next_row()) {
    }
    if (!pending_) pending_ = read_line();
    if (!pending_) return std::nullopt;
    const Timestamp at = *pending_->snapshot_at;
    if (last_snapshot_ && at <= *last_snapshot_) {
        fail(pending_->row.line, "snapshot " + format_timestamp(at) + " comes after snapshot " +
                                     format_timestamp(*last_snapshot_) +
                                     "; snapshots must be in time order, each one's rows together");
    }
    current_snapshot_ = at;
    last_snapshot_ = at;
    return at;
}

std::optional<ListingRow> TsvListingReader::next_row() {
    if (!history_) {
        auto line = read_line();
        if (!line) return std::nullopt;
        return std::move(line->row);
    }
    if (!current_snapshot_) return std::nullopt;
    if (!pending_) pending_ = read_line();
    if (!pending_ || *pending_->snapshot_at != *current_snapshot_) {
        current_snapshot_.reset();  // the pending line, if any, starts the next snapshot
        return std::nullopt;
    }
    ListingRow row = std::move(pending_->row);
    pending_.reset();
    return row;
}

}  // namespace rspcat
