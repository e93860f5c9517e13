#include "reports/sweep_writers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

namespace fleetsim {

namespace {

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
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
    << html_escape(spec.scenario_file) << "</title>\n<style>body{font-family:system-ui,sans-serif;margin:2em}"
    << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    << "th{background:#f4f4f4}td.l,th.l{text-align:left}.r{color:#999;font-size:85%}</style></head><body>\n";
  o << "<h1>Sweep of " << html_escape(spec.scenario_file) << "</h1>\n<p>" << runs.size() << " runs: ";
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    o << (a ? " × " : "") << "<code>" << html_escape(spec.axes[a].path) << "</code> (" << spec.axes[a].values.size()
      << " values)";
  }
  o << ", " << spec.seeds << " seed" << (spec.seeds == 1 ? "" : "s")
    << " each. Cells show the median across seeds and, below it, min – max.</p>\n";
  o << "<table id=\"sweep\"><tr>";
  for (const SweepAxis& axis : spec.axes) o << "<th class=\"l\">" << html_escape(axis.path) << "</th>";
  for (const std::string& name : sweep_result_names()) o << "<th>" << html_escape(name) << "</th>";
  o << "</tr>\n";
  for (const auto& point : points) {
    o << "<tr>";
    for (const std::string& v : point) o << "<td class=\"l\">" << html_escape(v) << "</td>";
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
        o << number(median);
        if (n > 1) o << "<br><span class=\"r\">" << number(values.front()) << " – " << number(values.back()) << "</span>";
      } else if (!texts.empty()) {
        std::sort(texts.begin(), texts.end());
        texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
        for (size_t i = 0; i < texts.size(); ++i) o << (i ? ", " : "") << html_escape(texts[i]);
      }
      o << "</td>";
    }
    o << "</tr>\n";
  }
  o << "</table>\n</body></html>\n";
  return o.str();
}

}  // namespace fleetsim
