// Catalog::check: what a catalog holds against what rspcat would have made of it, and the repair
// of what rspcat derives (its views, triggers and indexes, tag parses, `images`, the listing).
//
// The catalog is opened as it is (no schema check, upgrade or listing catch-up), so that a file
// that a normal open refuses can be checked. Comparisons use rspcat's own SQL, never the SQL text
// stored in the file: the listing is compared with TEMP copies of the shipped resolution views.
#include <SQLiteCpp/Transaction.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"
#include "catalog_schema.hpp"
#include "schema_files.hpp"
#include "tag_columns.hpp"

namespace rspcat {

namespace {

using SQLite::Database;
using SQLite::Statement;

constexpr const char* whole_file = "database";

// A stored value for a message: printable ASCII as it is (other bytes as '?'), long ones cut.
std::string printable(const std::string& text) {
    std::string out;
    for (const char c : text.substr(0, 80)) {
        const auto byte = static_cast<unsigned char>(c);
        out += byte >= 0x20 && byte < 0x7f ? c : '?';
    }
    return text.size() > 80 ? out + "…" : out;
}

// A stored value for a message, as SQL would write it: NULL, 42, 'text'.
std::string quoted(const SQLite::Column& column) {
    if (column.isNull()) return "NULL";
    if (column.getType() == SQLITE_INTEGER) return column.getString();
    return "'" + printable(column.getString()) + "'";
}

std::string identifier(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) out += c == '"' ? std::string(2, c) : std::string(1, c);
    return out + "\"";
}

std::string join(const std::vector<std::string>& parts, const std::string& between) {
    std::string out;
    for (const auto& part : parts) out += (out.empty() ? "" : between) + part;
    return out;
}

std::string tag_name(const SQLite::Column& column) {
    return column.isNull() ? "(no tags row)" : "'" + printable(column.getString()) + "'";
}

int current_version() { return static_cast<int>(schema::file_count); }

// The columns of a table or view of the current schema, in order.
const std::vector<std::string>& columns_of(const char* name) {
    return detail::shipped_schema(current_version()).at(name).columns;
}

// A schema object that differs from rspcat's: missing, or not the one rspcat makes.
struct SchemaDifference {
    const detail::SchemaObject* expected;
    const detail::SchemaObject* actual;  // null when missing
    bool repairable() const {
        return expected->type != "table" && (actual == nullptr || actual->type != "table");
    }
};

std::vector<SchemaDifference> schema_differences(Database& db, int version, detail::SchemaObjects& present) {
    present = detail::schema_objects(db);
    std::vector<SchemaDifference> differences;
    for (const auto& [name, expected] : detail::shipped_schema(version)) {
        const auto found = present.find(name);
        if (found == present.end()) {
            differences.push_back({&expected, nullptr});
        } else if (found->second.type != expected.type || found->second.table != expected.table ||
                   found->second.sql != expected.sql) {
            differences.push_back({&expected, &found->second});
        }
    }
    return differences;
}

// Triggers in the file that rspcat's schema does not make, as "NAME on TABLE".
std::vector<std::string> foreign_triggers(Database& db, int version) {
    std::vector<std::string> out;
    const auto& shipped = detail::shipped_schema(version);
    for (const auto& [name, actual] : detail::schema_objects(db)) {
        if (actual.type == "trigger" && shipped.count(name) == 0) out.push_back(name + " on " + actual.table);
    }
    return out;
}

// The open history row that `images` should mirror for each tag: the latest one, should there be
// several (which the history check reports).
constexpr const char* open_history_row = R"sql(
(SELECT max(x.id) FROM tag_history x
 WHERE x.repository_id = i.repository_id AND x.tag_id = i.tag_id AND x.ended_at IS NULL))sql";

class Checker {
   public:
    Checker(Catalog::Impl& impl, int version) : impl_(impl), db_(impl.db), version_(version) {}

    std::vector<CheckProblem> problems;

