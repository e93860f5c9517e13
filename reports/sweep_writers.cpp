#include "reports/sweep_writers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/html_report.hpp"
#include "reports/markup_escape.hpp"

namespace fleetsim {

namespace {

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  char buf[40];
  if (std::abs(v) >= 1e6 || (std::abs(v) < 1e-3 && v != 0)) std::snprintf(buf, sizeof buf, "%.4g", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

std::string sweep_csv(const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  std::string out;
  for (const SweepAxis& axis : spec.axes) out += csv_cell(axis.path) + ",";
  out += "seed,exit_code";
  for (const std::string& name : sweep_result_names()) out += "," + name;
  out += "\n";
  for (const SweepRun& run : runs) {
    for (const std::string& v : run.values) out += csv_cell(v) + ",";
    out += std::to_string(run.seed) + "," + std::to_string(run.exit_code);
    for (const std::string& name : sweep_result_names()) {
      auto it = run.results.find(name);
      out += "," + csv_cell(it == run.results.end() ? "" : it->second);
    }
    out += "\n";
  }
  return out;
}

std::string sweep_html(const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  // Points in plan order, each with its runs (one per seed).
  std::vector<std::vector<std::string>> points;
  std::map<std::vector<std::string>, std::vector<const SweepRun*>> by_point;
  for (const SweepRun& run : runs) {
    if (!by_point.count(run.values)) points.push_back(run.values);
    by_point[run.values].push_back(&run);
  }
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fleetsim sweep: "
    << xml_escape(spec.scenario_file) << "</title>\n<style>\n" << report_asset("uPlot.min.css")
    << "\n</style>\n<style>body{font-family:system-ui,sans-serif;margin:2em}"
    << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    << "th{background:#f4f4f4}td.l,th.l{text-align:left}.r{color:#999;font-size:85%}.chart{margin:1em 0}"
    << "#render-status{display:none}</style></head><body>\n";
  o << "<h1>Sweep of " << xml_escape(spec.scenario_file) << "</h1>\n<p>" << runs.size() << " runs: ";
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    o << (a ? " × " : "") << "<code>" << xml_escape(spec.axes[a].path) << "</code> (" << spec.axes[a].values.size()
      << " values)";
  }
  o << ", " << spec.seeds << " seed" << (spec.seeds == 1 ? "" : "s")
    << " each. Cells show the median across seeds and, below it, min – max.</p>\n";
  o << "<table id=\"sweep\"><tr>";
  for (const SweepAxis& axis : spec.axes) o << "<th class=\"l\">" << xml_escape(axis.path) << "</th>";
  for (const std::string& name : sweep_result_names()) o << "<th>" << xml_escape(name) << "</th>";
  o << "</tr>\n";
  nlohmann::json chart_points = nlohmann::json::array();
  std::vector<std::string> charted;  // numeric results, in column order of first appearance
  for (const auto& point : points) {
    nlohmann::json point_json = {{"values", point}, {"stats", nlohmann::json::object()}};
    o << "<tr>";
    for (const std::string& v : point) o << "<td class=\"l\">" << xml_escape(v) << "</td>";
    for (const std::string& name : sweep_result_names()) {
      std::vector<double> values;
      std::vector<std::string> texts;
      for (const SweepRun* run : by_point[point]) {
        auto it = run->results.find(name);
        if (it == run->results.end() || it->second.empty()) continue;
        char* end = nullptr;
        const double v = std::strtod(it->second.c_str(), &end);
        if (end != it->second.c_str() && *end == '\0') values.push_back(v);
        else texts.push_back(it->second);
      }
      o << "<td>";
      if (!values.empty()) {
        std::sort(values.begin(), values.end());
        const size_t n = values.size();
        const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        point_json["stats"][name] = {values.front(), median, values.back()};
        if (std::find(charted.begin(), charted.end(), name) == charted.end()) charted.push_back(name);
        o << number(median);
        if (n > 1) o << "<br><span class=\"r\">" << number(values.front()) << " – " << number(values.back()) << "</span>";
      } else if (!texts.empty()) {
        std::sort(texts.begin(), texts.end());
        texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
        for (size_t i = 0; i < texts.size(); ++i) o << (i ? ", " : "") << xml_escape(texts[i]);
      }
      o << "</td>";
    }
    o << "</tr>\n";
    chart_points.push_back(std::move(point_json));
  }
  o << "</table>\n";
  // The charts: every numeric result against every varied parameter (reports/assets/sweep.js).
  std::vector<std::string> results;
  for (const std::string& name : sweep_result_names())
    if (std::find(charted.begin(), charted.end(), name) != charted.end()) results.push_back(name);
  nlohmann::json axes = nlohmann::json::array();
  for (const SweepAxis& axis : spec.axes) axes.push_back({{"path", axis.path}, {"values", axis.values}});
  const nlohmann::json chart_data = {{"axes", axes}, {"results", results}, {"points", chart_points}};
  o << "<h2>Results against each varied parameter</h2>\n<p>One line per combination of the other "
       "parameters: the median across seeds, the band from min to max.</p>\n<div id=\"charts\"></div>\n"
    << "<pre id=\"render-status\"></pre>\n<script type=\"application/json\" id=\"sweep-data\">"
    << script_safe_json(chart_data.dump()) << "</script>\n<script>\n" << report_asset("uPlot.iife.min.js")
    << "\n</script>\n<script>\n" << report_asset("render_status.js") << "</script>\n<script>\n"
    << report_asset("sweep.js") << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace fleetsim
