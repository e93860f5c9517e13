#include "reports/sweep_writers.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/html_report.hpp"
#include "reports/markup_escape.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::json;

// A column of sweep.csv and of sweep.html's table, and the quantity of a chart.
struct Column {
  std::string header;
  std::string metric;  // its key in SweepRun::results
  std::string unit;    // as shown
  bool hours = false;  // the metric is in seconds, shown in hours
  bool text = false;
};

constexpr AssertionMetric kTimeTo[] = {AssertionMetric::RolloutTimeTo50, AssertionMetric::RolloutTimeTo90,
                                       AssertionMetric::RolloutTimeTo95, AssertionMetric::RolloutTimeTo99};

bool is_time_to(AssertionMetric m) { return std::find(std::begin(kTimeTo), std::end(kTimeTo), m) != std::end(kTimeTo); }

// time_to_* in hours ("time_to_95_h"); sizes get "_B"; the other names say their unit already
// (platform.peak_egress_bps, exposure.device_hours_old) or are counts and fractions.
Column column_of(AssertionMetric m) {
  const AssertionMetricInfo& info = metric_info(m);
  Column c{std::string(info.name), std::string(info.name), std::string(info.unit)};
  if (is_time_to(m)) {
    c.header = std::string(info.name.substr(info.name.find('.') + 1)) + "_h";
    c.unit = "h";
    c.hours = true;
  } else if (info.unit == "B") {
    c.header += "_B";
  }
  c.text = info.kind == MetricKind::Text;
  return c;
}

// The time to 50/90/95/99 % always, then every picked metric that is not one of them.
std::vector<Column> table_columns(const SweepSpec& spec) {
  std::vector<Column> columns;
  for (AssertionMetric m : kTimeTo) columns.push_back(column_of(m));
  for (AssertionMetric m : spec.metrics)
    if (!is_time_to(m)) columns.push_back(column_of(m));
  return columns;
}

