#include "reports/summary_deltas.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

#include "reports/run_report.hpp"
#include "reports/summary_metrics.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

// Per region, from summary.json's platform/regions entries.
const std::vector<std::pair<AssertionMetric, const char*>> kRegionFields = {
    {AssertionMetric::PlatformPeakEgressBps, "peak_egress_bps"},
    {AssertionMetric::PlatformPeakConcurrentTransfers, "peak_concurrent_transfers"},
};

std::string shown(AssertionMetric m, const Json& v) {
  if (v.is_number()) return format_metric_value(m, v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "—";
  return v.dump();
}

SummaryDelta row(std::string name, AssertionMetric m, const Json& a, const Json& b) {
  SummaryDelta d{std::move(name), m, a, b, std::nullopt, std::nullopt, shown(m, a), shown(m, b), "—", "—"};
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    d.delta = y - x;
    d.delta_text = *d.delta == 0 ? "0" : (*d.delta > 0 ? "+" : "-") + format_metric_value(m, std::fabs(*d.delta));
    if (x != 0) {
      d.change = (y - x) / std::fabs(x);
      char buf[32];
      // Three significant digits: a small change stays visible ("-0.00123 %").
      std::snprintf(buf, sizeof buf, *d.delta == 0 ? "0 %%" : "%+.3g %%", 100 * *d.change);
      d.change_text = buf;
    }
  } else if (a != b) {
    d.delta_text = "changed";
  }
  return d;
}

const Json& region(const Json& summary, const std::string& name) {
  static const Json none;
  for (const Json& r : lookup(summary, "platform/regions"))
    if (r.is_object() && r.contains("region") && r["region"] == name) return r;
  return none;
}

}  // namespace

std::vector<SummaryDelta> summary_deltas(const Json& summary_a, const Json& summary_b) {
  std::vector<SummaryDelta> rows;
  for (const AssertionMetricInfo& m : kAssertionMetrics)
    if (summary_records(m.id))
      rows.push_back(row(std::string(m.name), m.id, summary_metric_value(summary_a, m.id),
                         summary_metric_value(summary_b, m.id)));
  std::vector<std::string> regions;
  for (const Json* s : {&summary_a, &summary_b})
    for (const Json& r : lookup(*s, "platform/regions"))
      if (r.is_object() && r.contains("region") && r["region"].is_string()) {
        const std::string name = r["region"].get<std::string>();
        if (std::find(regions.begin(), regions.end(), name) == regions.end()) regions.push_back(name);
      }
  for (const auto& [m, field] : kRegionFields)
    for (const std::string& name : regions)
      rows.push_back(row(std::string(metric_info(m).name) + " " + name, m, lookup(region(summary_a, name), field),
                         lookup(region(summary_b, name), field)));
  return rows;
}

}  // namespace fleetsim
