#include "svg.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "../output.hpp"
#include "html.hpp"
#include "rspcat/time.hpp"

namespace rspcat::cli::report {

namespace {

// Every chart has the same frame, so that their time axes line up down the page.
constexpr int width = 1000, left = 150, right = 20, top = 36;
constexpr int plot_width = width - left - right;

// Coordinates with one decimal: enough for a screen, and the same bytes on every run.
std::string num(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", v);
    return buffer;
}

std::string open_svg(const std::string& title, int height, const std::string& cls) {
    return "<svg class=\"" + cls + "\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(width) +
           " " + std::to_string(height) + "\" role=\"img\" aria-label=\"" + escape(title) + "\">\n<text x=\"" +
           std::to_string(left) + "\" y=\"20\" class=\"title\">" + escape(title) + "</text>\n";
}

struct TimeAxis {
    std::int64_t t0, t1;
    double x(std::int64_t t) const {
        if (t1 <= t0) return left;
        return left + static_cast<double>(t - t0) * plot_width / static_cast<double>(t1 - t0);
    }
};

using namespace std::chrono;

// Ticks at whole days, weeks, months, quarters or years: the finest that gives at most 10.
std::vector<std::pair<std::int64_t, std::string>> time_ticks(std::int64_t t0, std::int64_t t1) {
    const std::int64_t span = std::max<std::int64_t>(t1 - t0, 1);
    std::vector<std::pair<std::int64_t, std::string>> ticks;
    if (span <= 10 * 86400) {
        for (std::int64_t d = (t0 + 86399) / 86400; d * 86400 <= t1; ++d) ticks.push_back({d * 86400, day_of(d * 86400)});
        return ticks;
    }
    if (span <= 10 * 7 * 86400) {
        for (std::int64_t d = (t0 + 86399) / 86400; d * 86400 <= t1; d += 7) ticks.push_back({d * 86400, day_of(d * 86400)});
        return ticks;
    }
    // Months: every 1, 3, 6, 12, 24, … of them.
    const year_month_day first{floor<days>(sys_seconds{seconds{t0}})};
    const double months = static_cast<double>(span) / (30.44 * 86400);
    int step = 1;
    for (const int s : {1, 3, 6, 12, 24, 60, 120}) {
        step = s;
        if (months / s <= 10) break;
    }
    year_month ym{first.year(), first.month()};
    if (sys_days{ym / 1} < floor<days>(sys_seconds{seconds{t0}})) ym += std::chrono::months{1};
    while ((static_cast<unsigned>(ym.month()) - 1) % static_cast<unsigned>(std::min(step, 12)) != 0) ym += std::chrono::months{1};
    for (;; ym += std::chrono::months{step}) {
        const std::int64_t t = sys_seconds{sys_days{ym / 1}}.time_since_epoch().count();
        if (t > t1) break;
        const std::string day = day_of(t);
        ticks.push_back({t, step >= 12 ? day.substr(0, 4) : day.substr(0, 7)});
    }
    return ticks;
}

std::string time_axis(const TimeAxis& axis, int y_base, int tick_top) {
    std::string out = "<g class=\"x-axis\">\n<line x1=\"" + num(left) + "\" y1=\"" + std::to_string(y_base) + "\" x2=\"" +
                      num(left + plot_width) + "\" y2=\"" + std::to_string(y_base) + "\" class=\"axis\"/>\n";
    for (const auto& [t, label] : time_ticks(axis.t0, axis.t1)) {
        const std::string x = num(axis.x(t));
        out += "<line x1=\"" + x + "\" y1=\"" + std::to_string(tick_top) + "\" x2=\"" + x + "\" y2=\"" +
               std::to_string(y_base + 4) + "\" class=\"grid\"/><text x=\"" + x + "\" y=\"" +
               std::to_string(y_base + 18) + "\" class=\"tick\" text-anchor=\"middle\">" + escape(label) + "</text>\n";
    }
    return out + "</g>\n";
}

// A step of 1, 2 or 5 times a power of ten giving about 5 ticks up to `max`.
double nice_step(double max) {
    if (max <= 0) return 1;
    const double rough = max / 5, power = std::pow(10.0, std::floor(std::log10(rough)));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (m * power >= rough) return std::max(1.0, m * power);
    }
    return std::max(1.0, 10 * power);
}

std::string value_label(double v, bool bytes) {
    if (bytes) return human_size(static_cast<std::int64_t>(v));
    return std::to_string(static_cast<std::int64_t>(v));
}

std::string legend(const std::vector<std::string>& names, const std::vector<std::string>& colors, int y) {
    std::string out = "<g class=\"legend\">\n";
    int x = left;
    for (std::size_t i = 0; i < names.size(); ++i) {
        out += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y - 9) + "\" width=\"12\" height=\"10\" fill=\"" +
               colors[i] + "\"/><text x=\"" + std::to_string(x + 16) + "\" y=\"" + std::to_string(y) + "\" class=\"tick\">" +
               escape(names[i]) + "</text>\n";
        x += 30 + 7 * static_cast<int>(names[i].size());
    }
    return out + "</g>\n";
}

