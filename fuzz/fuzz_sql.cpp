// The SQL surface through an in-memory database (rsp_register_sql): every rsp_ function, the
// rsp_tag collation and rsp_filter() over a small catalog, called with arguments of every
// SQLite type, holding any bytes. SQL errors
// are fine where docs/sql.md says so (a BLOB, an invalid version); a crash, a sanitizer
// finding, a C++ exception reaching SQLite or an unexpected error is not.
#include <sqlite3.h>

#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "rspcat/sql.hpp"
#include "rspcat/catalog.hpp"

using rspcat::fuzz::check;

namespace {

struct Function {
    const char* sql;
    int arguments;
};

// Each query's first column is the function's result; the tag accessors are checked against
// rsp_parse_tag in the same row.
constexpr std::array<Function, 18> functions = {{
    {"SELECT json_valid(rsp_parse_tag(?1)) OR ?1 IS NULL", 1},
    {"SELECT json_valid(rsp_alias_tag(?1)) OR ?1 IS NULL", 1},
    {"SELECT rsp_tag_type(?1) IS rsp_parse_tag(?1) ->> '$.image_type'", 1},
    {"SELECT rsp_tag_display_name(?1) IS NOT NULL OR ?1 IS NULL", 1},
    {"SELECT rsp_tag_version(?1) IS NULL OR rsp_parse_tag(?1) ->> '$.version' IS NOT NULL", 1},
    {"SELECT rsp_tag_date(?1) IS rsp_parse_tag(?1) ->> '$.date'", 1},
    {"SELECT rsp_tag_cycle(?1) IS rsp_parse_tag(?1) ->> '$.cycle'", 1},
    {"SELECT rsp_tag_cycle_build(?1) IS rsp_parse_tag(?1) ->> '$.cycle_build'", 1},
    {"SELECT rsp_tag_rsp_build(?1) IS rsp_parse_tag(?1) ->> '$.rsp_build'", 1},
    {"SELECT (rsp_tag_architecture(?1) IS NULL) = (rsp_parse_tag(?1) ->> '$.architecture' IS NULL)", 1},
    {"SELECT (rsp_tag_extra(?1) IS NULL) = (rsp_parse_tag(?1) ->> '$.extra' IS NULL)", 1},
    {"SELECT (rsp_tag_base(?1) IS NULL) = (rsp_parse_tag(?1) ->> '$.base' IS NULL)", 1},
    {"SELECT coalesce(rsp_tag_compare(?1, ?2) IN (-1, 0, 1), 1)", 2},
    {"SELECT coalesce(rsp_semver_compare(?1, ?2) IN (-1, 0, 1), 1)", 2},
    {"SELECT rsp_version() IS NOT NULL", 0},
    {"SELECT count(*) > 0 OR (?1 IS NULL AND ?2 IS NULL) FROM (SELECT ?1 AS t UNION ALL SELECT ?2 "
     "UNION ALL SELECT 'r22_0_1' ORDER BY t COLLATE rsp_tag DESC)", 2},
    {"SELECT ?1 COLLATE rsp_tag = ?2 OR ?1 COLLATE rsp_tag <> ?2 OR ?1 IS NULL OR ?2 IS NULL", 2},
    {"SELECT count(*) >= 0 FROM rsp_filter(?1, ?2, ?3, ?4, ?5, ?6, ?7)", 7},
}};

// A small catalog for rsp_filter() to read, written once through the catalog API, then read
// in memory.
std::string catalog_image() {
    const std::string path = "/tmp/rspcat-fuzz-sql-" + std::to_string(getpid()) + ".db";
    {
        rspcat::Catalog catalog(path);
        std::istringstream listing(
            "recommended\tsha256:" + std::string(64, 'a') + "\nw_2026_32\tsha256:" + std::string(64, 'a') +
            "\nw_2026_31-amd64\tsha256:" + std::string(64, 'b') + "\nr29_2_0_rsp2697\tsha256:" + std::string(64, 'c') +
            "\nd_2026_08_05_c0045.003\tsha256:" + std::string(64, 'd') + "\nexp_random\tsha256:" + std::string(64, 'e') +
            "\nr30_0_0_rc2\tsha256:" + std::string(64, 'f') + "\n");
        rspcat::TsvListingReader reader(listing, "seed");
        catalog.ingest({{"r", "p"}, {"recommended"}, *rspcat::parse_timestamp("2026-08-01"), "seed", false},
                       [&] { return reader.next_row(); });
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::remove(path.c_str());
    // The file is in WAL mode; an in-memory image must say rollback journal (header bytes 18
    // and 19), or SQLite looks for a -wal file it cannot have.
    if (bytes.size() > 19) bytes[18] = bytes[19] = 1;
    return bytes;
}

class Database {
   public:
    Database() {
        if (sqlite3_open(":memory:", &db_) != SQLITE_OK || rsp_register_sql(db_) != SQLITE_OK) {
            check(false, "cannot set up SQLite", sqlite3_errmsg(db_));
        }
        const std::string image = catalog_image();
        auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
        std::memcpy(copy, image.data(), image.size());
        if (sqlite3_deserialize(db_, "main", copy, static_cast<sqlite3_int64>(image.size()),
                                static_cast<sqlite3_int64>(image.size()),
                                SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) != SQLITE_OK) {
            check(false, "cannot load the catalog", sqlite3_errmsg(db_));
        }
        for (const Function& f : functions) {
            sqlite3_stmt* stmt = nullptr;
            if (sqlite3_prepare_v2(db_, f.sql, -1, &stmt, nullptr) != SQLITE_OK) {
                check(false, "cannot prepare", sqlite3_errmsg(db_));
            }
            statements_.push_back(stmt);
        }
    }
    sqlite3* handle() const { return db_; }
    sqlite3_stmt* statement(std::size_t i) const { return statements_[i]; }

   private:
    sqlite3* db_ = nullptr;
    std::vector<sqlite3_stmt*> statements_;
};

// Binds an argument of a type the input picks: NULL, text, BLOB, integer or real.
void bind(sqlite3_stmt* stmt, int index, FuzzedDataProvider& input) {
    switch (input.ConsumeIntegralInRange(0, 4)) {
        case 0: sqlite3_bind_null(stmt, index); break;
        case 1: sqlite3_bind_int64(stmt, index, input.ConsumeIntegral<std::int64_t>()); break;
        case 2: sqlite3_bind_double(stmt, index, input.ConsumeFloatingPoint<double>()); break;
        case 3: {
            const std::string bytes = rspcat::fuzz::next_string(input);
            sqlite3_bind_blob64(stmt, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
            break;
        }
        default: {
            const std::string text = rspcat::fuzz::next_string(input);
            sqlite3_bind_text64(stmt, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            break;
        }
    }
}

bool expected_error(std::string_view message) {
    // docs/sql.md: a BLOB is an error that names the function; so is an invalid version, and
    // rsp_filter() names itself in every error (a bad policy, time or repository).
    return message.find(": a BLOB is not a tag") != std::string_view::npos ||
           message.rfind("rsp_filter: ", 0) == 0 ||
           message.find("rsp_semver_compare: a BLOB") != std::string_view::npos ||
           message.find("is not a semantic version") != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Database db;
    FuzzedDataProvider input(data, size);
    const std::size_t which = input.ConsumeIntegralInRange<std::size_t>(0, functions.size() - 1);
    sqlite3_stmt* stmt = db.statement(which);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    for (int i = 1; i <= sqlite3_bind_parameter_count(stmt); ++i) bind(stmt, i, input);
    const int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        check(sqlite3_column_int(stmt, 0) == 1, "the function's result holds its property", functions[which].sql);
    } else {
        const std::string_view message = sqlite3_errmsg(db.handle());
        check(rc == SQLITE_ERROR && expected_error(message), "only documented errors", message);
    }
    sqlite3_reset(stmt);
    return 0;
}
