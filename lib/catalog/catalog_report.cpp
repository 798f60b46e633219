// Counts over a repository's history for charts (Catalog::history_points): a sweep over the
// assignment start and end events, so that 350,000 snapshots cost one pass and two sorts rather
// than a listing each.
#include <algorithm>
#include <unordered_map>

#include "catalog_errors.hpp"
#include "catalog_impl.hpp"

namespace rspcat {

namespace {

// One assignment starting (+1) or ending (-1) at a time.
struct Event {
    std::int64_t at;
    int change;
    int type;
    std::int64_t digest;  // an index into the digests seen
};

}  // namespace

std::vector<HistoryPoint> Catalog::history_points(const std::optional<RepositoryName>& repository) const {
    return with_catalog_errors(impl().path, "read its history", [&]() -> std::vector<HistoryPoint> {
        ReadTransaction read(impl_->db);
        CollectionSpec collection;
        collection.repository = repository;
        const std::int64_t id = impl_->repository_id(collection);

        std::vector<std::int64_t> times;
        {
            SQLite::Statement s(impl_->db,
                                "SELECT DISTINCT CAST(strftime('%s', taken_at) AS INTEGER) FROM snapshots "
                                "WHERE repository_id = ? ORDER BY 1");
            s.bind(1, id);
            while (s.executeStep()) times.push_back(s.getColumn(0).getInt64());
        }

        std::vector<Event> events;
        std::unordered_map<std::string, std::int64_t> digest_index;
        // A digest's size, from whichever of its rows knows it: a listing may give an alias's
        // row no size, and the digest must weigh the same whichever tag holds it first.
        std::vector<std::int64_t> digest_size;
        {
            SQLite::Statement s(impl_->db, R"sql(
SELECT CAST(strftime('%s', h.started_at) AS INTEGER), CAST(strftime('%s', h.ended_at) AS INTEGER),
       t.type_priority, h.digest, coalesce(h.size, 0)
FROM tag_history h JOIN tags t ON t.id = h.tag_id
WHERE h.repository_id = ?)sql");
            s.bind(1, id);
            while (s.executeStep()) {
                const int type = std::clamp(s.getColumn(2).getInt(), 0, image_type_count - 1);
                const auto [found, added] =
                    digest_index.emplace(s.getColumn(3).getString(), static_cast<std::int64_t>(digest_index.size()));
                if (added) digest_size.push_back(0);
                auto& size = digest_size[static_cast<std::size_t>(found->second)];
                size = std::max(size, s.getColumn(4).getInt64());
                events.push_back({s.getColumn(0).getInt64(), +1, type, found->second});
                if (!s.getColumn(1).isNull()) events.push_back({s.getColumn(1).getInt64(), -1, type, found->second});
            }
        }
        std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) { return a.at < b.at; });

        // An assignment holds from its start up to, not including, its end: at snapshot time t
        // every event at or before t has happened.
        std::vector<HistoryPoint> points;
        points.reserve(times.size());
        std::vector<std::int64_t> holders(digest_index.size(), 0);
        HistoryPoint state;
        std::size_t next = 0;
        for (const std::int64_t t : times) {
            for (; next < events.size() && events[next].at <= t; ++next) {
                const Event& e = events[next];
                state.tags[static_cast<std::size_t>(e.type)] += e.change;
                const auto digest = static_cast<std::size_t>(e.digest);
                std::int64_t& held = holders[digest];
                if (e.change > 0 && held++ == 0) state.bytes += digest_size[digest];
                if (e.change < 0 && --held == 0) state.bytes -= digest_size[digest];
            }
            state.at = Timestamp{std::chrono::seconds{t}};
            points.push_back(state);
        }
        return points;
    });
}

}  // namespace rspcat
