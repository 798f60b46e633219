// Ingest input: any bytes as a TSV listing or history file. The reader either yields rows that
// are valid (Docker tags, sha256 digests, snapshots in time order) or throws InputError; nothing
// else may escape. The first line is also read as a time (history files start each row with one).
#include <sstream>

#include "fuzz_support.hpp"
#include "rspcat/listing.hpp"

using namespace rspcat;
using rspcat::fuzz::check;

namespace {

void check_row(const ListingRow& row, const std::string& what) {
    check(is_docker_tag(row.tag), "rows hold Docker tags", what);
    check(is_sha256_digest(row.digest), "rows hold sha256 digests", what);
    check(!row.size || *row.size >= 0, "sizes are not negative", what);
    check(row.line > 0, "rows know their line", what);
}

void read_listing(const std::string& text) {
    std::istringstream in(text);
    TsvListingReader reader(in, "fuzz.tsv");
    if (!reader.is_history()) {
        while (auto row = reader.next_row()) check_row(*row, text);
        return;
    }
    std::optional<Timestamp> last;
    while (auto at = reader.next_snapshot()) {
        check(!last || *last < *at, "snapshots come in time order", text);
        last = at;
        while (auto row = reader.next_row()) check_row(*row, text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        read_listing(text);
    } catch (const InputError& e) {
        check(std::string(e.what()).rfind("fuzz.tsv:", 0) == 0, "input errors name the source", e.what());
    }
    const std::string first_line = text.substr(0, text.find('\n'));
    if (const auto t = parse_timestamp(first_line)) {
        check(parse_timestamp(format_timestamp(*t)) == t, "a stored time reads back", first_line);
    }
    return 0;
}
