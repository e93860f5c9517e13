#include "reports/compare_page.hpp"

#include <cmath>
#include <cstdio>
#include <tuple>

#include "reports/html_report.hpp"
#include "reports/markup_escape.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

// The share of the fleet on the target version over time, from the fleet-by-version chart
// (downsampled as a level, so each point is one row of timeseries.csv).
Json on_target_chart(const Json& charts, const std::string& target) {
  Json values = Json::array();
  for (const Json& c : charts) {
    if (c.value("id", "") != "versions" || c["series"].empty()) continue;
    const size_t n = c["series"][0]["values"].size();
    for (size_t i = 0; i < n; ++i) {
      double all = 0, on = 0;
      for (const Json& s : c["series"]) {
        if (i >= s["values"].size() || !s["values"][i].is_number()) continue;
        const Json& v = s["values"][i];
        all += v.get<double>();
        if (s.value("label", "") == target) on += v.get<double>();
      }
      values.push_back(all > 0 ? Json(std::round(1e4 * on / all) / 100) : Json(nullptr));
    }
  }
  return {{"id", "on_target"},
          {"title", "Fleet on the target version"},
          {"unit", "%"},
          {"stacked", false},
          {"series", Json::array({{{"label", "on target"}, {"values", values}}})},
          {"limits", Json::array()}};
}

Json run_data(const RunReport& report, const Json& charts, const std::string& name, const std::string& dir) {
  Json run = {{"name", name}, {"dir", dir}};
  const Json& target = lookup(report.summary, "scenario/target_version");
  Json list = Json::array({on_target_chart(charts["charts"], target.is_string() ? target.get<std::string>() : "")});
  for (const Json& c : charts["charts"]) list.push_back(c);
  run["t"] = charts["t"];
  run["charts"] = list;
  run["marks"] = charts["marks"];
  run["histogram"] = charts["histogram"];
  return run;
}

Json optional_number(const std::optional<double>& v) { return v && std::isfinite(*v) ? Json(*v) : Json(nullptr); }

Json page_data(const RunComparison& c) {
  Json data;
  data["runs"] = Json::array(
      {run_data(c.report_a, c.charts_a, c.name_a, c.dir_a), run_data(c.report_b, c.charts_b, c.name_b, c.dir_b)});
  Json rows = Json::array();
  for (const SummaryDelta& d : c.summary)
    rows.push_back({{"name", d.name},
                    {"unit", metric_info(d.metric).unit},
                    {"a", d.a},
                    {"b", d.b},
                    {"delta", optional_number(d.delta)},
                    {"change", optional_number(d.change)}});
  data["summary"] = rows;
  Json diffs = Json::array();
  for (const ScenarioDifference& d : c.scenario_differences)
    diffs.push_back({{"pointer", d.pointer}, {"a", d.a}, {"b", d.b}, {"kernel_setting", is_kernel_setting(d.pointer)}});
  data["scenario_differences"] = diffs;
  return data;
}

std::string cells(const std::vector<std::string>& texts, const char* tag = "td") {
  std::string out = "<tr>";
  for (const std::string& t : texts) out += std::string("<") + tag + ">" + xml_escape(t) + "</" + tag + ">";
  return out + "</tr>\n";
}

std::string text_of(const Json& j) { return j.is_string() ? j.get<std::string>() : j.is_null() ? "—" : j.dump(); }

std::string duration_text(const Json& t) {
  return t.is_number() ? units::format_duration(Seconds(t.get<double>())) : std::string("—");
}

std::string run_row(const char* role, const char* line, const std::string& name, const std::string& dir,
                    const std::string& kernel, const RunReport& r) {
  const Json& sc = lookup(r.summary, "scenario");
  const Json& passed = lookup(r.summary, "assertions/passed");
  return std::string("<tr><td><span class=\"") + line + "\"></span>" + role + "</td><td>" + xml_escape(name) +
         "</td><td>" + xml_escape(dir) + "</td><td>" + xml_escape(text_of(lookup(sc, "name"))) + "</td><td>" +
         xml_escape(text_of(lookup(sc, "seed"))) + "</td><td>" + xml_escape(text_of(lookup(sc, "devices"))) +
         "</td><td>" + xml_escape(kernel) + "</td><td>" + xml_escape(text_of(lookup(r.summary, "rollout/state"))) +
         "</td><td>" + (passed.is_boolean() ? (passed.get<bool>() ? "passed" : "failed") : "—") + "</td></tr>\n";
}

// A run's decisions; those that are not the other run's decision of the same number are highlighted.
std::string decisions(const char* letter, const std::string& name, const RunReport& r, const RunReport& other) {
  std::string h = std::string("<section>\n<h3>") + letter + ": " + xml_escape(name) + "</h3>\n<table>\n" +
                  cells({"#", "Simulated time", "Action", "Wave", "Reason"}, "th");
  const Json& theirs = lookup(other.summary, "rollout/decisions");
  size_t n = 0;
  for (const Json& d : lookup(r.summary, "rollout/decisions")) {
    const bool same = theirs.is_array() && n < theirs.size() && theirs[n] == d;
    const std::string row = cells({letter + std::to_string(++n), duration_text(lookup(d, "t")),
                                   text_of(lookup(d, "action")), text_of(lookup(d, "wave")), text_of(lookup(d, "reason"))});
    h += same ? row : "<tr class=\"changed\">" + row.substr(4);
  }
  if (n == 0) h += "<tr><td colspan=\"5\">no decisions</td></tr>\n";
  return h + "</table>\n</section>\n";
}

}  // namespace