    void run_all() {
        guarded(whole_file, "PRAGMA integrity_check", [&] { integrity(); });
        guarded(whole_file, "PRAGMA foreign_key_check", [&] { foreign_keys(); });
        guarded(whole_file, "the schema objects", [&] { schema_objects(); });
        guarded("tags", "the tag parses", [&] { tag_parses(); });
        guarded(whole_file, "the stored values", [&] { stored_values(); });
        guarded("tag_history", "the history", [&] { history(); });
        guarded("images", "the current images", [&] { images(); });
        guarded("snapshots", "the snapshot counts", [&] { snapshot_counts(); });
        guarded("listing", "the listing", [&] { listing(); });
    }

    void integrity() {
        Statement s(db_, "PRAGMA integrity_check");
        while (s.executeStep()) {
            const std::string line = s.getColumn(0).getString();
            if (line != "ok") add(whole_file, {}, "integrity_check: " + printable(line));
        }
    }

    void foreign_keys() {
        Statement s(db_, "PRAGMA foreign_key_check");
        while (s.executeStep()) {
            std::optional<std::int64_t> row;
            if (!s.getColumn(1).isNull()) row = s.getColumn(1).getInt64();
            add(s.getColumn(0).getString(), row,
                "refers to a row of " + s.getColumn(2).getString() + " that does not exist (foreign_key_check)");
        }
    }

    void schema_objects() {
        detail::SchemaObjects present;
        const std::string at = " of schema version " + std::to_string(version_);
        for (const auto& d : schema_differences(db_, version_, present)) {
            const std::string what = d.expected->type + " " + d.expected->name;
            if (d.actual == nullptr) {
                add(d.expected->table, {}, "lacks the " + what + at, d.repairable());
            } else {
                add(d.expected->table, {},
                    "the " + what + " is not the one schema version " + std::to_string(version_) +
                        " defines (changed outside rspcat)" +
                        (d.actual->type != d.expected->type ? ": it is a " + d.actual->type : ""),
                    d.repairable());
            }
        }
        const auto& shipped = detail::shipped_schema(version_);
        for (const auto& [name, actual] : present) {
            if (actual.type != "trigger" || shipped.count(name) > 0) continue;
            add(actual.table, {},
                "trigger " + name + " was not made by rspcat; rspcat refuses to write while it exists, since it "
                "would run inside rspcat's writes (left alone: drop it yourself if it is not wanted)");
        }
    }

    void tag_parses() {
        Statement s(db_, std::string("SELECT t.id, t.tag, EXISTS (SELECT 1 FROM alias_tags a WHERE "
                                     "a.repository_id = t.repository_id AND a.tag = t.tag), ") +
                             detail::TagColumns::column_list() + " FROM tags t ORDER BY t.id");
        while (s.executeStep()) {
            const std::string tag = s.getColumn(1).getString();
            const auto stored = detail::TagColumns::read(s, 3);
            const auto derived = detail::TagColumns::derive(tag, s.getColumn(2).getInt() != 0);
            if (stored == derived) continue;
            add("tags", s.getColumn(0).getInt64(),
                "tag '" + printable(tag) + "' is not stored as this rspcat parses it: " +
                    join(stored.differences(derived), "; "),
                true);
        }
    }