std::optional<double> number_in(const SweepRun& run, const Column& c) {
  auto it = run.results.find(c.metric);
  if (c.text || it == run.results.end() || it->second.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(it->second.c_str(), &end);
  if (end == it->second.c_str() || *end != '\0') return std::nullopt;
  return c.hours ? v / 3600.0 : v;
}

std::string csv_cell(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Whole numbers as integers, others with every digit needed to read the same double back.
std::string exact_number(double v) {
  char buf[40];
  if (v == std::floor(v) && std::abs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  return Json(v).dump();
}

// For people: six significant digits.
std::string number(double v) {
  char buf[40];
  if (std::abs(v) >= 1e6 || (std::abs(v) < 1e-3 && v != 0)) std::snprintf(buf, sizeof buf, "%.4g", v);
  else std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// A column's values across the runs of a point that have results: the table shows the median
// and min – max, the chart the same three.
struct Spread {
  double min = 0, median = 0, max = 0;
  size_t n = 0;  // runs with a value
};

std::optional<Spread> spread_of(const std::vector<const SweepRun*>& runs, const Column& c) {
  std::vector<double> values;
  for (const SweepRun* run : runs)
    if (sweep_verdict(*run) != SweepVerdict::Error)
      if (const std::optional<double> v = number_in(*run, c)) values.push_back(*v);
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return Spread{values.front(), n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2, values.back(), n};
}

std::string cell_text(const SweepRun& run, const Column& c) {
  if (const std::optional<double> v = number_in(run, c)) return exact_number(*v);
  auto it = run.results.find(c.metric);
  return it == run.results.end() ? "" : it->second;
}

// Every value of `axis` read by `parse` as a number, or nullopt when one does not parse.
std::optional<std::vector<double>> all_parse(const SweepAxis& axis,
                                              const std::function<std::optional<double>(const std::string&)>& parse) {
  std::vector<double> numbers;
  for (const std::string& v : axis.values) {
    const std::optional<double> n = parse(v);
    if (!n || !std::isfinite(*n)) return std::nullopt;
    numbers.push_back(*n);
  }
  return numbers;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

std::optional<NumericAxis> numeric_axis(const SweepAxis& axis) {
  if (axis.values.empty()) return std::nullopt;
  auto plain = [](const std::string& v) -> std::optional<double> {
    char* end = nullptr;
    const double n = std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size()) return std::nullopt;
    return n;
  };
  NumericAxis a;
  const bool bytes_per_second = std::all_of(axis.values.begin(), axis.values.end(),
                                            [](const std::string& v) { return ends_with(v, "B/s"); });
  if (auto n = all_parse(axis, plain)) {
    a.numbers = *n;
  } else if ((n = all_parse(axis, [&](const std::string& v) -> std::optional<double> {
                if (auto r = units::parse_rate(v)) return bytes_per_second ? r->value : r->value * 8.0;
                return std::nullopt;
              }))) {
    a.numbers = *n;
    a.unit = bytes_per_second ? "B/s" : "bit/s";
  } else if ((n = all_parse(axis, [](const std::string& v) -> std::optional<double> {
                if (auto r = units::parse_per_second(v)) return r->value;
                return std::nullopt;
              }))) {
    a.numbers = *n;
    a.unit = "/s";
  } else if ((n = all_parse(axis, [](const std::string& v) -> std::optional<double> {
                if (auto b = units::parse_size(v)) return b->value;
                return std::nullopt;
              }))) {
    a.numbers = *n;
    a.unit = "B";
  } else if ((n = all_parse(axis, [](const std::string& v) -> std::optional<double> {
                if (auto s = units::parse_duration(v)) return s->value;
                return std::nullopt;
              }))) {
    const double largest = *std::max_element(n->begin(), n->end());
    const double scale = largest >= 7200 ? 3600 : largest >= 120 ? 60 : 1;
    a.unit = scale == 3600 ? "h" : scale == 60 ? "min" : "s";
    for (double s : *n) a.numbers.push_back(s / scale);
  } else if ((n = all_parse(axis, [&](const std::string& v) -> std::optional<double> {
                return ends_with(v, "%") ? plain(v.substr(0, v.size() - 1)) : std::nullopt;
              }))) {
    a.numbers = *n;
    a.unit = "%";
  } else {
    return std::nullopt;
  }
  const auto [lo, hi] = std::minmax_element(a.numbers.begin(), a.numbers.end());
  a.logarithmic = *lo > 0 && *hi / *lo >= 20;
  return a;
}

std::string sweep_csv(const SweepSpec& spec, const std::vector<SweepRun>& runs) {
  const std::vector<Column> columns = table_columns(spec);
  std::string out;
  for (const SweepAxis& axis : spec.axes) out += csv_cell(axis.path) + ",";
  out += "seed,exit_code,verdict";
  for (const Column& c : columns) out += "," + csv_cell(c.header);
  out += "\n";
  for (const SweepRun& run : runs) {
    for (const std::string& v : run.values) out += csv_cell(v) + ",";
    out += std::to_string(run.seed) + "," + std::to_string(run.exit_code) + "," + verdict_name(sweep_verdict(run));
    for (const Column& c : columns) out += "," + csv_cell(cell_text(run, c));
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
  const std::vector<Column> columns = table_columns(spec);
  std::vector<Column> charted;  // every picked number metric, in --metric order
  for (AssertionMetric m : spec.metrics)
    if (metric_info(m).kind == MetricKind::Number) charted.push_back(column_of(m));

  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>fleetsim sweep: "
    << xml_escape(spec.scenario_file) << "</title>\n<style>\n" << report_asset("uPlot.min.css")
    << "\n</style>\n<style>body{font-family:system-ui,sans-serif;margin:2em}"
    << "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    << "th{background:#f4f4f4}td.l,th.l{text-align:left}.r{color:#999;font-size:85%}.chart{margin:1em 0}"
    << ".wide{overflow-x:auto}.pass{color:#1a7f37;font-weight:600}.fail{color:#cf222e;font-weight:600}"
    << ".error{color:#6e7781;font-weight:600}"
    << "#render-status{display:none}</style></head><body>\n";
  o << "<h1>Sweep of " << xml_escape(spec.scenario_file) << "</h1>\n<p>" << runs.size() << " runs: ";
  for (size_t a = 0; a < spec.axes.size(); ++a) {
    o << (a ? " × " : "") << "<code>" << xml_escape(spec.axes[a].path) << "</code> (" << spec.axes[a].values.size()
      << " values)";
  }
  o << ", " << spec.seeds << " seed" << (spec.seeds == 1 ? "" : "s") << " each.</p>\n";

  // The charts: every picked number metric against every varied parameter (reports/assets/sweep.js).
  Json chart_points = Json::array();
  std::ostringstream table;
  table << "<div class=\"wide\"><table id=\"sweep\"><tr>";
  for (const SweepAxis& axis : spec.axes) table << "<th class=\"l\">" << xml_escape(axis.path) << "</th>";
  table << "<th class=\"l\">verdict</th>";
  for (const Column& c : columns) table << "<th>" << xml_escape(c.header) << "</th>";
  table << "</tr>\n";
  for (const auto& point : points) {
    const std::vector<const SweepRun*>& point_runs = by_point[point];
    size_t passed = 0, failed = 0, errors = 0;
    for (const SweepRun* run : point_runs) {
      const SweepVerdict v = sweep_verdict(*run);
      (v == SweepVerdict::Pass ? passed : v == SweepVerdict::Fail ? failed : errors)++;
    }
    // An assertion that failed in one seed decides the point; else a run without results does.
    const SweepVerdict point_verdict = failed   ? SweepVerdict::Fail
                                       : errors ? SweepVerdict::Error
                                                : SweepVerdict::Pass;
    const std::string verdict = verdict_name(point_verdict);
    const size_t with_results = point_runs.size() - errors;
    Json point_json = {{"values", point}, {"runs", point_runs.size()}, {"verdict", verdict}, {"stats", Json::object()}};
    table << "<tr>";
    for (const std::string& v : point) table << "<td class=\"l\">" << xml_escape(v) << "</td>";
    table << "<td class=\"l " << verdict << "\">";
    if (passed == point_runs.size() || failed == point_runs.size() || errors == point_runs.size()) table << verdict;
    else table << passed << "/" << point_runs.size() << " pass" << (errors ? ", " + std::to_string(errors) + " error" : "");
    table << "</td>";
    const std::string no_result = std::to_string(errors) + " no result";
    for (const Column& c : columns) {
      table << "<td>";
      const std::optional<Spread> spread = spread_of(point_runs, c);
      if (spread) {
        table << number(spread->median);
        if (spread->n > 1)
          table << "<br><span class=\"r\">" << number(spread->min) << " – " << number(spread->max) << "</span>";
        if (spread->n < with_results)
          table << "<br><span class=\"r\">" << with_results - spread->n << " not reached</span>";
        if (errors) table << "<br><span class=\"r\">" << no_result << "</span>";
        if (std::find_if(charted.begin(), charted.end(), [&](const Column& k) { return k.header == c.header; }) !=
            charted.end())
          point_json["stats"][c.header] = {spread->min, spread->median, spread->max};
      } else if (with_results == 0) {
        table << "<span class=\"r\">no result</span>";
      } else if (c.hours) {
        table << "<span class=\"r\">not reached</span>";
        if (errors) table << "<br><span class=\"r\">" << no_result << "</span>";
      } else {
        std::vector<std::string> texts;
        for (const SweepRun* run : point_runs)
          if (sweep_verdict(*run) != SweepVerdict::Error) texts.push_back(cell_text(*run, c));
        std::sort(texts.begin(), texts.end());
        texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
        texts.erase(std::remove(texts.begin(), texts.end(), std::string()), texts.end());
        for (size_t i = 0; i < texts.size(); ++i) table << (i ? ", " : "") << xml_escape(texts[i]);
        if (errors) table << (texts.empty() ? "" : "<br>") << "<span class=\"r\">" << no_result << "</span>";
      }
      table << "</td>";
    }
    table << "</tr>\n";
    chart_points.push_back(std::move(point_json));
  }
  table << "</table></div>\n";

  Json axes = Json::array();
  for (const SweepAxis& axis : spec.axes) {
    Json a = {{"path", axis.path}, {"values", axis.values}};
    if (const std::optional<NumericAxis> numeric = numeric_axis(axis))
      a["numeric"] = {{"numbers", numeric->numbers}, {"unit", numeric->unit}, {"log", numeric->logarithmic}};
    axes.push_back(std::move(a));
  }
  Json charts = Json::array();
  for (const Column& c : charted)
    charts.push_back({{"column", c.header}, {"title", c.metric + (c.unit.empty() ? "" : " (" + c.unit + ")")}});
  const Json chart_data = {{"axes", axes}, {"charts", charts}, {"points", chart_points}};
  o << "<h2>Results against each varied parameter</h2>\n<p>One line per combination of the other "
       "parameters: the median across seeds, the band from min to max. Numeric values are placed to scale. "
       "Markers: <span class=\"pass\">green</span> when every seed passed, "
       "<span class=\"fail\">red</span> when an assertion or gate failed in one, <span class=\"error\">grey</span> "
       "when none failed but a run ended without results (exit 2 or 3, or a signal). Times are in hours; an empty time "
       "was not reached.</p>\n<div id=\"charts\"></div>\n"
    << "<h2>Points</h2>\n<p>The median across seeds and, below it, min – max.</p>\n" << table.str()
    << "<pre id=\"render-status\"></pre>\n<script type=\"application/json\" id=\"sweep-data\">"
    << script_safe_json(chart_data.dump()) << "</script>\n<script>\n" << report_asset("uPlot.iife.min.js")
    << "\n</script>\n<script>\n" << report_asset("render_status.js") << "</script>\n<script>\n"
    << report_asset("sweep.js") << "</script>\n</body></html>\n";
  return o.str();
}

}  // namespace fleetsim
