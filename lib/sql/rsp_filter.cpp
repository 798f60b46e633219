// rsp_filter(policy [, at [, invert [, all_arch [, cycle [, registry, repository]]]]]): a
// table-valued function that applies a filter policy (model.md §4, as JSON) to the current images of
// an rspcat catalog in the same database, in menu order.
//
//   SELECT tag FROM rsp_filter('{"weekly": {"number": 3}}', '2026-08-06T12:00:00Z');
//
// The policy may also be a BLOB of JSON text, as readfile() gives. `at` is the age basis (NULL or absent: now), `invert` lists what the policy does not keep,
// `all_arch` keeps architecture-specific images in, `cycle` restricts the collection. With one
// repository in the catalog, registry and repository may be left out. Errors (no catalog, a bad
// policy, several repositories) name rsp_filter. Compiled into the in-process library and into
// rsp.so, like rsp_sql.cpp.
#ifdef RSP_LOADABLE_EXTENSION
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#else
#include <sqlite3.h>
#endif

#include <memory>
#include <new>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/sql.hpp"
#include "image_row.hpp"
#include "rspcat/policy.hpp"

namespace {

using rspcat::Image;

// Output columns, then the hidden arguments in call order.
enum Column {
    col_tag,
    col_image_type,
    col_display_name,
    col_version,
    col_date,
    col_architecture,
    col_digest,
    col_size,
    col_alias_target,
    col_registry,
    col_repository,
    arg_policy,
    arg_at,
    arg_invert,
    arg_all_arch,
    arg_cycle,
    arg_registry,
    arg_repository,
    column_count,
};
constexpr int first_argument = arg_policy;
constexpr int argument_count = column_count - first_argument;

constexpr const char* schema =
    "CREATE TABLE x(tag TEXT, image_type TEXT, display_name TEXT, version TEXT, date TEXT, architecture TEXT, "
    "digest TEXT, size INTEGER, alias_target TEXT, registry TEXT, repository TEXT, policy HIDDEN, at HIDDEN, "
    "invert HIDDEN, all_arch HIDDEN, cycle HIDDEN, in_registry HIDDEN, in_repository HIDDEN)";

// Per connection: whether an rsp_filter() call is running. The catalog query inside it reads
// `listing`, and a view of that name could call rsp_filter() again, without end: a stack
// overflow that even PRAGMA trusted_schema=OFF would not stop, since rsp_filter is innocuous.
struct ConnectionState {
    int running = 0;
};

struct FilterTable {
    sqlite3_vtab base{};  // first, as SQLite requires
    sqlite3* db = nullptr;
    ConnectionState* state = nullptr;
};

struct FilterCursor {
    sqlite3_vtab_cursor base{};
    std::vector<Image> rows;
    std::size_t next = 0;
};

// A failure with a message for SQLite; thrown inside callbacks, caught at their boundary.
struct FilterError {
    std::string message;
};

// Counts a call as running for its lifetime.
class RunningCall {
   public:
    explicit RunningCall(ConnectionState& state) : state_(state) {
        if (state_.running > 0) {
            throw FilterError{"called from within itself (the catalog's listing, or something it reads, calls "
                              "rsp_filter)"};
        }
        ++state_.running;
    }
    ~RunningCall() { --state_.running; }
    RunningCall(const RunningCall&) = delete;
    RunningCall& operator=(const RunningCall&) = delete;

   private:
    ConnectionState& state_;
};

void set_error(sqlite3_vtab* table, const std::string& message) {
    sqlite3_free(table->zErrMsg);
    table->zErrMsg = sqlite3_mprintf("rsp_filter: %s", message.c_str());
}

// Runs a callback body; turns exceptions into an SQLite error code and message.
template <typename Body>
int guarded(sqlite3_vtab* table, Body&& body) noexcept {
    try {
        return body();
    } catch (const FilterError& e) {
        set_error(table, e.message);
    } catch (const std::bad_alloc&) {
        return SQLITE_NOMEM;
    } catch (const std::exception& e) {
        set_error(table, e.what());
    } catch (...) {
        set_error(table, "unexpected error");
    }
    return SQLITE_ERROR;
}

// What to say when the catalog's tables are missing: a version 1 catalog (before the stored
// listing) only needs opening once with rspcat; anything else is not a catalog.
std::string missing_table_message(sqlite3* db, const std::string& message) {
    sqlite3_stmt* stmt = nullptr;
    int version = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA main.user_version", -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        version = sqlite3_column_int(stmt, 0);
    }
    sqlite3_finalize(stmt);
    if (version == 1) {
        return "this catalog has schema version 1; rsp_filter needs version 2: open it once with rspcat (any "
               "command) to upgrade it";
    }
    return "this database holds no rspcat catalog (" + message + ")";
}

class Query {
   public:
    Query(sqlite3* db, const char* sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
            const std::string message = sqlite3_errmsg(db);
            throw FilterError{message.find("no such table") != std::string::npos ? missing_table_message(db, message)
                                                                                 : message};
        }
    }
    ~Query() { sqlite3_finalize(stmt_); }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    sqlite3_stmt* get() const { return stmt_; }
    bool step(sqlite3* db) {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw FilterError{sqlite3_errmsg(db)};
    }

   private:
    sqlite3_stmt* stmt_ = nullptr;
};