    void stored_values() {
        {
            Statement s(db_, "SELECT t.tag, i.digest, i.size FROM images i LEFT JOIN tags t ON t.id = i.tag_id");
            while (s.executeStep()) {
                const std::string what = "tag " + tag_name(s.getColumn(0));
                digest("images", {}, what, s.getColumn(1));
                size("images", {}, what, s.getColumn(2));
            }
        }
        {
            Statement s(db_, "SELECT h.id, t.tag, h.digest, h.size, h.started_at, h.ended_at, h.ended_snapshot "
                             "FROM tag_history h LEFT JOIN tags t ON t.id = h.tag_id ORDER BY h.id");
            while (s.executeStep()) {
                const std::int64_t id = s.getColumn(0).getInt64();
                const std::string what = "tag " + tag_name(s.getColumn(1));
                digest("tag_history", id, what, s.getColumn(2));
                size("tag_history", id, what, s.getColumn(3));
                time("tag_history", id, "started_at", s.getColumn(4), false);
                time("tag_history", id, "ended_at", s.getColumn(5), true);
                if (s.getColumn(5).isNull() != s.getColumn(6).isNull()) {
                    add("tag_history", id,
                        what + ": " + (s.getColumn(5).isNull() ? "ended_snapshot is set but ended_at is NULL"
                                                                : "ended_at is set but ended_snapshot is NULL"));
                }
            }
        }
        {
            Statement s(db_, "SELECT digest, node, size, seen_at FROM node_presence ORDER BY digest, node");
            while (s.executeStep()) {
                const std::string what = "node " + quoted(s.getColumn(1));
                digest("node_presence", {}, what, s.getColumn(0));
                size("node_presence", {}, what, s.getColumn(2));
                time("node_presence", {}, what + ": seen_at", s.getColumn(3), false);
            }
        }
        {
            Statement s(db_, "SELECT id, taken_at, ingested_at, confirmed_at, confirmations, "
                             "confirmed_at < taken_at, (confirmed_at IS NULL) <> (confirmations = 0) "
                             "FROM snapshots ORDER BY id");
            while (s.executeStep()) {
                const std::int64_t id = s.getColumn(0).getInt64();
                time("snapshots", id, "taken_at", s.getColumn(1), false);
                time("snapshots", id, "ingested_at", s.getColumn(2), false);
                time("snapshots", id, "confirmed_at", s.getColumn(3), true);
                // A confirmation is a later sync that found the same listing: never before it,
                // and counted exactly when there is one.
                if (s.getColumn(5).getInt() == 1) add("snapshots", id, "confirmed_at is before taken_at");
                if (s.getColumn(6).getInt() == 1) {
                    add("snapshots", id, "confirmations " + std::to_string(s.getColumn(4).getInt64()) +
                                             (s.getColumn(3).isNull() ? " without a confirmed_at" : " with a confirmed_at"));
                }
            }
        }
        {
            Statement s(db_, "SELECT rowid, tag, digest, size FROM listing ORDER BY rowid");
            while (s.executeStep()) {
                const std::int64_t id = s.getColumn(0).getInt64();
                const std::string what = "tag " + quoted(s.getColumn(1));
                digest("listing", id, what, s.getColumn(2));
                size("listing", id, what, s.getColumn(3));
            }
        }
    }

    // Each tag's assignments, in time order, must follow one another.
    void history() {
        Statement s(db_, "SELECT h.id, h.repository_id, h.tag_id, t.tag, h.started_at, h.ended_at "
                         "FROM tag_history h LEFT JOIN tags t ON t.id = h.tag_id "
                         "ORDER BY h.repository_id, h.tag_id, h.started_at, h.id");
        struct Previous {
            std::int64_t id = 0, repository = 0, tag = 0;
            std::optional<std::string> ended_at;
            bool valid = false;
        };
        std::optional<Previous> previous;
        while (s.executeStep()) {
            Previous row{s.getColumn(0).getInt64(), s.getColumn(1).getInt64(), s.getColumn(2).getInt64(), {}, false};
            const std::string what = "tag " + tag_name(s.getColumn(3));
            const SQLite::Column started = s.getColumn(4), ended = s.getColumn(5);
            const std::string start = started.getString();
            if (!ended.isNull()) row.ended_at = ended.getString();
            row.valid = well_formed_time(started) && (ended.isNull() || well_formed_time(ended));
            if (row.valid && row.ended_at && *row.ended_at < start) {
                add("tag_history", row.id, what + ": it ends (" + *row.ended_at + ") before it starts (" + start + ")");
            }
            if (previous && previous->repository == row.repository && previous->tag == row.tag) {
                if (!previous->ended_at) {
                    add("tag_history", row.id,
                        what + ": it starts while row " + std::to_string(previous->id) +
                            " of the same tag is still open (two open assignments)");
                } else if (row.valid && previous->valid && start < *previous->ended_at) {
                    add("tag_history", row.id,
                        what + ": it starts (" + start + ") before row " + std::to_string(previous->id) +
                            " of the same tag ends (" + *previous->ended_at + ")");
                }
            }
            previous = row;
        }
    }

    // `images` mirrors the open history rows.
    void images() {
        for (const auto& row : image_differences(db_)) {
            add("images", {}, row.message + (row.repairable ? "" : " (not repaired from a malformed history row)"),
                row.repairable);
        }
    }

