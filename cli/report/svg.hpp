// Inline SVG charts drawn by rspcat: a line chart over time, lanes of bands over time and
// grouped bars. Plain values in, SVG text out; every label is escaped here. No script: hover
// details are SVG <title> elements, which browsers show as tooltips.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rspcat::cli::report {

struct Series {
    std::string name;
    std::string color;
    std::vector<double> values;  // one per LineChart::times
};

struct LineChart {
    std::string title;
    std::string y_label;
    std::vector<std::int64_t> times;  // seconds since the epoch, ascending
    std::vector<Series> series;
    bool bytes = false;  // ticks as sizes (1.5 GB) rather than counts
};
std::string line_chart(const LineChart& chart);

struct Band {
    std::int64_t from = 0, to = 0;  // seconds
    std::string label;              // shown in the band when it fits, and in data-label
    std::string details;            // the tooltip
};
struct Lane {
    std::string name;
    std::vector<Band> bands;
};
// One row per lane from t0 to t1.
std::string lane_chart(const std::string& title, const std::vector<Lane>& lanes, std::int64_t t0, std::int64_t t1);

struct BarGroup {
    std::string label;                 // e.g. 2026-08
    std::vector<std::int64_t> values;  // one per series
};
std::string bar_chart(const std::string& title, const std::vector<std::string>& names,
                      const std::vector<std::string>& colors, const std::vector<BarGroup>& groups);

// `YYYY-MM-DD` of a time in seconds.
std::string day_of(std::int64_t seconds);

}  // namespace rspcat::cli::report