std::string compare_html(const RunComparison& c) {
  const std::string title = c.name_a + " vs " + c.name_b;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>fleetsim compare: " + xml_escape(title) + "</title>\n";
  h += "<style>\n" + report_asset("uPlot.min.css") + "\n</style>\n<style>\n" + report_asset("report.css") +
       report_asset("compare.css") + "</style>\n";
  h += "</head>\n<body>\n<header>\n<h1>" + xml_escape(title) + "</h1>\n<table>\n" +
       cells({"", "Run", "Folder", "Scenario", "Seed", "Devices", "Kernel", "Rollout", "Assertions"}, "th") +
       run_row("A (baseline)", "line-a", c.name_a, c.dir_a, c.label_a, c.report_a) +
       run_row("B (variant)", "line-b", c.name_b, c.dir_b, c.label_b, c.report_b) + "</table>\n</header>\n<main>\n";

  h += "<section>\n<h2>Scenario differences</h2>\n<p>Between the effective scenarios (scenario.json: the file after "
       "<code>--set</code> and <code>--seed</code>), by JSON path.</p>\n";
  if (c.scenario_differences.empty()) {
    h += "<p>None: both runs simulated the same scenario.</p>\n";
  } else {
    h += "<table id=\"scenario-differences\">\n" + cells({"JSON path", "A", "B"}, "th");
    for (const ScenarioDifference& d : c.scenario_differences)
      h += cells({d.pointer + (is_kernel_setting(d.pointer) ? " (kernel setting)" : ""), d.a, d.b});
    h += "</table>\n";
  }
  if (!c.scenario_note.empty()) h += "<p>" + xml_escape(c.scenario_note) + ".</p>\n";
  if (c.devices_compared) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "worst relative difference of a time %.3g", c.worst_relative);
    h += "<p>Device by device (devices.csv): " + std::to_string(c.devices) + " devices; different outcome " +
         std::to_string(c.different_outcome) + ", final version " + std::to_string(c.different_version) +
         ", attempts " + std::to_string(c.different_attempts) + ", bytes " + std::to_string(c.different_bytes) +
         "; " + std::to_string(c.times_beyond_tolerance) + " of " + std::to_string(c.times_compared) +
         " times beyond the tolerance, " + buf + ". <b>" + (c.agrees() ? "Agree" : "Differ") + "</b>.</p>\n";
  }
  h += "</section>\n";

  h += "<section id=\"charts\">\n<h2>Over time</h2>\n<p><span class=\"line-a\"></span>A " + xml_escape(c.name_a) +
       ", <span class=\"line-b\"></span>B " + xml_escape(c.name_b) +
       "; one colour per series. Time since each run's start. Controller decisions: A1, A2… on the top row, "
       "B1, B2… below (hover for the reason).</p>\n<noscript>The charts need JavaScript.</noscript>\n</section>\n";

  h += "<section>\n<h2>Results</h2>\n<table id=\"results\">\n" + cells({"Metric", "A", "B", "B − A", "Change"}, "th");
  for (const SummaryDelta& d : c.summary) {
    const bool changed = d.a != d.b;
    const std::string td = changed ? "<td class=\"number changed\">" : "<td class=\"number\">";
    h += "<tr><td>" + xml_escape(d.name) + "</td>" + td + xml_escape(d.a_text) + "</td>" + td + xml_escape(d.b_text) +
         "</td>" + td + xml_escape(d.delta_text) + "</td>" + td + xml_escape(d.change ? d.change_text : "—") +
         "</td></tr>\n";
  }
  h += "</table>\n</section>\n";

  h += "<h2>Controller decisions</h2>\n<p>Numbered as on the charts' time axes; a decision that is not the other "
       "run's of the same number is highlighted.</p>\n<div class=\"side-by-side\">\n" + decisions("A", c.name_a, c.report_a, c.report_b) +
       decisions("B", c.name_b, c.report_b, c.report_a) + "</div>\n";

  for (const auto& [letter, name, report] : {std::tuple{"A", &c.name_a, &c.report_a}, std::tuple{"B", &c.name_b, &c.report_b}})
    h += std::string("<details>\n<summary>Scenario of ") + letter + " (" + xml_escape(*name) + ")</summary>\n<pre>" +
         xml_escape(report->scenario.empty() ? "(no scenario.json in the results folder)" : report->scenario) +
         "</pre>\n</details>\n";
  h += "</main>\n<pre id=\"render-status\" hidden></pre>\n";
  h += "<script id=\"fleetsim-data\" type=\"application/json\">" + script_safe_json(page_data(c).dump()) +
       "</script>\n";
  for (const char* script : {"uPlot.iife.min.js", "render_status.js", "chart_format.js", "decision_marks.js", "compare.js"})
    h += "<script>\n" + report_asset(script) + "\n</script>\n";
  return h + "</body>\n</html>\n";
}

}  // namespace fleetsim
