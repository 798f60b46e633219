// What `rspcat report` shows, as plain values gathered from the catalog (cmd_report.cpp), and
// the HTML page made of them. The page is one file: inline CSS and SVG, no script, no fetch.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rspcat/catalog.hpp"
#include "rspcat/prune.hpp"

namespace rspcat::cli::report {

struct Facts {
    std::string repository;  // registry/repository
    std::optional<Timestamp> first_snapshot, last_snapshot;
    std::int64_t snapshots = 0;
    std::int64_t current_tags = 0;
    std::int64_t digests = 0;
    std::string latest_source;  // where the latest snapshot came from
    int schema_version = 0;
    std::string rspcat_version;
};

struct AliasTimeline {
    std::string alias;
    std::vector<TimelineEntry> entries;
};

struct ChurnMonth {
    std::string month;  // YYYY-MM
    std::int64_t added = 0, removed = 0, moved = 0;
};

struct PolicyReport {
    std::string name;  // as given to --policy
    std::array<std::int64_t, image_type_count> kept{};          // kept images by type
    std::array<std::int64_t, image_type_count> deleted_tags{};  // tags on the digests to delete
    std::int64_t kept_bytes = 0;  // distinct digests of the kept images
    std::int64_t delete_digests = 0, delete_bytes = 0;
    std::vector<PrunePlan::Protection> protections;
};

struct MenuLine {
    std::string name, tag;
};

struct ReportData {
    Timestamp as_of;  // the time the "now" sections are about
    Facts facts;
    std::vector<AliasTimeline> aliases;
    std::vector<HistoryPoint> points;
    std::vector<ChurnMonth> churn;
    std::vector<PolicyReport> policies;
    std::optional<std::string> recommended;  // none: no menu section
    std::vector<MenuLine> menu, dropdown;
};

// The whole page. The same data gives the same bytes.
std::string render_page(const ReportData& data);

}  // namespace rspcat::cli::report
