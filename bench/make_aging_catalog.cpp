// Makes the catalog of a repository that a cron job synced every 15 minutes for years: the
// workload of issue 16, deterministic.
//
// The repository holds about 5,000 tags. Each day at 00:00 a daily is pushed, `latest_daily`
// moves to it and the oldest daily is deleted; each Thursday at 06:00 a weekly is pushed (with
// its `-amd64` twin on the same digest) and `latest_weekly` and `latest` move; every fourth
// weekly becomes `recommended`; every 26th weekly comes with a release and `latest_release`.
// Every other sync finds the listing unchanged.
//
// Usage: rspcat_bench_aging DB SYNCS [--replay] [--listing FILE]
//   --listing FILE: also writes the last listing as `tag<TAB>digest<TAB>size` lines (with a
//   header), for measuring the next ingest.
//
// Each sync that changes something is ingested through the library, as `rspcat sync` would. The
// unchanged syncs between two changes are not replayed one by one (350,000 ingests of 5,000 rows
// would take hours): an unchanged full ingest writes nothing but its time into the latest
// snapshot's `confirmed_at` and one more into `confirmations` (schema/005_confirmed.sql), so the
// generator writes the last one's time and their count in one UPDATE. `--replay` ingests every
// sync instead; at 1,000 syncs both give the same `.dump` but for `ingested_at`.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/VariadicBind.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <stdexcept>
#include <map>
#include <string>
#include <vector>

#include "rspcat/catalog.hpp"

namespace {

using namespace rspcat;

constexpr int syncs_per_day = 96;
constexpr std::int64_t start_day = 17140;  // 2016-12-05, days since 1970-01-01

struct Date {
    int year, month, day;
};

Date date_of(std::int64_t days) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
    return {static_cast<int>(ymd.year()), static_cast<int>(static_cast<unsigned>(ymd.month())),
            static_cast<int>(static_cast<unsigned>(ymd.day()))};
}

std::string two(int n) { return (n < 10 ? "0" : "") + std::to_string(n); }

std::string daily_tag(std::int64_t day) {
    const Date d = date_of(day);
    return "d_" + std::to_string(d.year) + "_" + two(d.month) + "_" + two(d.day);
}

std::string digest_of(std::int64_t n) {
    char hex[65];
    std::snprintf(hex, sizeof hex, "%064llx", static_cast<unsigned long long>(n * 2654435761ULL + 17));
    return std::string("sha256:") + hex;
}

// The repository's tags, as the registry lists them: sorted by name.
class Repository {
   public:
    Repository() {
        // 10 years of dailies, 9 of weeklies and releases before the first sync: ~5,000 tags.
        for (std::int64_t day = start_day - 3650; day < start_day; ++day) tags_[daily_tag(day)] = next_digest();
        oldest_daily_ = start_day - 3650;
        for (int week = 0; week < 470; ++week) push_weekly(2006 + week / 52, week % 52 + 1);
        for (int release = 0; release < 18; ++release) push_release();
    }

    // What the day's syncs change: at `sync` (0 … 95) of day `day`, whether anything did.
    bool change(std::int64_t day, int sync) {
        if (sync == 0) {
            tags_[daily_tag(day)] = tags_["latest_daily"] = next_digest();
            tags_.erase(daily_tag(oldest_daily_++));
            return true;
        }
        // 1970-01-01 was a Thursday.
        if (sync == 24 && day % 7 == 0) {
            const int year = date_of(day).year;
            if (year != week_year_) week_year_ = year, week_ = 0;
            push_weekly(year, ++week_);
            return true;
        }
        return false;
    }

    std::vector<ListingRow> listing() const {
        std::vector<ListingRow> rows;
        rows.reserve(tags_.size());
        for (const auto& [tag, digest] : tags_) {
            rows.push_back({tag, digest, 500'000'000 + static_cast<std::int64_t>(digest[8]) * 1000, rows.size() + 1});
        }
        return rows;
    }

