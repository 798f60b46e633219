// In-process benchmarks (Google Benchmark): the tag parse, the SQL functions, collation and sort
// key against core-SQL baselines over the same rows, and catalog queries through the C++ API.
// bench/run runs this with the catalogs it built with `rspcat ingest`, then prints the table.
//
// Repetitions are Google Benchmark's --benchmark_repetitions (bench/run takes the median of
// them). Own flags, after Google Benchmark's (--benchmark_filter=… and friends):
//   --catalogs=DIR       catalogs DIR/catalog-N.db built as bench/run builds them (two
//                        snapshots of the N-row listing); missing ones are built here
//   --sizes=N,N,…        catalog sizes to query (default 1000,10000,100000,1000000)
//   --sql-rows=N         rows of the SQL benchmarks' table (default 1000000)
#include <benchmark/benchmark.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "inputs.hpp"
#include "rspcat/sql.hpp"
#include "rspcat/catalog.hpp"
#include "image_row.hpp"
#include "rspcat/policy.hpp"
#include "rspcat/tag.hpp"

namespace {

using namespace rspcat;

// The listing's two snapshot times, as bench/run ingests them: the same rows at both, so the
// catalog holds a history and `--at first` lists the past through the history tables.
const char* const first_snapshot = "2026-08-06T12:00:00Z";
const char* const second_snapshot = "2026-08-13T12:00:00Z";
const std::vector<std::string> alias_tags = {"recommended", "latest_weekly", "latest_daily", "latest_release"};

struct Options {
    std::string catalogs;
    std::vector<std::size_t> sizes = {1000, 10000, 100000, 1000000};
    std::size_t sql_rows = 1000000;
};

Options options;

// ---- Tag parse ------------------------------------------------------------------------------

void parse_corpus(benchmark::State& state, const std::vector<std::string>* tags) {
    for (auto _ : state) {
        for (const auto& tag : *tags) benchmark::DoNotOptimize(parse_tag(tag));
    }
    // Seconds per tag: Google Benchmark reports it per unit of time, inverted.
    state.counters["per_tag"] = benchmark::Counter(static_cast<double>(tags->size()),
                                                   benchmark::Counter::kIsIterationInvariantRate |
                                                       benchmark::Counter::kInvert);
}

// ---- SQL over a table of tags -----------------------------------------------------------------

void check(int rc, sqlite3* db, const char* what) {
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        throw std::runtime_error(std::string(what) + ": " + sqlite3_errmsg(db));
    }
}

// An in-memory database with `tags(tag TEXT)` holding the first `rows` tags of the listing, and
// the rsp functions registered. Built once.
sqlite3* tag_table() {
    static sqlite3* db = [] {
        sqlite3* db = nullptr;
        check(sqlite3_open(":memory:", &db), db, "open");
        check(rsp_register_sql(db), db, "rsp_register_sql");
        check(sqlite3_exec(db, "CREATE TABLE tags (tag TEXT); BEGIN", nullptr, nullptr, nullptr), db, "create");
        sqlite3_stmt* insert = nullptr;
        check(sqlite3_prepare_v2(db, "INSERT INTO tags VALUES (?)", -1, &insert, nullptr), db, "prepare");
        for (const auto& row : bench::listing(options.sql_rows)) {
            sqlite3_bind_text(insert, 1, row.tag.data(), static_cast<int>(row.tag.size()), SQLITE_STATIC);
            check(sqlite3_step(insert), db, "insert");
            sqlite3_reset(insert);
        }
        sqlite3_finalize(insert);
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
        return db;
    }();
    return db;
}

// Runs the query to its end each iteration.
void sql_query(benchmark::State& state, const char* sql) {
    sqlite3* db = tag_table();
    sqlite3_stmt* stmt = nullptr;
    check(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), db, sql);
    for (auto _ : state) {
        int rc;
        std::size_t rows = 0;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) ++rows;
        check(rc, db, sql);
        sqlite3_reset(stmt);
        benchmark::DoNotOptimize(rows);
    }
    sqlite3_finalize(stmt);
}

// json_object() with the keys of tag JSON (model.md §5) and values of the same kinds: what
// rsp_parse_tag() returns, without the parse.
const char* const json_object_baseline =
    "SELECT count(json_object('tag', tag, 'image_type', 'Weekly', 'display_name', tag, "
    "'version', json_object('major', 2021, 'minor', 22, 'patch', 0, 'prerelease', NULL, 'build', NULL), "
    "'base', NULL, 'cycle', 20, 'cycle_build', 1, 'rsp_build', 19, 'architecture', 'amd64', "
    "'extra', NULL, 'date', '2021-06-03 00:00:00')) FROM tags";

// ---- Catalog queries ------------------------------------------------------------------------

Timestamp at(const char* text) { return *parse_timestamp(text); }

std::string catalog_path(std::size_t size) {
    return options.catalogs + "/catalog-" + std::to_string(size) + ".db";
}

// As bench/run does with `rspcat ingest … --at first` and then `--at second`.
void build_catalog(const std::string& path, std::size_t size) {
    const auto rows = bench::listing(size);
    Catalog catalog(path);
    for (const char* time : {first_snapshot, second_snapshot}) {
        std::size_t next = 0;
        catalog.ingest({{"docker.io", "lsstsqre/sciplat-lab"}, alias_tags, at(time), "listing", false},
                       [&]() -> std::optional<ListingRow> {
                           if (next == rows.size()) return std::nullopt;
                           const auto& r = rows[next++];
                           return ListingRow{r.tag, r.digest, r.size, next};
                       });
    }
}