    struct ImageDifference {
        enum class Kind { without_history, different, missing } kind;
        std::int64_t repository_id, tag_id;
        std::optional<std::int64_t> history_id;
        std::string what;     // the row, for the repair's report
        std::string message;  // what is wrong with it
        bool repairable = true;  // false when the history row's digest or size is malformed
    };

    static bool well_formed_image(const SQLite::Column& digest, const SQLite::Column& size) {
        return digest.getType() == SQLITE_TEXT && is_sha256_digest(digest.getString()) &&
               (size.isNull() || (size.getType() == SQLITE_INTEGER && size.getInt64() >= 0));
    }

    static std::vector<ImageDifference> image_differences(Database& db) {
        std::vector<ImageDifference> out;
        Statement current(db, std::string(R"sql(
SELECT i.repository_id, i.tag_id, t.tag, i.digest, i.size, h.id, h.digest, h.size
FROM images i LEFT JOIN tags t ON t.id = i.tag_id
LEFT JOIN tag_history h ON h.id = )sql") + open_history_row + R"sql(
WHERE h.id IS NULL OR h.digest IS NOT i.digest OR h.size IS NOT i.size
ORDER BY i.repository_id, i.tag_id)sql");
        while (current.executeStep()) {
            const std::string what = "the row of tag " + tag_name(current.getColumn(2)) + " (" +
                                     quoted(current.getColumn(3)) + ", size " +
                                     (current.getColumn(4).isNull() ? "NULL" : current.getColumn(4).getString()) + ")";
            ImageDifference d{ImageDifference::Kind::without_history, current.getColumn(0).getInt64(),
                              current.getColumn(1).getInt64(), std::nullopt, what, {}};
            if (current.getColumn(5).isNull()) {
                d.message = what + " has no open tag_history row: no ingest made it";
            } else {
                d.kind = ImageDifference::Kind::different;
                d.history_id = current.getColumn(5).getInt64();
                d.repairable = well_formed_image(current.getColumn(6), current.getColumn(7));
                d.message = what + " differs from its open tag_history row " + current.getColumn(5).getString() +
                            " (" + quoted(current.getColumn(6)) + ", size " +
                            (current.getColumn(7).isNull() ? "NULL" : current.getColumn(7).getString()) + ")";
            }
            out.push_back(std::move(d));
        }
        Statement missing(db, R"sql(
SELECT h.repository_id, h.tag_id, t.tag, h.digest, max(h.id), h.size FROM tag_history h
LEFT JOIN tags t ON t.id = h.tag_id
WHERE h.ended_at IS NULL
  AND NOT EXISTS (SELECT 1 FROM images i WHERE i.repository_id = h.repository_id AND i.tag_id = h.tag_id)
GROUP BY h.repository_id, h.tag_id ORDER BY h.repository_id, h.tag_id)sql");
        while (missing.executeStep()) {
            // (SQLite takes h.digest and h.size from the row of max(h.id).)
            out.push_back({ImageDifference::Kind::missing, missing.getColumn(0).getInt64(),
                           missing.getColumn(1).getInt64(), missing.getColumn(4).getInt64(),
                           "the row of tag " + tag_name(missing.getColumn(2)),
                           "no row for tag " + tag_name(missing.getColumn(2)) + ", which holds " +
                               quoted(missing.getColumn(3)) + " in its open tag_history row " +
                               missing.getColumn(4).getString(),
                           well_formed_image(missing.getColumn(3), missing.getColumn(5))});
        }
        return out;
    }

    // Each snapshot's counts against the history rows it opened and closed.
    void snapshot_counts() {
        auto per_snapshot = [&](const char* sql) {
            std::map<std::int64_t, std::int64_t> counts;
            Statement s(db_, sql);
            while (s.executeStep()) counts[s.getColumn(0).getInt64()] = s.getColumn(1).getInt64();
            return counts;
        };
        auto opened = per_snapshot("SELECT started_snapshot, count(*) FROM tag_history GROUP BY 1");
        auto closed = per_snapshot(
            "SELECT ended_snapshot, count(*) FROM tag_history WHERE ended_snapshot IS NOT NULL GROUP BY 1");
        auto moved = per_snapshot(R"sql(
SELECT c.ended_snapshot, count(*) FROM tag_history c
WHERE c.ended_snapshot IS NOT NULL
  AND EXISTS (SELECT 1 FROM tag_history o WHERE o.tag_id = c.tag_id AND o.repository_id = c.repository_id
              AND o.started_snapshot = c.ended_snapshot)
GROUP BY 1)sql");
        Statement s(db_, "SELECT id, repository_id, kind, tag_count, added, moved, removed, taken_at "
                         "FROM snapshots ORDER BY repository_id, id");
        std::optional<std::int64_t> repository;
        std::int64_t holding = 0;  // history rows of the repository that hold after the snapshot
        while (s.executeStep()) {
            const std::int64_t id = s.getColumn(0).getInt64();
            if (repository != s.getColumn(1).getInt64()) holding = 0;
            repository = s.getColumn(1).getInt64();
            const std::int64_t n_moved = moved[id], n_closed = closed[id], n_opened = opened[id];
            holding += n_opened - n_closed;
            std::vector<std::string> wrong;
            auto compare = [&](const char* name, const SQLite::Column& stored, std::int64_t expected) {
                if (stored.getType() != SQLITE_INTEGER || stored.getInt64() != expected) {
                    wrong.push_back(std::string(name) + " is " + quoted(stored) + " where its tag_history rows give " +
                                    std::to_string(expected));
                }
            };
            compare("added", s.getColumn(4), n_opened - n_moved);
            compare("moved", s.getColumn(5), n_moved);
            compare("removed", s.getColumn(6), n_closed - n_moved);
            const std::string kind = s.getColumn(2).getString();
            if (kind == "full") {
                compare("tag_count", s.getColumn(3), holding);
            } else if (s.getColumn(3).getType() != SQLITE_INTEGER || s.getColumn(3).getInt64() < n_opened) {
                wrong.push_back("tag_count is " + quoted(s.getColumn(3)) + ", fewer than the " +
                                std::to_string(n_opened) + (n_opened == 1 ? " tag" : " tags") + " it added or moved");
            }
            if (!wrong.empty()) {
                add("snapshots", id,
                    "the " + kind + " snapshot of " + quoted(s.getColumn(7)) + ": " + join(wrong, "; "));
            }
        }
    }

    // The stored listing against what the shipped resolution views give for the current images.
    void listing() {
        impl_.create_view_copies("check");
        db_.exec("DELETE FROM temp.check_images");
        std::string images;
        for (const auto& column : columns_of("current_images")) {
            images += (images.empty() ? "" : ", ") + identifier(column);
        }
        // current_images as rspcat defines it, over the main tables.
        const std::string& view = detail::shipped_schema(current_version()).at("current_images").sql;
        db_.exec("INSERT INTO temp.check_images (" + images + ") SELECT " + images + " FROM (" +
                 view.substr(view.find("SELECT")) + ")");
        std::string quoted_columns;
        const auto& columns = columns_of("listing");
        for (const auto& column : columns) {
            quoted_columns += (quoted_columns.empty() ? "" : ", ") + std::string("quote(") + identifier(column) + ")";
        }
        using Row = std::vector<std::string>;
        auto rows = [&](const std::string& from, const std::string& except) {
            std::map<std::string, Row> out;  // by repository_id|scope_cycle|tag_id
            Statement s(db_, "SELECT " + quoted_columns + " FROM " + from + " EXCEPT SELECT " + quoted_columns +
                                 " FROM " + except);
            while (s.executeStep()) {
                Row row;
                for (int c = 0; c < s.getColumnCount(); ++c) row.push_back(s.getColumn(c).getString());
                out.emplace(key(columns, row), std::move(row));
            }
            return out;
        };
        const auto extra = rows("main.listing", "temp.check_listing_source");
        const auto missing = rows("temp.check_listing_source", "main.listing");
        Statement rowid(db_, "SELECT min(rowid) FROM main.listing WHERE quote(repository_id) = ? "
                             "AND quote(scope_cycle) = ? AND quote(tag_id) = ?");
        auto row_of = [&](const Row& row) -> std::optional<std::int64_t> {
            rowid.reset();
            SQLite::bind(rowid, row[index(columns, "repository_id")], row[index(columns, "scope_cycle")],
                         row[index(columns, "tag_id")]);
            if (rowid.executeStep() && !rowid.getColumn(0).isNull()) return rowid.getColumn(0).getInt64();
            return std::nullopt;
        };
        for (const auto& [k, row] : extra) {
            const auto other = missing.find(k);
            if (other == missing.end()) {
                add("listing", row_of(row),
                    describe(columns, row) + " is listed, but the resolution views do not give it", true);
                continue;
            }
            std::vector<std::string> differences;
            for (std::size_t c = 0; c < columns.size(); ++c) {
                if (row[c] != other->second[c]) {
                    differences.push_back(columns[c] + " is " + printable(row[c]) +
                                          " where the resolution views give " + printable(other->second[c]));
                }
            }
            add("listing", row_of(row), describe(columns, row) + ": " + join(differences, "; "), true);
        }
        for (const auto& [k, row] : missing) {
            if (extra.count(k) == 0) {
                add("listing", {}, describe(columns, row) + " is missing: the resolution views give it", true);
            }
        }
        Statement twice(db_, "SELECT min(rowid), quote(tag), count(*) FROM main.listing "
                             "GROUP BY repository_id, scope_cycle, tag_id HAVING count(*) > 1");
        while (twice.executeStep()) {
            add("listing", twice.getColumn(0).getInt64(),
                "tag " + printable(twice.getColumn(1).getString()) + " is listed " + twice.getColumn(2).getString() +
                    " times in one collection",
                true);
        }
        db_.exec("DELETE FROM temp.check_images");
    }

   private:
    static std::size_t index(const std::vector<std::string>& columns, const char* name) {
        return static_cast<std::size_t>(std::find(columns.begin(), columns.end(), name) - columns.begin());
    }
    static std::string key(const std::vector<std::string>& columns, const std::vector<std::string>& row) {
        return row[index(columns, "repository_id")] + "|" + row[index(columns, "scope_cycle")] + "|" +
               row[index(columns, "tag_id")];
    }
    static std::string describe(const std::vector<std::string>& columns, const std::vector<std::string>& row) {
        const std::string& cycle = row[index(columns, "scope_cycle")];
        return "tag " + printable(row[index(columns, "tag")]) + (cycle == "NULL" ? "" : " (in cycle " + cycle + ")");
    }

    static bool well_formed_time(const SQLite::Column& column) {
        if (column.getType() != SQLITE_TEXT) return false;
        const std::string text = column.getString();
        const auto t = parse_timestamp(text);
        return t && format_timestamp(*t) == text;
    }

    void digest(const std::string& table, std::optional<std::int64_t> row, const std::string& what,
                const SQLite::Column& column) {
        if (column.getType() == SQLITE_TEXT && is_sha256_digest(column.getString())) return;
        add(table, row, what + ": digest " + quoted(column) + " is not sha256: and 64 lower-case hex digits");
    }

    void size(const std::string& table, std::optional<std::int64_t> row, const std::string& what,
              const SQLite::Column& column) {
        if (column.isNull() || (column.getType() == SQLITE_INTEGER && column.getInt64() >= 0)) return;
        add(table, row, what + ": size " + quoted(column) + " is not a whole number of bytes");
    }

    void time(const std::string& table, std::optional<std::int64_t> row, const std::string& what,
              const SQLite::Column& column, bool nullable) {
        if ((nullable && column.isNull()) || well_formed_time(column)) return;
        add(table, row, what + " " + quoted(column) + " is not a time as rspcat stores it (like 2025-06-05T12:00:00Z)");
    }

    void add(const std::string& table, std::optional<std::int64_t> row, std::string message, bool repairable = false) {
        problems.push_back({table, row, std::move(message), repairable});
    }

    // Runs one check; SQL that fails (a table changed by hand, a damaged file) is a problem too.
    template <typename F>
    void guarded(const char* table, const char* what, F&& check) {
        try {
            check();
        } catch (const SQLite::Exception& e) {
            add(table, {}, std::string("cannot check ") + what + ": " + e.what());
        }
    }

    Catalog::Impl& impl_;
    Database& db_;
    int version_;
};

// -- Repairs: each returns what it changed, one line each ------------------------------------------

std::vector<std::string> repair_schema_objects(Database& db, int version) {
    detail::SchemaObjects present;
    const auto differences = schema_differences(db, version, present);
    std::vector<std::string> lines;
    std::vector<const detail::SchemaObject*> create;
    // Drops first, then creates: indexes, views, triggers (a trigger may name a view).
    for (const auto& d : differences) {
        if (!d.repairable()) continue;
        if (d.actual != nullptr) db.exec("DROP " + d.actual->type + " " + identifier(d.actual->name));
        create.push_back(d.expected);
    }
    for (const char* type : {"index", "view", "trigger"}) {
        for (const auto* object : create) {
            if (object->type != type) continue;
            db.exec(object->sql);
            const bool replaced = present.count(object->name) > 0;
            lines.push_back(object->table + ": " + (replaced ? "re-created the " : "created the missing ") +
                            object->type + " " + object->name + " as schema version " + std::to_string(version) +
                            " defines it");
        }
    }
    return lines;
}

std::vector<std::string> repair_tag_parses(Database& db) {
    struct Rewrite {
        std::int64_t id;
        std::string tag;
        detail::TagColumns derived;
        std::vector<std::string> columns;
    };
    std::vector<Rewrite> rewrites;
    {
        Statement s(db, std::string("SELECT t.id, t.tag, EXISTS (SELECT 1 FROM alias_tags a WHERE "
                                    "a.repository_id = t.repository_id AND a.tag = t.tag), ") +
                            detail::TagColumns::column_list() + " FROM tags t ORDER BY t.id");
        while (s.executeStep()) {
            const std::string tag = s.getColumn(1).getString();
            const auto stored = detail::TagColumns::read(s, 3);
            auto derived = detail::TagColumns::derive(tag, s.getColumn(2).getInt() != 0);
            if (stored == derived) continue;
            std::vector<std::string> names;
            for (const auto& difference : stored.differences(derived)) {
                names.push_back(difference.substr(0, difference.find(' ')));  // the column's name
            }
            rewrites.push_back({s.getColumn(0).getInt64(), tag, std::move(derived), std::move(names)});
        }
    }
    std::vector<std::string> lines;
    Statement update(db, std::string("UPDATE tags SET ") + detail::TagColumns::assignments() + " WHERE id = :id");
    detail::TagColumns::check_parameters(update, 1);
    for (const auto& r : rewrites) {
        update.reset();
        update.clearBindings();
        r.derived.bind(update, 1);
        update.bind(":id", r.id);
        update.exec();
        lines.push_back("tags row " + std::to_string(r.id) + ": re-parsed tag '" + printable(r.tag) + "' (" +
                        join(r.columns, ", ") + ")");
    }
    return lines;
}

std::vector<std::string> repair_images(Database& db) {
    const auto differences = Checker::image_differences(db);
    Statement remove(db, "DELETE FROM images WHERE repository_id = ? AND tag_id = ?");
    Statement upsert(db, R"sql(
INSERT INTO images (repository_id, tag_id, digest, size, batch, position)
SELECT repository_id, tag_id, digest, size, batch, position FROM tag_history WHERE id = ?
ON CONFLICT (repository_id, tag_id) DO UPDATE SET
    digest = excluded.digest, size = excluded.size, batch = excluded.batch, position = excluded.position)sql");
    std::vector<std::string> lines;
    for (const auto& d : differences) {
        if (!d.repairable) continue;
        if (d.kind == Checker::ImageDifference::Kind::without_history) {
            remove.reset();
            SQLite::bind(remove, d.repository_id, d.tag_id);
            remove.exec();
            lines.push_back("images: deleted " + d.what + ", which had no open tag_history row");
        } else {
            upsert.reset();
            upsert.bind(1, *d.history_id);
            upsert.exec();
            lines.push_back(std::string("images: ") +
                            (d.kind == Checker::ImageDifference::Kind::missing ? "added " : "rewrote ") + d.what +
                            " from its open tag_history row " + std::to_string(*d.history_id));
        }
    }
    return lines;
}

}  // namespace

