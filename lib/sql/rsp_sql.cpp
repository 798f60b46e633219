// SQL glue for the tag model. Compiled twice: into the in-process library (against sqlite3.h) and
// into the loadable extension rsp.so (against sqlite3ext.h, where every sqlite3_ call goes
// through the API table that SQLite hands to the entry point).
//
// Functions (each reads its tag argument as text; NULL gives NULL; a BLOB is an error that
// starts with the function's name; integers and reals are read as their text):
//
//   rsp_parse_tag(tag)           tag JSON of the grammar parse
//   rsp_alias_tag(tag)           tag JSON of the alias parse
//   rsp_tag_type(tag)            'Alias' … 'Unknown'
//   rsp_tag_display_name(tag)    display name
//   rsp_tag_version(tag)         semantic version as text, or NULL
//   rsp_tag_date(tag)            'YYYY-MM-DD HH:MM:SS', or NULL
//   rsp_tag_cycle(tag)           integer or NULL; likewise rsp_tag_cycle_build, rsp_tag_rsp_build
//   rsp_tag_architecture(tag)    text or NULL; likewise rsp_tag_extra, rsp_tag_base
//   rsp_tag_compare(a, b)        -1, 0 or 1; NULL when the types differ
//   rsp_tag_sort_key(tag)        BLOB whose byte order is the rsp_tag collation's
//   rsp_semver_compare(a, b)     -1, 0 or 1; an invalid version is an error
//   rsp_version()                the project's version
//   COLLATE rsp_tag              DESC is menu order
//   rsp_filter(policy, …)        table-valued: a policy over the catalog (rsp_filter.cpp)
//
// No C++ exception leaves this file: every callback catches at its boundary.
#ifdef RSP_LOADABLE_EXTENSION
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#else
#include <sqlite3.h>
#endif

#include <array>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "rspcat/sql.hpp"
#include "json_text.hpp"
#include "rspcat/tag.hpp"
#include "rspcat/version.hpp"

namespace {

constexpr int pure_function = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;

enum class ArgStatus { text, null, error };

// Reads argument `value` as tag text. On NULL the caller returns NULL; on error the result has
// already been set.
ArgStatus read_text(sqlite3_context* ctx, sqlite3_value* value, const char* function,
                    std::string_view& out) {
    switch (sqlite3_value_type(value)) {
        case SQLITE_NULL: return ArgStatus::null;
        case SQLITE_BLOB: {
            const std::string message = std::string(function) + ": a BLOB is not a tag; pass text";
            sqlite3_result_error(ctx, message.c_str(), -1);
            return ArgStatus::error;
        }
        default: break;
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
    if (text == nullptr) {
        sqlite3_result_error_nomem(ctx);
        return ArgStatus::error;
    }
    out = std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(value)));
    return ArgStatus::text;
}

