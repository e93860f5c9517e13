#include "reports/html_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>

#include "reports/markup_escape.hpp"
#include "reports/test_cases.hpp"
#include "reports/time_bands.hpp"
#include "sim/core/units.hpp"
#include "sim/results/duration_bins.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace fleetsim {

// Generated from reports/vendor and reports/assets by sim/core/embed_files.cmake.
const std::map<std::string, std::string>& report_asset_files();

namespace {

using Json = nlohmann::ordered_json;

// Integers stay integers; other values keep 4 significant digits, which is all a chart shows.
Json compact(double v) {
  if (!std::isfinite(v)) return nullptr;
  if (v == std::floor(v) && std::fabs(v) < 9e15) return int64_t(v);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return std::strtod(buf, nullptr);
}

// Keeps at most kReportPoints rows: consecutive rows form buckets, and each bucket shows its last
// row for levels (counts of devices) and its largest value for peaks (rates, transfers), so a
// short burst stays visible.
class Downsampler {
 public:
  explicit Downsampler(size_t rows) : rows_(rows), bucket_((rows + kReportPoints - 1) / kReportPoints) {
    if (bucket_ == 0) bucket_ = 1;
  }
  Json level(const std::vector<double>& v) const { return pick(v, Keep::Last); }
  Json peak(const std::vector<double>& v) const { return pick(v, Keep::Max); }
  // Capacities keep each bucket's smallest value, so that a short outage stays visible.
  Json trough(const std::vector<double>& v) const { return pick(v, Keep::Min); }

