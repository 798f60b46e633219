#include "page.hpp"

#include <algorithm>
#include <chrono>
#include <functional>

#include "../output.hpp"
#include "html.hpp"
#include "svg.hpp"

namespace rspcat::cli::report {

namespace {

// Types in the order charts and tables list them; aliases have their own chart.
constexpr std::array<ImageType, 6> shown_types = {ImageType::release,   ImageType::weekly,       ImageType::daily,
                                                  ImageType::candidate, ImageType::experimental, ImageType::unknown};
constexpr std::array<const char*, 6> type_colors = {"#1b5e9e", "#2e9e44", "#e07b00", "#8e44ad", "#c0392b", "#7f7f7f"};

std::string type_label(ImageType type) { return type == ImageType::unknown ? "Other" : std::string(type_name(type)); }

std::int64_t seconds_of(Timestamp t) { return t.time_since_epoch().count(); }

// More points than a chart can show apart: one per day, week or month, the last of each (the
// state at the bucket's end). `unit` says which, for the caption.
constexpr std::size_t most_points = 500;

std::vector<HistoryPoint> thin(const std::vector<HistoryPoint>& points, std::string& unit) {
    unit = "snapshot";
    if (points.size() <= most_points) return points;
    using namespace std::chrono;
    const std::vector<std::pair<std::string, std::function<std::int64_t(Timestamp)>>> buckets = {
        {"day", [](Timestamp t) { return floor<days>(t).time_since_epoch().count(); }},
        // Weeks from Monday: 1970-01-01 was a Thursday.
        {"week", [](Timestamp t) { return (floor<days>(t).time_since_epoch().count() + 3) / 7; }},
        {"month",
         [](Timestamp t) {
             const year_month_day d{floor<days>(t)};
             return static_cast<std::int64_t>(static_cast<int>(d.year())) * 12 + static_cast<unsigned>(d.month());
         }},
    };
    std::vector<HistoryPoint> thinned;
    for (const auto& [name, key] : buckets) {
        thinned.clear();
        for (std::size_t i = 0; i < points.size(); ++i) {
            if (i + 1 == points.size() || key(points[i].at) != key(points[i + 1].at)) thinned.push_back(points[i]);
        }
        unit = name;
        if (thinned.size() <= most_points) break;
    }
    return thinned;
}

std::string time_text(const std::optional<Timestamp>& t) { return t ? format_timestamp(*t) : "none"; }

std::string short_digest(const std::string& digest) { return digest.substr(0, std::min<std::size_t>(digest.size(), 19)); }

std::string alias_section(const ReportData& data) {
    std::string out = "<section id=\"aliases\"><h2>Alias timelines</h2>\n";
    if (data.aliases.empty() || !data.facts.first_snapshot) return out + "<p>The repository has no alias tags.</p></section>\n";
    const std::int64_t t0 = seconds_of(*data.facts.first_snapshot), t1 = std::max(seconds_of(data.as_of), t0 + 1);
    std::vector<Lane> lanes;
    for (const auto& alias : data.aliases) {
        Lane lane{alias.alias, {}};
        for (const auto& e : alias.entries) {
            if (e.from > data.as_of) continue;
            const Timestamp to = e.to && *e.to < data.as_of ? *e.to : data.as_of;
            const std::string label = e.resolved_to.value_or(short_digest(e.digest));
            lane.bands.push_back({seconds_of(e.from), seconds_of(to), label,
                                  alias.alias + " → " + label + " (" + e.digest + ") from " + format_timestamp(e.from) +
                                      (e.to ? " to " + format_timestamp(*e.to) : ", still")});
        }
        lanes.push_back(std::move(lane));
    }
    out += lane_chart("What each alias tag pointed to, " + day_of(t0) + " to " + day_of(t1), lanes, t0, t1);
    out += "<p class=\"note\">One band per assignment, labelled with the tag it resolved to (a digest when none). "
           "Hover a band for its digest and dates.</p>\n";
    return out + "</section>\n";
}

std::string growth_section(const ReportData& data) {
    std::string out = "<section id=\"growth\"><h2>Tags and bytes over time</h2>\n";
    std::vector<HistoryPoint> points;
    for (const auto& p : data.points) {
        if (p.at <= data.as_of) points.push_back(p);
    }
    std::string unit;
    points = thin(points, unit);
    LineChart tags{"Current tags by type", "tags", {}, {}, false};
    LineChart bytes{"Bytes held (distinct digests of known size)", "bytes", {}, {}, true};
    for (const auto& p : points) tags.times.push_back(seconds_of(p.at));
    bytes.times = tags.times;
    for (std::size_t i = 0; i < shown_types.size(); ++i) {
        Series s{type_label(shown_types[i]), type_colors[i], {}};
        for (const auto& p : points) s.values.push_back(static_cast<double>(p.tags[static_cast<std::size_t>(shown_types[i])]));
        tags.series.push_back(std::move(s));
    }
    Series held{"Bytes", "#1b5e9e", {}};
    for (const auto& p : points) held.values.push_back(static_cast<double>(p.bytes));
    bytes.series.push_back(std::move(held));
    out += line_chart(tags) + line_chart(bytes);
    out += "<p class=\"note\">" + std::to_string(points.size()) + " points: " +
           (unit == "snapshot" ? std::string("one per snapshot time")
                               : "the state at the last snapshot of each " + unit + " (" +
                                     std::to_string(data.points.size()) + " snapshot times in all)") +
           ".</p>\n";
    return out + "</section>\n";
}

std::string churn_section(const ReportData& data) {
    std::vector<BarGroup> groups;
    for (const auto& m : data.churn) groups.push_back({m.month, {m.added, m.removed, m.moved}});
    return "<section id=\"churn\"><h2>Churn per month</h2>\n" +
           bar_chart("Tags added, removed and moved per month", {"added", "removed", "moved"},
                     {"#2e9e44", "#c0392b", "#e07b00"}, groups) +
           "<p class=\"note\">From each snapshot's counts; the first snapshot's tags are not counted as added.</p>\n"
           "</section>\n";
}

std::string policy_section(const PolicyReport& p) {
    std::string out = "<section class=\"policy\" data-policy=\"" + escape(p.name) + "\" data-delete-digests=\"" +
                      std::to_string(p.delete_digests) + "\" data-delete-bytes=\"" + std::to_string(p.delete_bytes) +
                      "\" data-protected=\"" + std::to_string(p.protections.size()) + "\">\n<h3>" + escape(p.name) +
                      "</h3>\n<p>A prune would delete <strong>" + std::to_string(p.delete_digests) + " digests (" +
                      escape(human_size(p.delete_bytes)) + ")</strong>; " + std::to_string(p.protections.size()) +
                      " digests the policy would prune are protected. The images it keeps hold " +
                      escape(human_size(p.kept_bytes)) + ".</p>\n<table><tr><th>type</th><th>kept</th><th>tags deleted</th></tr>\n";
    for (const ImageType type : shown_types) {
        const auto i = static_cast<std::size_t>(type);
        out += "<tr><td>" + escape(type_label(type)) + "</td><td class=\"n\">" + std::to_string(p.kept[i]) +
               "</td><td class=\"n\">" + std::to_string(p.deleted_tags[i]) + "</td></tr>\n";
    }
    out += "</table>\n";
    if (!p.protections.empty()) {
        out += "<table class=\"protections\"><tr><th>protected digest</th><th>tags the policy prunes</th><th>kept by</th></tr>\n";
        for (const auto& protection : p.protections) {
            out += "<tr><td><code>" + escape(short_digest(protection.digest)) + "</code></td><td>" +
                   escape(join(protection.tags, ", ")) + "</td><td>" + escape(join(protection.kept_by, ", ")) + "</td></tr>\n";
        }
        out += "</table>\n";
    }
    return out + "</section>\n";
}

std::string menu_section(const ReportData& data) {
    std::string out = "<section id=\"menu\"><h2>The menu</h2>\n";
    if (!data.recommended) return out + "<p>No recommended tag in the collection: no menu.</p></section>\n";
    auto list = [](const std::vector<MenuLine>& lines) {
        std::string ol = "<ol>\n";
        for (const auto& l : lines) ol += "<li>" + escape(l.name) + " <code>" + escape(l.tag) + "</code></li>\n";
        return ol + "</ol>\n";
    };
    return out + "<div class=\"columns\"><div><h3>Prepulled (recommended: " + escape(*data.recommended) + ")</h3>\n" +
           list(data.menu) + "</div><div><h3>Dropdown (" + std::to_string(data.dropdown.size()) + ")</h3>\n" +
           list(data.dropdown) + "</div></div></section>\n";
}

std::string facts_section(const Facts& f) {
    auto row = [](const std::string& name, const std::string& value) {
        return "<tr><th>" + escape(name) + "</th><td>" + escape(value) + "</td></tr>\n";
    };
    return "<section id=\"facts\"><h2>Catalog</h2><table>\n" + row("repository", f.repository) +
           row("first snapshot", time_text(f.first_snapshot)) + row("last snapshot", time_text(f.last_snapshot)) +
           row("snapshots", std::to_string(f.snapshots)) + row("current tags", std::to_string(f.current_tags)) +
           row("current digests", std::to_string(f.digests)) + row("latest snapshot's source", f.latest_source) +
           row("catalog schema", std::to_string(f.schema_version)) + row("written by", "rspcat " + f.rspcat_version) +
           "</table></section>\n";
}

const char* style = R"css(
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #222; max-width: 1040px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; border-bottom: 1px solid #ccc; margin-top: 24px; }
h3 { font-size: 15px; margin: 12px 0 4px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .title { font-size: 14px; font-weight: bold; } svg .tick { font-size: 11px; fill: #444; }
svg .lane-name { font-size: 12px; } svg .band-label { font-size: 11px; fill: #fff; pointer-events: none; }
svg .axis { stroke: #444; } svg .grid { stroke: #e4e4e4; }
svg rect:hover, svg polyline:hover { opacity: 0.75; }
table { border-collapse: collapse; margin: 4px 0 8px; } th, td { padding: 2px 10px 2px 0; text-align: left; }
td.n { text-align: right; } td, th { border-bottom: 1px solid #eee; word-break: break-all; }
.note { color: #555; font-size: 12px; } .columns { display: flex; gap: 32px; } .columns > div { flex: 1; min-width: 0; }
ol { margin: 0; padding-left: 24px; } code { font-size: 12px; }
)css";

}  // namespace

std::string render_page(const ReportData& data) {
    const std::string title = "rspcat report: " + data.facts.repository;
    std::string out =
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        // Nothing may load or run: the page is data from registries, shown by a browser.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        "<title>" + escape(title) + "</title>\n<style>" + style + "</style></head>\n<body>\n<h1>" + escape(title) +
        "</h1>\n<p class=\"note\">As of " + escape(format_timestamp(data.as_of)) +
        " (the catalog's last sync unless --at was given). Written by rspcat " + escape(data.facts.rspcat_version) +
        ".</p>\n";
    out += alias_section(data) + growth_section(data) + churn_section(data);
    out += "<section id=\"policies\"><h2>What each policy keeps and would delete</h2>\n";
    if (data.policies.empty()) out += "<p>No --policy given.</p>\n";
    for (const auto& p : data.policies) out += policy_section(p);
    out += "</section>\n" + menu_section(data) + facts_section(data.facts);
    return out + "</body></html>\n";
}

}  // namespace rspcat::cli::report