void result_text(sqlite3_context* ctx, std::string_view text) {
    sqlite3_result_text64(ctx, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

// Runs `body` and turns any exception into an SQL error that names the function.
template <typename Body>
void guarded(sqlite3_context* ctx, const char* function, Body&& body) noexcept {
    try {
        body();
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(ctx);
    } catch (const std::exception& e) {
        const std::string message = std::string(function) + ": " + e.what();
        sqlite3_result_error(ctx, message.c_str(), -1);
    } catch (...) {
        sqlite3_result_error(ctx, function, -1);
    }
}

void result_optional(sqlite3_context* ctx, const std::optional<std::string_view>& text) {
    if (text) {
        result_text(ctx, *text);
    } else {
        sqlite3_result_null(ctx);
    }
}

void result_optional(sqlite3_context* ctx, const std::optional<rspcat::TagNumber>& number) {
    if (number) {
        sqlite3_result_int64(ctx, number->value);
    } else {
        sqlite3_result_null(ctx);
    }
}

// One-argument functions of a tag share one callback; what differs is in a TagFunction passed
// as the function's user data. The accessors read a TagView, which copies nothing: they run once
// per row, and most need one field.
struct TagFunction {
    const char* name;
    void (*result)(sqlite3_context*, std::string_view tag);
};

using rspcat::parse_tag_view;

const std::array<TagFunction, 13> tag_functions = {{
    {"rsp_parse_tag",
     [](sqlite3_context* c, std::string_view t) { result_text(c, rspcat::to_json(parse_tag_view(t))); }},
    {"rsp_alias_tag",
     [](sqlite3_context* c, std::string_view t) { result_text(c, rspcat::to_json(rspcat::parse_alias_tag(t))); }},
    {"rsp_tag_type",
     [](sqlite3_context* c, std::string_view t) {
         // The type names are constants: SQLite need not copy them.
         const std::string_view name = rspcat::type_name(parse_tag_view(t).type);
         sqlite3_result_text64(c, name.data(), name.size(), SQLITE_STATIC, SQLITE_UTF8);
     }},
    {"rsp_tag_display_name",
     [](sqlite3_context* c, std::string_view t) {
         std::string name;
         rspcat::append_display_name(name, parse_tag_view(t));
         result_text(c, name);
     }},
    {"rsp_tag_version",
     [](sqlite3_context* c, std::string_view t) {
         const auto tag = parse_tag_view(t);
         if (!tag.version) return sqlite3_result_null(c);
         result_text(c, rspcat::to_string(rspcat::to_semver(*tag.version)));
     }},
    {"rsp_tag_date",
     [](sqlite3_context* c, std::string_view t) {
         const auto date = rspcat::tag_date(parse_tag_view(t));
         if (!date) return sqlite3_result_null(c);
         result_text(c, rspcat::format_date(*date));
     }},
    {"rsp_tag_cycle", [](sqlite3_context* c, std::string_view t) { result_optional(c, parse_tag_view(t).cycle); }},
    {"rsp_tag_cycle_build",
     [](sqlite3_context* c, std::string_view t) { result_optional(c, parse_tag_view(t).cycle_build); }},
    {"rsp_tag_rsp_build",
     [](sqlite3_context* c, std::string_view t) { result_optional(c, parse_tag_view(t).rsp_build); }},
    {"rsp_tag_architecture",
     [](sqlite3_context* c, std::string_view t) { result_optional(c, parse_tag_view(t).architecture); }},
    {"rsp_tag_extra", [](sqlite3_context* c, std::string_view t) { result_optional(c, parse_tag_view(t).extra); }},
    {"rsp_tag_base", [](sqlite3_context* c, std::string_view t) { result_optional(c, parse_tag_view(t).base); }},
    {"rsp_tag_sort_key",
     [](sqlite3_context* c, std::string_view t) {
         // One buffer per thread, kept: the key is copied into the result, and most keys are
         // longer than a string's inline room, so a fresh string would allocate on every row.
         thread_local std::string key;
         key.clear();
         rspcat::append_tag_sort_key(key, t);
         sqlite3_result_blob64(c, key.data(), key.size(), SQLITE_TRANSIENT);
         if (key.capacity() > 4096) std::string().swap(key);  // one huge tag: do not keep its room
     }},
}};

void call_tag_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
    const auto* function = static_cast<const TagFunction*>(sqlite3_user_data(ctx));
    guarded(ctx, function->name, [&] {
        std::string_view text;
        if (read_text(ctx, argv[0], function->name, text) != ArgStatus::text) return;
        function->result(ctx, text);
    });
}

void rsp_tag_compare(sqlite3_context* ctx, int, sqlite3_value** argv) {
    constexpr const char* name = "rsp_tag_compare";
    guarded(ctx, name, [&] {
        std::string_view a, b;
        const ArgStatus sa = read_text(ctx, argv[0], name, a);
        if (sa == ArgStatus::error) return;
        const ArgStatus sb = read_text(ctx, argv[1], name, b);
        if (sb == ArgStatus::error) return;
        if (sa == ArgStatus::null || sb == ArgStatus::null) return;
        const auto order = rspcat::compare_tags(parse_tag_view(a), parse_tag_view(b));
        if (order) {
            sqlite3_result_int(ctx, *order);
        } else {
            sqlite3_result_null(ctx);
        }
    });
}

// The value in quotes for an error message, cut short. SQLite takes messages as C strings, so a
// NUL (or any control byte) is shown as `?` rather than ending the message early; so is a byte
// that is not UTF-8, and the cut never splits a character.
std::string quoted_for_message(std::string_view value) {
    constexpr std::size_t limit = 80;
    std::string out = "'";
    std::size_t i = 0;
    while (i < value.size() && i < limit) {
        const std::size_t length = rspcat::json::utf8_sequence_length(value.substr(i));
        const auto byte = static_cast<unsigned char>(value[i]);
        if (length == 0 || byte < 0x20 || byte == 0x7F) {
            out.push_back('?');
            ++i;
        } else {
            out.append(value.substr(i, length));
            i += length;
        }
    }
    if (i < value.size()) out.append("…");
    out.append("'");
    return out;
}

void rsp_semver_compare(sqlite3_context* ctx, int, sqlite3_value** argv) {
    constexpr const char* name = "rsp_semver_compare";
    guarded(ctx, name, [&] {
        std::array<std::optional<rspcat::SemVer>, 2> versions;
        for (std::size_t i = 0; i < versions.size(); ++i) {
            std::string_view text;
            const ArgStatus status = read_text(ctx, argv[i], name, text);
            if (status == ArgStatus::error) return;
            if (status == ArgStatus::null) {
                sqlite3_result_null(ctx);
                return;
            }
            versions[i] = rspcat::parse_semver(text);
            if (!versions[i]) {
                const std::string message = std::string(name) + ": " + quoted_for_message(text) +
                                            " is not a semantic version (MAJOR.MINOR.PATCH[-PRE][+BUILD])";
                sqlite3_result_error(ctx, message.c_str(), -1);
                return;
            }
        }
        sqlite3_result_int(ctx, rspcat::compare_semver(*versions[0], *versions[1]));
    });
}

void rsp_version(sqlite3_context* ctx, int, sqlite3_value**) {
    result_text(ctx, rspcat::project_version);
}

int byte_order(std::string_view a, std::string_view b) {
    const int c = a.compare(b);
    return (c > 0) - (c < 0);
}

// The last tag parsed on one side of the collation. SQLite's sorter merges sorted runs, so one
// side of consecutive comparisons is usually the tag of the comparison before: remembering one
// parse per side saves about half the parsing. The parse points into a copy of the tag, because
// SQLite may move or free the bytes it passed; tags longer than the copy's room are parsed where
// they are and not remembered. Per thread: SQLite may sort on worker threads.
class RememberedParse {
   public:
    const rspcat::TagView& of(std::string_view tag) {
        if (known_ && tag == std::string_view(text_, size_)) return view_;
        known_ = tag.size() <= sizeof text_;
        if (known_) {
            std::memcpy(text_, tag.data(), tag.size());
            size_ = tag.size();
            tag = std::string_view(text_, size_);
        }
        // Made in place rather than assigned: a TagView is some 300 bytes, and copying it costs
        // a fair part of a parse. (It is trivially destructible.)
        static_assert(std::is_trivially_destructible_v<rspcat::TagView>);
        ::new (static_cast<void*>(&view_)) rspcat::TagView(parse_tag_view(tag));
        return view_;
    }

   private:
    char text_[256];
    std::size_t size_ = 0;
    bool known_ = false;
    rspcat::TagView view_;
};

int collate_rsp_tag(void*, int na, const void* a, int nb, const void* b) noexcept {
    const std::string_view ta(static_cast<const char*>(a), static_cast<std::size_t>(na));
    const std::string_view tb(static_cast<const char*>(b), static_cast<std::size_t>(nb));
    thread_local RememberedParse left, right;
    try {
        // The parse turns '' into `latest`; the final tie-break is on the bytes as given.
        const int order = rspcat::collate_tags(left.of(ta), right.of(tb));
        return order != 0 ? order : byte_order(ta, tb);
    } catch (...) {
        // Nothing above allocates; but a collation cannot report an error, so byte order it is.
        return byte_order(ta, tb);
    }
}

}  // namespace