// A stable colour for a label: the same tag gets the same colour on every run and in every lane.
std::string colour_of(const std::string& label) {
    static const char* palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
                                    "#edc948", "#e15759", "#9c755f", "#bab0ac", "#ff9da7"};
    std::uint32_t h = 2166136261u;  // FNV-1a
    for (const unsigned char c : label) h = (h ^ c) * 16777619u;
    return palette[h % 10];
}

}  // namespace

std::string day_of(std::int64_t seconds) { return format_timestamp(Timestamp{std::chrono::seconds{seconds}}).substr(0, 10); }

std::string line_chart(const LineChart& chart) {
    constexpr int plot_height = 260, height = top + plot_height + 60;
    const int base = top + plot_height;
    std::string out = open_svg(chart.title, height, "chart line-chart");
    if (chart.times.empty()) return out + "<text x=\"" + std::to_string(left) + "\" y=\"60\">No snapshots.</text></svg>\n";
    double max = 0;
    for (const auto& s : chart.series) {
        for (const double v : s.values) max = std::max(max, v);
    }
    const double step = nice_step(max);
    const double top_value = std::max(step, std::ceil(max / step) * step);
    auto y = [&](double v) { return base - v * plot_height / top_value; };
    out += "<g class=\"y-axis\">\n";
    for (double v = 0; v <= top_value + step / 2; v += step) {
        out += "<line x1=\"" + num(left) + "\" y1=\"" + num(y(v)) + "\" x2=\"" + num(left + plot_width) + "\" y2=\"" +
               num(y(v)) + "\" class=\"grid\"/><text x=\"" + num(left - 6) + "\" y=\"" + num(y(v) + 4) +
               "\" class=\"tick\" text-anchor=\"end\">" + escape(value_label(v, chart.bytes)) + "</text>\n";
    }
    out += "<text x=\"14\" y=\"" + num(top + plot_height / 2.0) + "\" class=\"tick\" transform=\"rotate(-90 14 " +
           num(top + plot_height / 2.0) + ")\" text-anchor=\"middle\">" + escape(chart.y_label) + "</text>\n</g>\n";
    const TimeAxis axis{chart.times.front(), chart.times.back()};
    out += time_axis(axis, base, top);
    std::vector<std::string> names, colors;
    for (const auto& s : chart.series) {
        // The last value in the legend: a type whose line hugs the axis still reads at a glance.
        names.push_back(s.name + " (" + value_label(s.values.empty() ? 0 : s.values.back(), chart.bytes) + ")");
        colors.push_back(s.color);
        out += "<polyline class=\"series\" data-series=\"" + escape(s.name) + "\" fill=\"none\" stroke=\"" + s.color +
               "\" stroke-width=\"1.5\" points=\"";
        for (std::size_t i = 0; i < chart.times.size() && i < s.values.size(); ++i) {
            out += (i ? " " : "") + num(axis.x(chart.times[i])) + "," + num(y(s.values[i]));
        }
        out += "\"><title>" + escape(s.name) + ": " +
               escape(value_label(s.values.empty() ? 0 : s.values.back(), chart.bytes)) + " at the end</title></polyline>\n";
    }
    out += legend(names, colors, height - 10);
    return out + "</svg>\n";
}

