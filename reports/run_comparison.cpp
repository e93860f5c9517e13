#include "reports/run_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "reports/html_report.hpp"
#include "reports/result_writers.hpp"
#include "reports/results_folder.hpp"
#include "sim/core/message_text.hpp"

namespace fleetsim {

namespace {

const char* const kHeader = kDevicesCsvHeader;
constexpr size_t kColumns = 16;
constexpr size_t kFirstTime = 6, kLastTime = 12, kFinalVersion = 5, kBytes = 13, kAttempts = 14, kOutcome = 15;
constexpr size_t kDownloadStart = 9, kDownloadEnd = 10;

using Rows = std::vector<std::vector<std::string>>;

bool read_devices(const std::string& dir, const std::string& text, Rows& rows, std::string& error) {
  const std::string path = dir + "/devices.csv";
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != kHeader) {
    error = path + ":1: not a fleetsim devices.csv header (expected \"" + std::string(kHeader) + "\")";
    return false;
  }
  size_t number = 1;
  while (std::getline(in, line)) {
    ++number;
    std::vector<std::string> cells;
    std::stringstream ls(line);
    std::string cell;
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (!line.empty() && line.back() == ',') cells.emplace_back();
    if (cells.size() != kColumns) {
      error = path + ":" + std::to_string(number) + ": " + std::to_string(cells.size()) + " columns (expected " +
              std::to_string(kColumns) + ")";
      return false;
    }
    rows.push_back(std::move(cells));
  }
  return true;
}

// One side of the comparison: a complete results folder (reports/results_folder.hpp, read by
// read_run_report) with its report inputs and run.json parsed, and devices.csv's text when the run wrote it.
struct Side {
  RunReport report;
  nlohmann::ordered_json charts;
  nlohmann::json run;
  std::string devices_csv;
  bool has_devices = false;
};

bool read_side(const std::string& dir, Side& side, std::string& error) {
  // As `fleetsim report` reads a folder (its reports may have been deleted), and run.json and
  // devices.csv with it.
  RunReportRead parsed = read_run_report(dir, {"devices.csv", "run.json"});
  if (!parsed.report) {
    error = parsed.error;
    return false;
  }
  if (!parsed.also.count("run.json")) {
    error = dir + ": " + kManifestFile + " does not list run.json (expected the output folder of `fleetsim run`)";
    return false;
  }
  side.report = std::move(*parsed.report);
  try {
    side.charts = chart_data(side.report);
  } catch (const nlohmann::json::exception& e) {
    error = dir + "/summary.json: unexpected content (" + e.what() + "); run the scenario again to rewrite it";
    return false;
  }
  const std::string& run_json = parsed.also["run.json"];
  side.run = nlohmann::json::parse(run_json, nullptr, false);
  if (side.run.is_discarded() || !side.run.is_object()) {
    error = dir + "/run.json: " + (run_json.empty() ? "empty" : "not a JSON object") +
            " (expected the run.json of `fleetsim run`)";
    return false;
  }
  side.has_devices = parsed.also.count("devices.csv") > 0;
  side.devices_csv = parsed.also["devices.csv"];
  return true;
}

// The effective scenario of a run; its name and seed from summary.json when `whole` is false (one
// of the runs has no scenario.json).
nlohmann::ordered_json scenario_of(const RunReport& r, bool whole) {
  if (whole) return nlohmann::ordered_json::parse(r.scenario);  // parse_run_report checked it
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  const auto& sc = lookup(r.summary, "scenario");
  for (const char* field : {"name", "seed"})
    if (sc.is_object() && sc.contains(field)) doc[field] = sc[field];
  return doc;
}

// The folder's name, as the page and its legends call the run.
std::string folder_name(const std::string& dir) {
  const std::filesystem::path p = std::filesystem::path(dir).lexically_normal();
  const std::string name = p.has_filename() ? p.filename().string() : p.parent_path().filename().string();
  return name.empty() ? dir : name;
}

std::optional<double> number(const std::string& cell) {
  if (cell.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(cell.c_str(), &end);
  if (end == cell.c_str() || *end != '\0' || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::string label(const nlohmann::json& run) {
  if (!run.contains("kernel") || !run["kernel"].is_string()) return "kernel unknown";
  std::string s = "kernel " + run["kernel"].get<std::string>();
  if (run.contains("network_model") && run["network_model"].is_string())
    s += ", " + run["network_model"].get<std::string>();
  return s;
}

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

}  // namespace

bool RunComparison::same_scenario() const {
  return std::all_of(scenario_differences.begin(), scenario_differences.end(),
                     [](const ScenarioDifference& d) { return is_kernel_setting(d.pointer); });
}

std::optional<RunComparison> compare_runs(const std::string& dir_a, const std::string& dir_b, double tolerance,
                                          std::string& error) {
  Side side_a, side_b;
  if (!read_side(dir_a, side_a, error) || !read_side(dir_b, side_b, error)) return std::nullopt;
  RunComparison c;
  c.dir_a = dir_a;
  c.dir_b = dir_b;
  c.label_a = label(side_a.run);
  c.label_b = label(side_b.run);
  c.name_a = folder_name(dir_a);
  c.name_b = folder_name(dir_b);
  if (c.name_a == c.name_b) {
    c.name_a = dir_a;
    c.name_b = dir_b;
  }
  c.tolerance = tolerance;
  const bool whole = !side_a.report.scenario.empty() && !side_b.report.scenario.empty();
  c.scenario_differences = scenario_differences(scenario_of(side_a.report, whole), scenario_of(side_b.report, whole));
  for (const auto& [dir, side] : {std::pair{&dir_a, &side_a}, std::pair{&dir_b, &side_b}})
    if (side->report.scenario.empty() && c.scenario_note.empty())
      c.scenario_note = *dir + " has no scenario.json (written by an older fleetsim): only the scenarios' names and "
                        "seeds are compared";
  c.summary = summary_deltas(side_a.report.summary, side_b.report.summary);
  c.report_a = std::move(side_a.report);
  c.report_b = std::move(side_b.report);
  c.charts_a = std::move(side_a.charts);
  c.charts_b = std::move(side_b.charts);
  if (!c.same_scenario()) return c;  // a baseline and a variant: their devices are expected to differ

  for (const auto& [dir, side] : {std::pair{&dir_a, &side_a}, std::pair{&dir_b, &side_b}})
    if (!side->has_devices) {
      error = *dir + "/devices.csv: not among the run's files (run the scenario with --trace-devices to write it)";
      return std::nullopt;
    }
  Rows a, b;
  if (!read_devices(dir_a, side_a.devices_csv, a, error) || !read_devices(dir_b, side_b.devices_csv, b, error))
    return std::nullopt;
  if (a.size() != b.size()) {
    error = dir_a + "/devices.csv has " + std::to_string(a.size()) + " devices and " + dir_b + "/devices.csv " +
            std::to_string(b.size()) + " (compare two runs of the same scenario)";
    return std::nullopt;
  }
  c.devices_compared = true;
  c.devices = int64_t(a.size());
  static const char* const kTimeNames[] = {"released_s", "notified_s", "pickup_wait_s", "download_start_s",
                                           "download_end_s", "installed_s", "finished_s"};
  std::vector<double> duration_changes;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (x[0] != y[0]) {
      error = dir_b + "/devices.csv:" + std::to_string(i + 2) + ": device " + y[0] + " where " + dir_a +
              " has device " + x[0] + " (compare two runs of the same scenario)";
      return std::nullopt;
    }
    c.different_outcome += x[kOutcome] != y[kOutcome];
    c.different_version += x[kFinalVersion] != y[kFinalVersion];
    c.different_attempts += x[kAttempts] != y[kAttempts];
    c.different_bytes += x[kBytes] != y[kBytes];
    for (size_t col = kFirstTime; col <= kLastTime; ++col) {
      const auto tx = number(x[col]), ty = number(y[col]);
      if (!tx && !ty) continue;
      if (!tx || !ty) {
        ++c.times_missing_in_one;
        continue;
      }
      ++c.times_compared;
      // Relative to the larger value, with the microsecond the file is written to as the floor.
      const double diff = std::abs(*tx - *ty);
      const double scale = std::max(std::abs(*tx), std::abs(*ty));
      const double rel = scale > 0 ? diff / scale : 0.0;
      if (diff > std::max(tolerance * scale, 2e-6)) ++c.times_beyond_tolerance;
      if (rel > c.worst_relative) {
        c.worst_relative = rel;
        c.worst_where = "device " + x[0] + " " + kTimeNames[col - kFirstTime] + ": " + x[col] + " vs " + y[col];
      }
    }
    const auto sa = number(x[kDownloadStart]), ea = number(x[kDownloadEnd]);
    const auto sb = number(y[kDownloadStart]), eb = number(y[kDownloadEnd]);
    if (sa && ea && sb && eb && x[kAttempts] == "1" && y[kAttempts] == "1" && *ea > *sa)
      duration_changes.push_back((*eb - *sb) / (*ea - *sa) - 1.0);
  }
  c.durations = int64_t(duration_changes.size());
  if (!duration_changes.empty()) {
    c.duration_max = *std::max_element(duration_changes.begin(), duration_changes.end(),
                                       [](double p, double q) { return std::abs(p) < std::abs(q); });
    c.duration_p95 = quantile(duration_changes, 0.95);
    c.duration_median = quantile(duration_changes, 0.5);
  }
  return c;
}

namespace {

void format_scenarios(const RunComparison& c, size_t max_differences, std::ostream& o) {
  const auto& diffs = c.scenario_differences;
  if (diffs.empty())
    o << "scenarios: the same\n";
  else if (c.same_scenario())
    o << "scenarios: the same but for kernel settings (A vs B):\n";
  else
    o << "scenarios differ in " << diffs.size() << (diffs.size() == 1 ? " field" : " fields") << " (A vs B):\n";
  for (size_t i = 0; i < diffs.size() && i < max_differences; ++i)
    o << "  " << diffs[i].pointer << ": " << diffs[i].a << " vs " << diffs[i].b << "\n";
  if (diffs.size() > max_differences) o << "  ... and " << diffs.size() - max_differences << " more\n";
  if (!c.scenario_note.empty()) o << "  (" << c.scenario_note << ")\n";
}

void format_devices(const RunComparison& c, std::ostream& o) {
  char buf[160];
  o << c.devices << " devices; different outcome " << c.different_outcome << ", final version "
    << c.different_version << ", attempts " << c.different_attempts << ", bytes " << c.different_bytes << "\n";
  std::snprintf(buf, sizeof buf, "%lld times compared, %lld beyond relative %g, worst relative %.3g",
                (long long)c.times_compared, (long long)c.times_beyond_tolerance, c.tolerance, c.worst_relative);
  o << buf << (c.worst_where.empty() ? "" : " (" + c.worst_where + ")") << "\n";
  if (c.times_missing_in_one) o << c.times_missing_in_one << " phases reached in one run only\n";
  std::snprintf(buf, sizeof buf, "download duration B/A - 1 over %lld single-attempt downloads: median %+.3g, p95 %+.3g, max %+.3g",
                (long long)c.durations, c.duration_median, c.duration_p95, c.duration_max);
  o << buf << "\n";
}

void format_summary(const RunComparison& c, std::ostream& o) {
  size_t name = 6, a = 1, b = 1, delta = 5;
  for (const SummaryDelta& d : c.summary) {
    name = std::max(name, display_width(d.name));
    a = std::max(a, display_width(d.a_text));
    b = std::max(b, display_width(d.b_text));
    delta = std::max(delta, display_width(d.delta_text));
  }
  // Padded by columns, not bytes: "—" is 3 bytes.
  auto cell = [&](const std::string& text, size_t width) {
    return text + std::string(width + 2 - std::min(width, display_width(text)), ' ');
  };
  o << "results:\n  " << cell("", name) << cell("A", a) << cell("B", b) << cell("B - A", delta) << "change\n";
  for (const SummaryDelta& d : c.summary) {
    std::string line = "  " + cell(d.name, name) + cell(d.a_text, a) + cell(d.b_text, b) + cell(d.delta_text, delta) +
                       (d.change ? d.change_text : "");
    while (!line.empty() && line.back() == ' ') line.pop_back();
    o << line << "\n";
  }
}

}  // namespace

std::string format_comparison(const RunComparison& c, size_t max_differences) {
  std::ostringstream o;
  o << "A: " << c.dir_a << " (" << c.label_a << ")\n";
  o << "B: " << c.dir_b << " (" << c.label_b << ")\n";
  format_scenarios(c, max_differences, o);
  if (c.devices_compared) format_devices(c, o);
  format_summary(c, o);
  if (!c.same_scenario())
    o << "differ: the scenarios differ (devices are compared one by one only for runs of one scenario)\n";
  else
    o << (c.agrees() ? "agree: every device has the same outcome and every time is within the tolerance\n"
                     : "differ: see the counts above\n");
  return o.str();
}

}  // namespace fleetsim