CheckReport Catalog::check(const std::string& path, CheckMode mode) {
    return with_catalog_errors(path, mode == CheckMode::repair ? "repair it" : "check it",
                               [&] { return check_file(path, mode); });
}

CheckReport Catalog::check_file(const std::string& path, CheckMode mode) {
    const bool repair = mode == CheckMode::repair;
    if (path != ":memory:" && !std::filesystem::exists(std::filesystem::symlink_status(path))) {
        throw CatalogError("no catalog at " + path);
    }
    const Mode open_mode = repair ? Mode::read_write : Mode::read_only;
    const OpenPlan plan = plan_open(path, open_mode, default_busy_timeout);
    if (repair && !plan.read_only_reason.empty()) {
        throw CatalogError(ErrorKind::read_only, "catalog " + path + " " + plan.read_only_reason + "; cannot repair it");
    }
    Impl impl(path, open_mode, plan, Impl::Purpose::check);
    CheckReport report;
    try {
        // The version and everything else from one state of the file.
        std::optional<ReadTransaction> read;
        std::optional<SQLite::Transaction> write;
        if (repair) {
            write.emplace(impl.db, SQLite::TransactionBehavior::IMMEDIATE);
        } else {
            read.emplace(impl.db);
        }
        const int version = impl.db.execAndGet("PRAGMA user_version").getInt();
        impl.check_version(version);
        if (version == 0) {
            throw CatalogError(ErrorKind::not_a_catalog, path + " is not an rspcat catalog (it holds no rspcat tables)");
        }
        if (version < current_version()) {
            throw CatalogError("catalog " + path + " has schema version " + std::to_string(version) +
                               ", older than this rspcat checks (" + std::to_string(current_version()) +
                               "): open it once with rspcat to upgrade it");
        }
        Checker before(impl, version);
        before.run_all();
        if (!repair || before.problems.empty()) {
            report.problems = std::move(before.problems);
            return report;
        }
        std::vector<CheckProblem> notes;
        std::vector<std::string> triggers;  // that rspcat did not make: no row is repaired while one exists
        const bool damaged = std::any_of(before.problems.begin(), before.problems.end(), [](const CheckProblem& p) {
            return p.message.rfind("integrity_check: ", 0) == 0;
        });
        auto append = [&](std::vector<std::string> lines) {
            for (auto& line : lines) report.repaired.push_back(std::move(line));
        };
        if (damaged) {
            notes.push_back({whole_file, {}, "nothing was repaired: the file fails PRAGMA integrity_check, and "
                                             "rspcat does not write to a damaged file (recover it first, e.g. with "
                                             "sqlite3's .recover)", false});
        } else {
            append(repair_schema_objects(impl.db, version));
            triggers = foreign_triggers(impl.db, version);
            if (triggers.empty()) {
                append(repair_tag_parses(impl.db));
                append(repair_images(impl.db));
                Checker listing(impl, version);
                listing.listing();
                if (!listing.problems.empty()) {
                    impl.db.exec("INSERT INTO main.listing_stale (digest) SELECT digest FROM main.images "
                                 "UNION SELECT digest FROM main.listing");
                    const std::size_t n = listing.problems.size();
                    report.repaired.push_back("listing: rebuilt from the resolution views (" + std::to_string(n) +
                                              (n == 1 ? " problem)" : " problems)"));
                }
                impl.refresh_listing();
            }
        }
        Checker after(impl, version);
        after.run_all();
        const bool rows_left = std::any_of(after.problems.begin(), after.problems.end(),
                                           [](const CheckProblem& p) { return p.repairable; });
        if (!triggers.empty() && rows_left) {
            notes.push_back({whole_file, {}, "no rows were repaired: trigger " + join(triggers, ", trigger ") +
                                                 ", which rspcat did not make, would run inside the repair", false});
        }
        report.problems = std::move(notes);
        for (auto& problem : after.problems) report.problems.push_back(std::move(problem));
        write->commit();
    } catch (const SQLite::Exception& e) {
        throw_sqlite_error("cannot check catalog " + path + ": ", e);
    }
    return report;
}

}  // namespace rspcat