std::string lane_chart(const std::string& title, const std::vector<Lane>& lanes, std::int64_t t0, std::int64_t t1) {
    constexpr int lane_height = 30;
    const int base = top + lane_height * static_cast<int>(lanes.size()) + 4;
    std::string out = open_svg(title, base + 30, "chart lanes");
    const TimeAxis axis{t0, t1};
    out += time_axis(axis, base, top);
    for (std::size_t i = 0; i < lanes.size(); ++i) {
        const int y = top + 4 + lane_height * static_cast<int>(i);
        out += "<g class=\"lane\" data-lane=\"" + escape(lanes[i].name) + "\">\n<text x=\"" + std::to_string(left - 8) +
               "\" y=\"" + std::to_string(y + 17) + "\" class=\"lane-name\" text-anchor=\"end\">" + escape(lanes[i].name) +
               "</text>\n";
        for (const Band& band : lanes[i].bands) {
            const double x0 = axis.x(band.from), x1 = std::max(axis.x(band.to), x0 + 1);
            out += "<rect class=\"band\" data-label=\"" + escape(band.label) + "\" x=\"" + num(x0) + "\" y=\"" +
                   std::to_string(y) + "\" width=\"" + num(x1 - x0) + "\" height=\"" + std::to_string(lane_height - 6) +
                   "\" fill=\"" + colour_of(band.label) + "\" stroke=\"#fff\" stroke-width=\"0.5\"><title>" +
                   escape(band.details) + "</title></rect>\n";
            // The label inside the band only where it fits; the tooltip always has it.
            if (x1 - x0 >= 7.0 * static_cast<double>(band.label.size()) + 6) {
                out += "<text x=\"" + num(x0 + 3) + "\" y=\"" + std::to_string(y + 16) + "\" class=\"band-label\">" +
                       escape(band.label) + "</text>\n";
            }
        }
        out += "</g>\n";
    }
    return out + "</svg>\n";
}

std::string bar_chart(const std::string& title, const std::vector<std::string>& names,
                      const std::vector<std::string>& colors, const std::vector<BarGroup>& groups) {
    constexpr int plot_height = 200, height = top + plot_height + 60;
    const int base = top + plot_height;
    std::string out = open_svg(title, height, "chart bars");
    if (groups.empty()) return out + "<text x=\"" + std::to_string(left) + "\" y=\"60\">No changes.</text></svg>\n";
    std::int64_t max = 0;
    for (const auto& g : groups) {
        for (const auto v : g.values) max = std::max(max, v);
    }
    const double step = nice_step(static_cast<double>(max));
    const double top_value = std::max(step, std::ceil(static_cast<double>(max) / step) * step);
    auto y = [&](double v) { return base - v * plot_height / top_value; };
    for (double v = 0; v <= top_value + step / 2; v += step) {
        out += "<line x1=\"" + num(left) + "\" y1=\"" + num(y(v)) + "\" x2=\"" + num(left + plot_width) + "\" y2=\"" +
               num(y(v)) + "\" class=\"grid\"/><text x=\"" + num(left - 6) + "\" y=\"" + num(y(v) + 4) +
               "\" class=\"tick\" text-anchor=\"end\">" + std::to_string(static_cast<std::int64_t>(v)) + "</text>\n";
    }
    const double group_width = static_cast<double>(plot_width) / static_cast<double>(groups.size());
    const double bar = std::max(1.0, (group_width * 0.8) / static_cast<double>(names.size()));
    // At most about 12 labels under the bars.
    const std::size_t every = (groups.size() + 11) / 12;
    for (std::size_t g = 0; g < groups.size(); ++g) {
        const double x = left + group_width * static_cast<double>(g) + group_width * 0.1;
        out += "<g class=\"group\" data-group=\"" + escape(groups[g].label) + "\">";
        for (std::size_t s = 0; s < names.size() && s < groups[g].values.size(); ++s) {
            const double v = static_cast<double>(groups[g].values[s]);
            out += "<rect x=\"" + num(x + bar * static_cast<double>(s)) + "\" y=\"" + num(y(v)) + "\" width=\"" + num(bar) +
                   "\" height=\"" + num(base - y(v)) + "\" fill=\"" + colors[s] + "\" data-" + names[s] + "=\"" +
                   std::to_string(groups[g].values[s]) + "\"><title>" + escape(groups[g].label) + ": " +
                   std::to_string(groups[g].values[s]) + " " + escape(names[s]) + "</title></rect>";
        }
        if (g % every == 0) {
            out += "<text x=\"" + num(x + group_width * 0.4) + "\" y=\"" + std::to_string(base + 16) +
                   "\" class=\"tick\" text-anchor=\"middle\">" + escape(groups[g].label) + "</text>";
        }
        out += "</g>\n";
    }
    out += "<line x1=\"" + num(left) + "\" y1=\"" + std::to_string(base) + "\" x2=\"" + num(left + plot_width) + "\" y2=\"" +
           std::to_string(base) + "\" class=\"axis\"/>\n";
    out += legend(names, colors, height - 10);
    return out + "</svg>\n";
}

}  // namespace rspcat::cli::report