 private:
  enum class Keep { Last, Max, Min };
  Json pick(const std::vector<double>& v, Keep keep) const {
    Json out = Json::array();
    for (size_t from = 0; from < rows_; from += bucket_) {
      const size_t to = std::min(rows_, from + bucket_);
      double x = v[to - 1];
      if (keep == Keep::Max) x = *std::max_element(v.begin() + long(from), v.begin() + long(to));
      if (keep == Keep::Min) x = *std::min_element(v.begin() + long(from), v.begin() + long(to));
      out.push_back(compact(x));
    }
    return out;
  }
  size_t rows_, bucket_;
};

std::string text_of(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

struct ChartBuilder {
  const Timeseries& ts;
  const Downsampler& down;

  Json chart(const std::string& id, const std::string& title, const std::string& unit, bool stacked) const {
    return {{"id", id},           {"title", title},          {"unit", unit},
            {"stacked", stacked}, {"series", Json::array()}, {"limits", Json::array()}};
  }
  void add(Json& chart, const std::string& label, const std::vector<double>& values, bool peak) const {
    chart["series"].push_back({{"label", label}, {"values", peak ? down.peak(values) : down.level(values)}});
  }
  void add_column(Json& chart, const std::string& label, const std::string& column, bool peak,
                  double scale = 1.0) const {
    const std::vector<double>* c = ts.column(column);
    if (!c) return;
    std::vector<double> v = *c;
    for (double& x : v) x *= scale;
    add(chart, label, v, peak);
  }
  static void limit(Json& chart, const std::string& label, const Json& value) {
    if (value.is_number()) chart["limits"].push_back({{"label", label}, {"value", value}});
  }
  // A limit that changes over the run (a capacity under faults), from its column; false when the
  // time series has no such column.
  bool limit_column(Json& chart, const std::string& label, const std::string& column, double scale = 1.0) const {
    const std::vector<double>* c = ts.column(column);
    if (!c) return false;
    std::vector<double> v = *c;
    for (double& x : v) x *= scale;
    chart["limits"].push_back({{"label", label}, {"values", down.trough(v)}});
    return true;
  }
};

// A share of `of` in percent, per row (0 when `of` is 0).
std::vector<double> percent_of(const std::vector<double>& v, double of) {
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = of > 0 ? 100.0 * v[i] / of : 0.0;
  return out;
}

// Progress per cohort and per region (on target, % of its devices), from the per-cohort columns
// and the cohorts' sizes and regions in the scenario.
void add_progress_charts(const ChartBuilder& b, const Timeseries& ts, const Scenario& sc, Json& charts) {
  Json cohorts = b.chart("cohorts", "On target per cohort", "% of the cohort", false);
  cohorts["format"] = "percent";
  std::vector<std::vector<double>> region_sum(sc.regions.size(), std::vector<double>(ts.rows(), 0.0));
  std::vector<double> region_devices(sc.regions.size(), 0.0);
  for (const Cohort& c : sc.cohorts) {
    const std::vector<double>* col = ts.column("on_target_cohort_" + c.name);
    if (!col) return;  // an older timeseries.csv
    b.add(cohorts, c.name, percent_of(*col, double(c.count)), false);
    const int r = sc.region_index(c.region);
    if (r < 0) continue;
    for (size_t i = 0; i < col->size(); ++i) region_sum[size_t(r)][i] += (*col)[i];
    region_devices[size_t(r)] += double(c.count);
  }
  charts.push_back(cohorts);
  Json regions = b.chart("regions", "On target per region", "% of the region's devices", false);
  regions["format"] = "percent";
  for (size_t r = 0; r < sc.regions.size(); ++r)
    if (region_devices[r] > 0) b.add(regions, sc.regions[r].name, percent_of(region_sum[r], region_devices[r]), false);
  charts.push_back(regions);
}

// The time-to-update histogram in round bins: the run's fine bins up to the last non-empty one,
// merged into at most 60 bins of a round width (sim/results/duration_bins.hpp).
Json histogram_view(const Json& h) {
  const double bin = h.value("bin_s", 0.0);
  std::vector<int64_t> counts;
  for (const Json& c : lookup(h, "counts")) counts.push_back(c.get<int64_t>());
  while (!counts.empty() && counts.back() == 0) counts.pop_back();
  const size_t k = histogram_merge_factor(bin, counts.size(), 60);
  Json merged = Json::array();
  for (size_t from = 0; from < counts.size(); from += k) {
    int64_t sum = 0;
    for (size_t i = from; i < std::min(counts.size(), from + k); ++i) sum += counts[i];
    merged.push_back(sum);
  }
  if (merged.empty()) merged.push_back(0);
  return {{"bin_s", compact(bin * double(k))}, {"counts", merged}};
}

}  // namespace

Json chart_data(const RunReport& report, const Scenario* sc) {
  const Timeseries& ts = report.timeseries;
  const Json& s = report.summary;
  Downsampler down(ts.rows());
  ChartBuilder b{ts, down};
  Json data;
  data["start_unix"] = integer_value(lookup(s, "scenario"), "start_unix", 0);
  data["t"] = ts.column("t_s") ? down.level(*ts.column("t_s")) : Json::array();

  Json charts = Json::array();
  Json states = b.chart("states", "Fleet by update state", "devices", true);
  for (const std::string& st : ts.suffixes("state_")) b.add_column(states, st, "state_" + st, false);
  charts.push_back(states);

  Json versions = b.chart("versions", "Fleet by firmware version", "devices", true);
  for (const std::string& v : ts.suffixes("version_")) b.add_column(versions, v, "version_" + v, false);
  charts.push_back(versions);

  if (sc) add_progress_charts(b, ts, *sc, charts);
  // Each wave's share updated, so a canary of a few hundred devices is not a flat line at zero.
  if (const std::vector<std::string> waves = ts.suffixes("succeeded_wave_"); !waves.empty()) {
    Json per_wave = b.chart("waves", "Updated per wave", "% of the wave's devices", false);
    per_wave["format"] = "percent";
    const Json& sizes = lookup(s, "rollout/waves");
    for (const std::string& w : waves) {
      if (w.empty() || w.find_first_not_of("0123456789") != std::string::npos || w.size() > 6) continue;
      const size_t i = std::stoul(w);
      const double size = i < sizes.size() ? double(integer_value(sizes[i], "size", 0)) : 0.0;
      if (size > 0)
        b.add(per_wave, "wave " + w + " (" + text_of(lookup(sizes[i], "size")) + " devices)",
              percent_of(*ts.column("succeeded_wave_" + w), size), false);
    }
    if (!per_wave["series"].empty()) charts.push_back(per_wave);
  }
  if (ts.column("notified")) {
    Json pickup = b.chart("pickup", "Released by the rollout, picked up by the devices, updated", "devices", false);
    b.add_column(pickup, "released", "released", false);
    b.add_column(pickup, "picked up (notified)", "notified", false);
    b.add_column(pickup, "updated", "state_updated", false);
    charts.push_back(pickup);
  }

  Json transfers = b.chart("transfers", "Active downloads per region and CDN connections vs limit", "transfers", false);
  for (const std::string& r : ts.suffixes("active_transfers_"))
    b.add_column(transfers, r, "active_transfers_" + r, true);
  b.add_column(transfers, "all CDN connections", "cdn_connections", true);
  ChartBuilder::limit(transfers, "CDN max connections", lookup(s, "platform/cdn_max_connections"));
  charts.push_back(transfers);

  // In bits per second, as the scenario writes rates.
  Json egress = b.chart("egress", "CDN egress per region vs capacity", "bit/s", false);
  egress["format"] = "bits";
  for (const std::string& r : ts.suffixes("egress_bps_")) b.add_column(egress, r, "egress_bps_" + r, true);
  // The capacity follows outages and degradations (older results have only the nominal one).
  for (const Json& r : lookup(s, "platform/regions"))
    if (!b.limit_column(egress, r.value("region", "") + " capacity", "capacity_bps_" + r.value("region", "")))
      ChartBuilder::limit(egress, r.value("region", "") + " capacity", compact(r.value("capacity_bps", 0.0)));
  charts.push_back(egress);

  Json requests = b.chart("requests", "Update-service check-ins vs capacity", "requests/s", false);
  b.add_column(requests, "check-ins/s", "update_requests_per_s", true);
  if (const auto* throttled = ts.column("throttled"); throttled && ts.column("t_s")) {
    // Per-interval counts as rates, so they share the axis with the check-in rate.
    const std::vector<double>& t = *ts.column("t_s");
    std::vector<double> rate(throttled->size());
    for (size_t i = 0; i < rate.size(); ++i) {
      const double span = t[i] - (i ? t[i - 1] : 0.0);
      rate[i] = span > 0 ? (*throttled)[i] / span : 0.0;
    }
    b.add(requests, "throttled/s", rate, true);
  }
  if (!b.limit_column(requests, "update-service capacity", "update_capacity_per_s"))
    ChartBuilder::limit(requests, "update-service capacity", lookup(s, "platform/update_service_capacity_per_s"));
  charts.push_back(requests);

  Json failures = b.chart("failures", "Failures, rollbacks and bricks (cumulative)", "devices", false);
  b.add_column(failures, "failed for good (all types)", "failures", false);
  for (const char* st : {"download_failed", "install_failed", "rolled_back", "bricked", "timed_out", "reverted", "canceled"})
    b.add_column(failures, st, std::string("state_") + st, false);
  charts.push_back(failures);
  data["charts"] = charts;

  // Decisions taken at the same time share one mark, labelled with all their numbers.
  Json marks = Json::array();
  int n = 0;
  for (const Json& d : lookup(s, "rollout/decisions")) {
    std::string text = d.value("action", "");
    if (integer_value(d, "wave", -1) >= 0) text += " (wave " + text_of(lookup(d, "wave")) + ")";
    text += ": " + d.value("reason", "");
    const std::string number = std::to_string(++n);
    if (!marks.empty() && marks.back()["t"] == lookup(d, "t")) {
      marks.back()["n"] = marks.back()["n"].get<std::string>() + "," + number;
      marks.back()["text"] = marks.back()["text"].get<std::string>() + "; " + number + ". " + text;
    } else {
      marks.push_back({{"n", number}, {"t", lookup(d, "t")}, {"text", number + ". " + text}});
    }
  }
  data["marks"] = marks;
  Json bands = Json::array();
  if (sc)
    for (const TimeBand& band : time_bands(*sc))
      bands.push_back({{"kind", band.kind}, {"label", band.label}, {"from", compact(band.from_s)},
                       {"to", compact(band.to_s)}, {"lane", band.lane}});
  data["bands"] = bands;
  data["histogram"] = histogram_view(lookup(s, "update_duration_histogram"));
  return data;
}

namespace {

std::string table_row(const std::vector<std::string>& cells, const std::string& cls = "") {
  std::string out = cls.empty() ? "<tr>" : "<tr class=\"" + cls + "\">";
  for (const std::string& c : cells) out += "<td>" + xml_escape(c) + "</td>";
  return out + "</tr>\n";
}

std::string table_head(const std::vector<std::string>& cells) {
  std::string out = "<table>\n<tr>";
  for (const std::string& c : cells) out += "<th>" + xml_escape(c) + "</th>";
  return out + "</tr>\n";
}

std::string duration_text(const Json& t) {
  return t.is_number() ? units::format_duration(Seconds(t.get<double>())) : std::string("—");
}

// Release versus pickup: how many released devices polled and took their job, and how far the
// pickup curve trails the release curve (the time between the released count reaching a level
// and the picked-up count reaching it, to the sample interval). "" without the columns.
std::string pickup_html(const Timeseries& ts) {
  const std::vector<double>* t = ts.column("t_s");
  const std::vector<double>* released = ts.column("released");
  const std::vector<double>* notified = ts.column("notified");
  if (!t || !released || !notified || t->empty()) return "";
  const double r = released->back(), n = notified->back();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", r);
  std::string h = "<p>Released " + std::string(buf);
  std::snprintf(buf, sizeof buf, "%.0f (%.1f %%)", n, r > 0 ? 100.0 * n / r : 0.0);
  h += ", picked up " + std::string(buf);
  std::snprintf(buf, sizeof buf, "%.0f", r - n);
  h += ", not picked up by the end (waiting for their poll, or canceled first) " + std::string(buf) + ".";
  auto first_at = [&](const std::vector<double>& v, double level) -> std::optional<double> {
    for (size_t i = 0; i < v.size(); ++i)
      if (v[i] >= level) return (*t)[i];
    return std::nullopt;
  };
  for (const int q : {50, 90}) {
    const double level = std::ceil(r * q / 100.0);
    if (level <= 0) continue;
    const std::optional<double> tr = first_at(*released, level), tn = first_at(*notified, level);
    h += " Pickup lag at " + std::to_string(q) + " % of the released devices: " +
         (tr && tn ? units::format_duration(Seconds(*tn - *tr)) : std::string("not reached")) + ".";
  }
  return h + "</p>\n";
}

}  // namespace

const std::string& report_asset(const std::string& name) {
  const auto& files = report_asset_files();
  auto it = files.find(name);
  if (it == files.end()) throw std::logic_error("report asset " + name + " is not compiled in");
  return it->second;
}

std::string script_safe_json(const std::string& json) {
  std::string out;
  out.reserve(json.size());
  for (size_t i = 0; i < json.size(); ++i) {
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') {
      out += "<\\/";
      ++i;
    } else {
      out += json[i];
    }
  }
  return out;
}