   private:
    std::string next_digest() { return digest_of(++digests_); }

    void push_weekly(int year, int week) {
        const std::string tag = "w_" + std::to_string(year) + "_" + two(week);
        const std::string digest = next_digest();
        tags_[tag] = tags_[tag + "-amd64"] = tags_["latest_weekly"] = tags_["latest"] = digest;
        if (++weeklies_ % 4 == 0) tags_["recommended"] = digest;
        if (weeklies_ % 26 == 0) push_release();
    }

    void push_release() {
        ++releases_;
        const std::string tag = "r" + std::to_string(10 + releases_ / 3) + "_" + std::to_string(releases_ % 3) + "_0";
        tags_[tag] = tags_["latest_release"] = next_digest();
    }

    std::map<std::string, std::string> tags_;
    std::int64_t digests_ = 0, oldest_daily_ = 0;
    int weeklies_ = 0, releases_ = 0, week_year_ = 0, week_ = 0;
};

Timestamp time_of(std::int64_t day, int sync) {
    return Timestamp(std::chrono::seconds(day * 86400 + sync * 900));
}

}  // namespace

int main(int argc, char** argv) {
    const std::vector<std::string> args(argv + 1, argv + argc);
    bool replay = false;
    std::string listing_file;
    std::vector<std::string> positional;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--replay") {
            replay = true;
        } else if (args[i] == "--listing" && i + 1 < args.size()) {
            listing_file = args[++i];
        } else {
            positional.push_back(args[i]);
        }
    }
    if (positional.size() != 2) {
        std::fprintf(stderr, "usage: rspcat_bench_aging DB SYNCS [--replay] [--listing FILE]\n");
        return 2;
    }
    try {
        const std::string path = positional[0];
        const std::int64_t syncs = std::stoll(positional[1]);
        Catalog catalog(path);
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        SQLite::Statement confirm(db, "UPDATE snapshots SET confirmed_at = ?, confirmations = ? WHERE id = ?");
        Repository repository;
        IngestSpec base;
        base.repository = {"docker.io", "lsstsqre/sciplat-lab"};
        base.aliases = {"recommended", "latest", "latest_daily", "latest_weekly", "latest_release"};
        base.source = "https://registry-1.docker.io";
        std::int64_t latest = 0, unconfirmed = 0;
        Timestamp last_unchanged{};
        auto write_confirmations = [&] {
            if (unconfirmed == 0) return;
            confirm.reset();
            SQLite::bind(confirm, format_timestamp(last_unchanged), unconfirmed, latest);
            confirm.exec();
            unconfirmed = 0;
        };
        for (std::int64_t n = 0; n < syncs; ++n) {
            const std::int64_t day = start_day + n / syncs_per_day;
            const int sync = static_cast<int>(n % syncs_per_day);
            const bool changed = repository.change(day, sync) || n == 0;
            if (!changed && !replay) {
                ++unconfirmed;
                last_unchanged = time_of(day, sync);
                continue;
            }
            write_confirmations();
            IngestSpec spec = base;
            spec.taken_at = time_of(day, sync);
            const auto rows = repository.listing();
            std::size_t next = 0;
            latest = catalog
                         .ingest(spec, [&]() -> std::optional<ListingRow> {
                             if (next == rows.size()) return std::nullopt;
                             return rows[next++];
                         })
                         .snapshot_id;
        }
        write_confirmations();
        if (!listing_file.empty()) {
            std::ofstream out(listing_file, std::ios::binary);
            out << "tag\tdigest\tsize\n";
            for (const auto& row : repository.listing()) out << row.tag << '\t' << row.digest << '\t' << *row.size << '\n';
            if (!out.flush()) throw std::runtime_error("cannot write " + listing_file);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "rspcat_bench_aging: %s\n", e.what());
        return 1;
    }
    return 0;
}
