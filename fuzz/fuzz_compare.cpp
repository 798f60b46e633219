// Comparison (model.md §1.5) and the rsp_tag collation on triples of tags: compare_tags is
// antisymmetric and transitive where defined; the collation, called the way SQLite calls it, is
// a total order that agrees with compare_tags and is equal only on equal bytes; and the bytes of
// rsp_tag_sort_key() (through SQLite, and tag_sort_key()) sort as the collation does.
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "fuzz_support.hpp"
#include "rspcat/sql.hpp"
#include "rspcat/tag.hpp"

using namespace rspcat;
using rspcat::fuzz::check;
using rspcat::fuzz::sign;

namespace {

// The collation through SQLite itself: -1, 0 or 1.
class Collation {
   public:
    Collation() {
        if (sqlite3_open(":memory:", &db_) != SQLITE_OK || rsp_register_sql(db_) != SQLITE_OK ||
            sqlite3_prepare_v2(db_, "SELECT (?1 > ?2 COLLATE rsp_tag) - (?1 < ?2 COLLATE rsp_tag)", -1, &stmt_,
                               nullptr) != SQLITE_OK ||
            sqlite3_prepare_v2(db_, "SELECT rsp_tag_sort_key(?1)", -1, &key_, nullptr) != SQLITE_OK) {
            check(false, "cannot set up SQLite", sqlite3_errmsg(db_));
        }
    }
    int operator()(const std::string& a, const std::string& b) {
        sqlite3_reset(stmt_);
        sqlite3_bind_text64(stmt_, 1, a.data(), a.size(), SQLITE_STATIC, SQLITE_UTF8);
        sqlite3_bind_text64(stmt_, 2, b.data(), b.size(), SQLITE_STATIC, SQLITE_UTF8);
        check(sqlite3_step(stmt_) == SQLITE_ROW, "the collation query runs", sqlite3_errmsg(db_));
        return sqlite3_column_int(stmt_, 0);
    }
    // rsp_tag_sort_key(text) through SQLite.
    std::string key(const std::string& text) {
        sqlite3_reset(key_);
        sqlite3_bind_text64(key_, 1, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
        check(sqlite3_step(key_) == SQLITE_ROW, "the sort key query runs", sqlite3_errmsg(db_));
        check(sqlite3_column_type(key_, 0) == SQLITE_BLOB, "rsp_tag_sort_key gives a BLOB", text);
        const auto* bytes = static_cast<const char*>(sqlite3_column_blob(key_, 0));
        return bytes ? std::string(bytes, static_cast<std::size_t>(sqlite3_column_bytes(key_, 0))) : std::string();
    }

   private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
    sqlite3_stmt* key_ = nullptr;
};

// memcmp order of two keys, a shorter prefix first, as SQLite compares BLOBs: -1, 0 or 1.
int key_order(const std::string& a, const std::string& b) {
    const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    if (c != 0) return sign(c);
    return sign(static_cast<int>(a.size() > b.size()) - static_cast<int>(a.size() < b.size()));
}

std::string describe(const std::array<std::string, 3>& t) { return t[0] + "\n" + t[1] + "\n" + t[2]; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Collation collate;
    FuzzedDataProvider input(data, size);
    std::array<std::string, 3> text;
    for (auto& t : text) t = fuzz::next_string(input);
    const std::string what = describe(text);
    std::array<Tag, 3> tag;
    for (std::size_t i = 0; i < 3; ++i) tag[i] = parse_tag(text[i]);

    std::array<std::string, 3> key;
    for (std::size_t i = 0; i < 3; ++i) {
        key[i] = collate.key(text[i]);
        check(key[i] == tag_sort_key(text[i]), "rsp_tag_sort_key is tag_sort_key", what);
        // The key reads a version before a base, so it relies on a parse having exactly one.
        const TagView view = parse_tag_view(text[i]);
        check(view.version.has_value() != view.base.has_value(), "a parse has a version or a base", what);
    }

    std::array<std::array<std::optional<int>, 3>, 3> cmp;
    std::array<std::array<int, 3>, 3> col{};
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            cmp[i][j] = compare_tags(tag[i], tag[j]);
            col[i][j] = collate(text[i], text[j]);
        }
    }
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            check(cmp[i][j].has_value() == (tag[i].type == tag[j].type), "comparable exactly when types match", what);
            if (cmp[i][j]) check(*cmp[i][j] == -*cmp[j][i], "compare_tags is antisymmetric", what);
            check(col[i][j] == -col[j][i], "the collation is antisymmetric", what);
            check((col[i][j] == 0) == (text[i] == text[j]), "the collation is equal only on equal bytes", what);
            check(key_order(key[i], key[j]) == col[i][j], "sort keys sort as the collation", what);
            if (cmp[i][j] && *cmp[i][j] != 0) {
                check(col[i][j] == *cmp[i][j], "the collation agrees with compare_tags", what);
            }
            if (tag[i].type != tag[j].type) {
                // Ascending is types in reverse priority: Unknown first, Alias last.
                check(col[i][j] == sign(static_cast<int>(tag[j].type) - static_cast<int>(tag[i].type)),
                      "the collation orders types in reverse priority", what);
            }
        }
    }
    for (std::size_t i = 0; i < 3; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            for (std::size_t k = 0; k < 3; ++k) {
                if (cmp[i][j] && cmp[j][k] && *cmp[i][j] <= 0 && *cmp[j][k] <= 0) {
                    check(*cmp[i][k] <= 0, "compare_tags is transitive", what);
                    if (*cmp[i][j] < 0 || *cmp[j][k] < 0) check(*cmp[i][k] < 0, "compare_tags is transitive (<)", what);
                }
                if (col[i][j] <= 0 && col[j][k] <= 0) {
                    check(col[i][k] <= 0, "the collation is transitive", what);
                    if (col[i][j] < 0 || col[j][k] < 0) check(col[i][k] < 0, "the collation is transitive (<)", what);
                }
            }
        }
    }
    return 0;
}