extern "C" int rsp_register_filter(sqlite3* db);  // rsp_filter.cpp

extern "C" int rsp_register_sql_v2(sqlite3* db, const char** failed) {
    // `what` names the registration under way, so that a failure can say which one it was.
    const char* what = nullptr;
    int rc = SQLITE_OK;
    for (const TagFunction& f : tag_functions) {
        what = f.name;
        rc = sqlite3_create_function_v2(db, f.name, 1, pure_function, const_cast<TagFunction*>(&f),
                                        call_tag_function, nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) break;
    }
    if (rc == SQLITE_OK) {
        what = "rsp_tag_compare";
        rc = sqlite3_create_function_v2(db, what, 2, pure_function, nullptr, rsp_tag_compare, nullptr, nullptr,
                                        nullptr);
    }
    if (rc == SQLITE_OK) {
        what = "rsp_semver_compare";
        rc = sqlite3_create_function_v2(db, what, 2, pure_function, nullptr, rsp_semver_compare, nullptr, nullptr,
                                        nullptr);
    }
    if (rc == SQLITE_OK) {
        what = "rsp_version";
        rc = sqlite3_create_function_v2(db, what, 0, pure_function, nullptr, rsp_version, nullptr, nullptr, nullptr);
    }
    if (rc == SQLITE_OK) {
        what = "rsp_tag";
        rc = sqlite3_create_collation_v2(db, what, SQLITE_UTF8, nullptr, collate_rsp_tag, nullptr);
    }
    if (rc == SQLITE_OK) {
        what = "rsp_filter";
        rc = rsp_register_filter(db);
    }
    if (rc != SQLITE_OK && failed != nullptr) *failed = what;
    return rc;
}

extern "C" int rsp_register_sql(sqlite3* db) { return rsp_register_sql_v2(db, nullptr); }
