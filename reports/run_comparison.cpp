#include "reports/run_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "reports/result_writers.hpp"
#include "reports/results_folder.hpp"

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

// One side of the comparison: a complete results folder (reports/results_folder.hpp) with
// devices.csv, its summary.json and run.json parsed.
struct Side {
  Rows devices;
  nlohmann::json summary, run;
};

bool read_side(const std::string& dir, Side& side, std::string& error) {
  ResultsFolderRead read = read_results_folder(dir, {"summary.json", "devices.csv", "run.json"});
  if (!read.folder) {
    error = read.error;
    return false;
  }
  const ResultsFolder& f = *read.folder;
  if (f.state != RunState::Complete) {
    error = dir + ": the run was interrupted before its end and has no results; run the scenario again";
    return false;
  }
  if (!f.lists("devices.csv")) {
    error = dir + "/devices.csv: not among the run's files (run the scenario with --trace-devices to write it)";
    return false;
  }
  for (auto [name, doc] : {std::pair{"summary.json", &side.summary}, std::pair{"run.json", &side.run}}) {
    if (!f.lists(name)) {
      error = dir + ": " + kManifestFile + " does not list " + name + " (expected the output folder of `fleetsim run`)";
      return false;
    }
    *doc = nlohmann::json::parse(f.text(name), nullptr, false);
    if (doc->is_discarded() || !doc->is_object()) {
      error = dir + "/" + name + ": " + (f.text(name).empty() ? "empty" : "not a JSON object") +
              " (expected the " + name + " of `fleetsim run`)";
      return false;
    }
  }
  return read_devices(dir, f.text("devices.csv"), side.devices, error);
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

std::string at(const nlohmann::json& j, const std::vector<std::string>& path) {
  const nlohmann::json* p = &j;
  for (const std::string& key : path) {
    if (!p->is_object() || !p->contains(key)) return "null";
    p = &(*p)[key];
  }
  return p->dump();
}

double quantile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
  std::nth_element(v.begin(), v.begin() + long(k), v.end());
  return v[k];
}

}  // namespace

std::optional<RunComparison> compare_runs(const std::string& dir_a, const std::string& dir_b, double tolerance,
                                          std::string& error) {
  Side side_a, side_b;
  if (!read_side(dir_a, side_a, error) || !read_side(dir_b, side_b, error)) return std::nullopt;
  const nlohmann::json& sa = side_a.summary;
  const nlohmann::json& sb = side_b.summary;
  for (const char* field : {"name", "seed"}) {
    const std::string x = at(sa, {"scenario", field}), y = at(sb, {"scenario", field});
    if (x != "null" && y != "null" && x != y) {
      error = "the runs are of different scenarios: " + dir_a + " has scenario " + field + " " + x + ", " + dir_b +
              " has " + y + " (compare two runs of the same scenario and seed)";
      return std::nullopt;
    }
  }
  const Rows& a = side_a.devices;
  const Rows& b = side_b.devices;
  if (a.size() != b.size()) {
    error = dir_a + "/devices.csv has " + std::to_string(a.size()) + " devices and " + dir_b + "/devices.csv " +
            std::to_string(b.size()) + " (compare two runs of the same scenario)";
    return std::nullopt;
  }
  RunComparison c;
  c.dir_a = dir_a;
  c.dir_b = dir_b;
  c.label_a = label(side_a.run);
  c.label_b = label(side_b.run);
  c.tolerance = tolerance;
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
  const std::vector<std::pair<std::string, std::vector<std::string>>> figures = {
      {"rollout.state", {"rollout", "state"}},
      {"devices.on_target", {"devices", "on_target"}},
      {"rollout.time_to_90 (s)", {"rollout", "time_to_s", "p90"}},
      {"rollout.time_to_99 (s)", {"rollout", "time_to_s", "p99"}}};
  for (const auto& [name, path] : figures) c.summary.push_back({name, at(sa, path), at(sb, path)});
  return c;
}

std::string format_comparison(const RunComparison& c) {
  std::ostringstream o;
  char buf[160];
  o << "A: " << c.dir_a << " (" << c.label_a << ")\n";
  o << "B: " << c.dir_b << " (" << c.label_b << ")\n";
  o << c.devices << " devices; different outcome " << c.different_outcome << ", final version "
    << c.different_version << ", attempts " << c.different_attempts << ", bytes " << c.different_bytes << "\n";
  std::snprintf(buf, sizeof buf, "%lld times compared, %lld beyond relative %g, worst relative %.3g",
                (long long)c.times_compared, (long long)c.times_beyond_tolerance, c.tolerance, c.worst_relative);
  o << buf << (c.worst_where.empty() ? "" : " (" + c.worst_where + ")") << "\n";
  if (c.times_missing_in_one) o << c.times_missing_in_one << " phases reached in one run only\n";
  std::snprintf(buf, sizeof buf, "download duration B/A - 1 over %lld single-attempt downloads: median %+.3g, p95 %+.3g, max %+.3g",
                (long long)c.durations, c.duration_median, c.duration_p95, c.duration_max);
  o << buf << "\n";
  for (const auto& f : c.summary) o << f.name << ": A " << f.a << ", B " << f.b << "\n";
  o << (c.agrees() ? "agree: every device has the same outcome and every time is within the tolerance\n"
                   : "differ: see the counts above\n");
  return o.str();
}

}  // namespace fleetsim