const Catalog& catalog(std::size_t size) {
    static std::map<std::size_t, std::unique_ptr<Catalog>> open;
    auto& entry = open[size];
    if (!entry) {
        const std::string path = catalog_path(size);
        if (!std::filesystem::exists(path)) build_catalog(path, size);
        entry = std::make_unique<Catalog>(path, Catalog::Mode::read_only);
    }
    return *entry;
}

const FilterPolicy& idfprod() {
    static const FilterPolicy policy = load_policy_file(bench::data_dir() + "/policies/idfprod.json");
    return policy;
}

enum class Query { images, hide_aliased, filter, images_at };

void catalog_query(benchmark::State& state, Query query, std::size_t size) {
    const Catalog& c = catalog(size);
    std::size_t count = 0;
    for (auto _ : state) {
        switch (query) {
            case Query::images: count = c.images({}).size(); break;
            case Query::hide_aliased: count = c.images({}, {.hide_aliased = true}).size(); break;
            case Query::filter:
                count = c.filter({.at = at(second_snapshot)}, idfprod(), {at(second_snapshot), true, false}).size();
                break;
            case Query::images_at: count = c.images({.at = at(first_snapshot)}).size(); break;
        }
    }
    state.counters["images"] = static_cast<double>(count);
}

// The rows of Catalog::images() in menu order, read through the C API with every column's value
// fetched but no Image made: what SQLite alone costs of that figure.
void catalog_rows(benchmark::State& state, std::size_t size) {
    catalog(size);  // builds the catalog file when missing
    sqlite3* db = nullptr;
    check(sqlite3_open_v2(catalog_path(size).c_str(), &db, SQLITE_OPEN_READONLY, nullptr), db, "open");
    check(sqlite3_exec(db, "PRAGMA cache_size = -65536", nullptr, nullptr, nullptr), db, "cache_size");
    const std::string sql = std::string("SELECT ") + image_row_columns +
                            " FROM listing WHERE repository_id = 1 AND scope_cycle IS NULL AND +architecture IS NULL"
                            " ORDER BY " + menu_order;
    sqlite3_stmt* stmt = nullptr;
    check(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), db, "prepare");
    std::size_t rows = 0;
    for (auto _ : state) {
        int rc;
        rows = 0;
        std::size_t bytes = 0;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            ++rows;
            for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
                if (sqlite3_column_type(stmt, c) == SQLITE_INTEGER) {
                    bytes += static_cast<std::size_t>(sqlite3_column_int64(stmt, c) & 1);
                } else if (sqlite3_column_text(stmt, c)) {
                    bytes += static_cast<std::size_t>(sqlite3_column_bytes(stmt, c));
                }
            }
        }
        check(rc, db, "step");
        sqlite3_reset(stmt);
        benchmark::DoNotOptimize(bytes);
    }
    state.counters["images"] = static_cast<double>(rows);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

std::vector<std::size_t> parse_sizes(const std::string& text) {
    std::vector<std::size_t> sizes;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t comma = text.find(',', start);
        sizes.push_back(std::stoul(text.substr(start, comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return sizes;
}

}  // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.starts_with("--catalogs=")) {
            options.catalogs = arg.substr(11);
        } else if (arg.starts_with("--sizes=")) {
            options.sizes = parse_sizes(arg.substr(8));
        } else if (arg.starts_with("--sql-rows=")) {
            options.sql_rows = std::stoul(arg.substr(11));
        } else {
            std::fprintf(stderr, "rspcat_bench: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    std::unique_ptr<std::filesystem::path, void (*)(std::filesystem::path*)> scratch(nullptr, [](auto* p) {
        std::filesystem::remove_all(*p);
        delete p;
    });
    if (options.catalogs.empty()) {
        scratch.reset(new std::filesystem::path(std::filesystem::temp_directory_path() / "rspcat-bench"));
        std::filesystem::create_directories(*scratch);
        options.catalogs = scratch->string();
    }

    static const auto vectors = bench::vector_tags();
    static const auto history = bench::history_tags();
    benchmark::RegisterBenchmark("parse/vectors", parse_corpus, &vectors);
    benchmark::RegisterBenchmark("parse/history", parse_corpus, &history);

    const std::pair<const char*, const char*> queries[] = {
        {"sql/count_length", "SELECT count(length(tag)) FROM tags"},
        {"sql/count_rsp_tag_type", "SELECT count(rsp_tag_type(tag)) FROM tags"},
        {"sql/count_json_object", json_object_baseline},
        {"sql/count_rsp_parse_tag", "SELECT count(rsp_parse_tag(tag)) FROM tags"},
        {"sql/order_by_tag", "SELECT tag FROM tags ORDER BY tag"},
        {"sql/order_by_rsp_tag", "SELECT tag FROM tags ORDER BY tag COLLATE rsp_tag"},
        {"sql/order_by_rsp_tag_sort_key", "SELECT tag FROM tags ORDER BY rsp_tag_sort_key(tag)"},
    };
    for (const auto& [name, sql] : queries) {
        benchmark::RegisterBenchmark(name, sql_query, sql)->Unit(benchmark::kMillisecond);
    }

    const std::pair<const char*, Query> catalog_queries[] = {
        {"catalog/images", Query::images},
        {"catalog/hide_aliased", Query::hide_aliased},
        {"catalog/filter", Query::filter},
        {"catalog/images_at", Query::images_at},
    };
    for (const std::size_t size : options.sizes) {
        for (const auto& [name, query] : catalog_queries) {
            benchmark::RegisterBenchmark((std::string(name) + "/" + std::to_string(size)).c_str(), catalog_query,
                                         query, size)
                ->Unit(benchmark::kMillisecond);
        }
    }

    for (const std::size_t size : options.sizes) {
        benchmark::RegisterBenchmark(("catalog/images_rows_only/" + std::to_string(size)).c_str(), catalog_rows, size)
            ->Unit(benchmark::kMillisecond);
    }

    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