std::string html_report(const RunReport& report) {
  const Json& s = report.summary;
  // The scenario as run gives the faults and windows to shade and the cohorts' sizes and regions.
  std::optional<Scenario> scenario;
  std::string scenario_problem;
  if (report.scenario.empty()) {
    scenario_problem = "the results directory has no scenario.json";
  } else {
    LoadResult loaded = load_scenario_text(report.scenario, "scenario.json");
    scenario = std::move(loaded.scenario);
    if (!scenario) scenario_problem = loaded.format("scenario.json");
  }
  const Json& sc = lookup(s, "scenario");
  const std::string name = sc.value("name", "");
  const std::vector<CheckResult> cases = run_test_cases(report);
  const int code = exit_code_for(cases);
  const std::string verdict = code == 0 ? "passed" : code == 1 ? "failed" : "error";

  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  h += "<title>fleetsim: " + xml_escape(name) + "</title>\n";
  h +=
      "<style>\n" + report_asset("uPlot.min.css") + "\n</style>\n<style>\n" + report_asset("report.css") + "</style>\n";
  h += "</head>\n<body>\n<header>\n<h1>" + xml_escape(name) + " <span class=\"verdict " + verdict + "\">" + verdict +
       "</span></h1>\n";
  const Json& dev = lookup(s, "devices");
  char pct[32];
  std::snprintf(pct, sizeof pct, "%.2f", 100.0 * dev.value("on_target_fraction", 0.0));
  h += "<p>Rollout <b>" + xml_escape(lookup(s, "rollout").value("state", "")) +
       "</b>: " + text_of(lookup(dev, "on_target")) + " of " + text_of(lookup(sc, "devices")) + " devices on " +
       xml_escape(sc.value("target_version", "")) + " (" + pct + " %). Seed " + text_of(lookup(sc, "seed")) + ", " +
       units::format_duration(Seconds(sc.value("duration_s", 0.0))) + " simulated from " +
       xml_escape(sc.value("start", "")) + " (times in UTC).</p>\n";
  if (dev.contains("held_back"))
    h += "<p>Not updating: " + text_of(lookup(dev, "excluded")) + " devices excluded by the rollout filter, " +
         text_of(lookup(dev, "held_back")) + " held back by the rollout (not released, or canceled).</p>\n";
  h += "<p>Time to on target:";
  for (const auto& [p, t] : lookup(s, "rollout/time_to_s").items())
    h += " " + xml_escape(p) + " " + duration_text(t) + ";";
  h += "</p>\n</header>\n";

  h += "<main>\n";
  if (const Json& warnings = lookup(s, "warnings"); !warnings.empty()) {
    h += "<section class=\"warnings\">\n<h2>Warnings</h2>\n<p>Valid input that is probably a mistake.</p>\n" +
         table_head({"Field", "Warning"});
    for (const Json& w : warnings) h += table_row({w.value("pointer", ""), w.value("message", "")}, "warning");
    h += "</table>\n</section>\n";
  }

  if (!scenario_problem.empty())
    h += "<p class=\"note\">Faults, maintenance windows and progress per cohort and region are not drawn: " +
         xml_escape(scenario_problem) + "</p>\n";
  h += "<section id=\"charts\">\n<noscript>The charts need JavaScript.</noscript>\n"
       "<div id=\"bands-legend\"></div>\n</section>\n";
  h += "<section>\n<h2>Release and pickup</h2>\n<p>Released: the rollout released the device's job. Picked up "
       "(notified): the device took it at its next poll, or at once over a push connection.</p>\n" +
       pickup_html(report.timeseries) + "</section>\n";
  h += "<section>\n<h2>Time to update</h2>\n<p>Pickup (notification) to running the target version, per "
       "device.</p>\n<div id=\"histogram\"></div>\n</section>\n";
  std::string group;
  for (const CheckResult& c : cases) {
    if (c.group != group) {
      if (!group.empty()) h += "</table>\n</section>\n";
      group = c.group;
      h += "<section>\n<h2>" + xml_escape(group) + "</h2>\n" + table_head({"", "Case", "Result", "Details"});
    }
    h += table_row({outcome_name(c.outcome), c.name, c.message, c.detail}, outcome_name(c.outcome));
  }
  if (!group.empty()) h += "</table>\n</section>\n";

  h += "<section>\n<h2>Controller decisions</h2>\n<p>Numbered as on the charts' time axes.</p>\n" +
       table_head({"#", "Simulated time", "Action", "Wave", "Reason"});
  int n = 0;
  for (const Json& d : lookup(s, "rollout/decisions"))
    h += table_row({std::to_string(++n), duration_text(lookup(d, "t")), d.value("action", ""),
                    text_of(lookup(d, "wave")), d.value("reason", "")});
  h += "</table>\n</section>\n";

  h +=
      "<section>\n<h2>Platform</h2>\n" + table_head({"Region", "Peak egress", "Capacity", "Peak concurrent transfers"});
  for (const Json& r : lookup(s, "platform/regions"))
    h += table_row({r.value("region", ""), units::format_rate(BytesPerSecond(r.value("peak_egress_bps", 0.0) / 8.0)),
                    units::format_rate(BytesPerSecond(r.value("capacity_bps", 0.0) / 8.0)),
                    text_of(lookup(r, "peak_concurrent_transfers"))});
  h += "</table>\n</section>\n";

  h += "<details>\n<summary>Scenario</summary>\n<pre>" +
       xml_escape(report.scenario.empty() ? "(no scenario.json in the results directory)" : report.scenario) +
       "</pre>\n</details>\n</main>\n";
  h += "<pre id=\"render-status\" hidden></pre>\n";
  h += "<script id=\"fleetsim-data\" type=\"application/json\">" + script_safe_json(chart_data(report, scenario ? &*scenario : nullptr).dump()) +
       "</script>\n";
  h += "<script>\n" + report_asset("uPlot.iife.min.js") + "\n</script>\n<script>\n" + report_asset("render_status.js") +
       "</script>\n<script>\n" + report_asset("chart_format.js") + "</script>\n<script>\n" +
       report_asset("decision_marks.js") + "</script>\n<script>\n" + report_asset("report.js") +
       "</script>\n</body>\n</html>\n";
  return h;
}

}  // namespace fleetsim