class StatementRow : public rspcat::ColumnValues {
   public:
    explicit StatementRow(sqlite3_stmt* s) : s_(s) {}
    bool is_null(int c) const override { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
    std::int64_t integer(int c) const override { return sqlite3_column_int64(s_, c); }
    std::string text(int c) const override {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
    }

   private:
    sqlite3_stmt* s_;
};

// `blob_ok`: the policy may be a BLOB, as readfile() returns, read as UTF-8 text.
std::optional<std::string> text_argument(sqlite3_value* value, const char* name, bool blob_ok = false) {
    if (!value || sqlite3_value_type(value) == SQLITE_NULL) return std::nullopt;
    if (sqlite3_value_type(value) == SQLITE_BLOB && !blob_ok) {
        throw FilterError{std::string(name) + " is a BLOB; pass text"};
    }
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(value));
    if (!text) throw std::bad_alloc();
    return std::string(text, static_cast<std::size_t>(sqlite3_value_bytes(value)));
}

std::int64_t repository_id(sqlite3* db, const std::optional<std::string>& registry,
                           const std::optional<std::string>& repository) {
    if (registry.has_value() != repository.has_value()) throw FilterError{"registry and repository go together"};
    Query q(db, rspcat::repository_lookup);
    if (registry) {
        sqlite3_bind_text(q.get(), 1, registry->c_str(), static_cast<int>(registry->size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(q.get(), 2, repository->c_str(), static_cast<int>(repository->size()), SQLITE_TRANSIENT);
    }
    std::vector<std::int64_t> ids;
    while (q.step(db)) ids.push_back(sqlite3_column_int64(q.get(), 0));
    if (ids.empty()) {
        throw FilterError{registry ? "no repository " + *registry + "/" + *repository : "the catalog is empty"};
    }
    if (ids.size() > 1) throw FilterError{"the catalog holds several repositories: pass registry and repository"};
    return ids.front();
}

int filter_connect(sqlite3* db, void* aux, int, const char* const*, sqlite3_vtab** out, char** error) {
    int rc = sqlite3_declare_vtab(db, schema);
    if (rc == SQLITE_OK) rc = sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    if (rc != SQLITE_OK) return rc;
    auto* table = new (std::nothrow) FilterTable;
    if (!table) return SQLITE_NOMEM;
    table->db = db;
    table->state = static_cast<ConnectionState*>(aux);
    *out = &table->base;
    (void)error;
    return SQLITE_OK;
}

int filter_disconnect(sqlite3_vtab* base) {
    delete reinterpret_cast<FilterTable*>(base);
    return SQLITE_OK;
}

// Arguments arrive as equality constraints on the hidden columns; idxNum records which.
int filter_best_index(sqlite3_vtab* base, sqlite3_index_info* info) {
    int present = 0;
    int argv_index[argument_count] = {};
    for (int i = 0; i < info->nConstraint; ++i) {
        const auto& c = info->aConstraint[i];
        if (c.iColumn < first_argument || c.op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
        if (!c.usable) return SQLITE_CONSTRAINT;  // try another plan, where the argument is known
        const int argument = c.iColumn - first_argument;
        present |= 1 << argument;
        argv_index[argument] = i + 1;  // constraint number, 1-based, to map below
    }
    if (!(present & 1)) {
        set_error(base, "needs a policy: rsp_filter(policy_json [, at, invert, all_arch, cycle, registry, repository])");
        return SQLITE_ERROR;
    }
    int next = 1;
    for (int argument = 0; argument < argument_count; ++argument) {
        if (!argv_index[argument]) continue;
        auto& usage = info->aConstraintUsage[argv_index[argument] - 1];
        usage.argvIndex = next++;
        usage.omit = 1;
    }
    info->idxNum = present;
    info->estimatedCost = 1000;
    return SQLITE_OK;
}

int filter_open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
    auto* cursor = new (std::nothrow) FilterCursor;
    if (!cursor) return SQLITE_NOMEM;
    *out = &cursor->base;
    return SQLITE_OK;
}

int filter_close(sqlite3_vtab_cursor* base) {
    delete reinterpret_cast<FilterCursor*>(base);
    return SQLITE_OK;
}

int filter_filter(sqlite3_vtab_cursor* base, int present, const char*, int argc, sqlite3_value** argv) {
    auto* cursor = reinterpret_cast<FilterCursor*>(base);
    auto* table = reinterpret_cast<FilterTable*>(base->pVtab);
    return guarded(&table->base, [&] {
        const RunningCall running(*table->state);
        sqlite3_value* args[argument_count] = {};
        for (int argument = 0, next = 0; argument < argument_count && next < argc; ++argument) {
            if (present & (1 << argument)) args[argument] = argv[next++];
        }
        const auto policy_json = text_argument(args[arg_policy - first_argument], "policy", true);
        if (!policy_json) throw FilterError{"the policy is NULL"};
        const auto policy = rspcat::parse_policy_json(*policy_json, "policy");
        rspcat::Timestamp basis = rspcat::now_utc();
        if (const auto at = text_argument(args[arg_at - first_argument], "at")) {
            const auto parsed = rspcat::parse_timestamp(*at);
            if (!parsed) throw FilterError{"at: '" + *at + "' is not an ISO 8601 time"};
            basis = *parsed;
        }
        auto flag = [&](Column c) {
            sqlite3_value* v = args[c - first_argument];
            return v && sqlite3_value_type(v) != SQLITE_NULL && sqlite3_value_int64(v) != 0;
        };
        sqlite3_value* cycle = args[arg_cycle - first_argument];
        const std::int64_t repository =
            repository_id(table->db, text_argument(args[arg_registry - first_argument], "registry"),
                          text_argument(args[arg_repository - first_argument], "repository"));

        // Menu order as the catalog's queries have it, read from the index listing_by_menu.
        const std::string sql = std::string("SELECT ") + rspcat::image_row_columns +
                                " FROM main.listing WHERE repository_id = ?1 AND scope_cycle IS ?2"
                                " ORDER BY " + rspcat::menu_order;
        Query q(table->db, sql.c_str());
        sqlite3_bind_int64(q.get(), 1, repository);
        if (cycle && sqlite3_value_type(cycle) != SQLITE_NULL) {
            sqlite3_bind_int64(q.get(), 2, sqlite3_value_int64(cycle));
        } else {
            sqlite3_bind_null(q.get(), 2);
        }
        std::vector<Image> images;
        while (q.step(table->db)) images.push_back(rspcat::image_from_row(StatementRow(q.get())));
        cursor->rows = rspcat::apply_policy(images, policy, {basis, !flag(arg_all_arch), flag(arg_invert)});
        cursor->next = 0;
        return SQLITE_OK;
    });
}

int filter_next(sqlite3_vtab_cursor* base) {
    ++reinterpret_cast<FilterCursor*>(base)->next;
    return SQLITE_OK;
}

int filter_eof(sqlite3_vtab_cursor* base) {
    const auto* cursor = reinterpret_cast<FilterCursor*>(base);
    return cursor->next >= cursor->rows.size();
}

void result_text(sqlite3_context* ctx, const std::optional<std::string>& text) {
    if (text) {
        sqlite3_result_text64(ctx, text->data(), text->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } else {
        sqlite3_result_null(ctx);
    }
}

int filter_column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int column) {
    const auto* cursor = reinterpret_cast<FilterCursor*>(base);
    return guarded(base->pVtab, [&] {
        const Image& image = cursor->rows[cursor->next];
        const rspcat::Tag& tag = image.tag;
        switch (column) {
            case col_tag: result_text(ctx, tag.tag); break;
            case col_image_type: result_text(ctx, std::string(rspcat::type_name(tag.type))); break;
            case col_display_name: result_text(ctx, tag.display_name); break;
            case col_version:
                result_text(ctx, tag.version ? std::optional(rspcat::to_string(*tag.version)) : std::nullopt);
                break;
            case col_date:
                result_text(ctx, tag.date ? std::optional(rspcat::format_date(*tag.date)) : std::nullopt);
                break;
            case col_architecture: result_text(ctx, tag.architecture); break;
            case col_digest: result_text(ctx, image.digest); break;
            case col_size:
                if (image.size) {
                    sqlite3_result_int64(ctx, *image.size);
                } else {
                    sqlite3_result_null(ctx);
                }
                break;
            case col_alias_target: result_text(ctx, image.alias_target); break;
            case col_registry: result_text(ctx, image.registry); break;
            case col_repository: result_text(ctx, image.repository); break;
            default: sqlite3_result_null(ctx);  // hidden arguments read back as NULL
        }
        return SQLITE_OK;
    });
}

int filter_rowid(sqlite3_vtab_cursor* base, sqlite3_int64* rowid) {
    *rowid = static_cast<sqlite3_int64>(reinterpret_cast<FilterCursor*>(base)->next) + 1;
    return SQLITE_OK;
}

const sqlite3_module filter_module = {
    0,                   // iVersion
    nullptr,             // xCreate: none, so rsp_filter is eponymous-only (a table-valued function)
    filter_connect,      // xConnect
    filter_best_index,   // xBestIndex
    filter_disconnect,   // xDisconnect
    nullptr,             // xDestroy
    filter_open,         // xOpen
    filter_close,        // xClose
    filter_filter,       // xFilter
    filter_next,         // xNext
    filter_eof,          // xEof
    filter_column,       // xColumn
    filter_rowid,        // xRowid
    nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
};

}  // namespace

extern "C" int rsp_register_filter(sqlite3* db) {
    auto* state = new (std::nothrow) ConnectionState;
    if (!state) return SQLITE_NOMEM;
    // SQLite frees the state with the module, also when registering fails.
    return sqlite3_create_module_v2(db, "rsp_filter", &filter_module, state,
                                    [](void* p) { delete static_cast<ConnectionState*>(p); });
}
