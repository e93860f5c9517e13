#include "reports/openmetrics_writer.hpp"

#include <cstdio>
#include <functional>

#include "reports/metric_names.hpp"

namespace fleetsim {

namespace {

struct Series {
  std::string labels;  // `{k="v"}` or ""
  std::function<double(size_t row)> value;
};

class Writer {
 public:
  Writer(const Timeseries& ts, double start_unix) : ts_(ts), start_(start_unix) {
    if (const auto* t = ts.column("t_s")) t_ = t;
  }

  // One metric family; `type` is gauge or counter (the samples of a counter are NAME_total).
  void family(const metric::Name& m, const char* type, const std::vector<Series>& series) {
    if (series.empty() || !t_) return;
    const std::string name = m.name;
    out += "# TYPE " + name + " " + type + "\n# HELP " + name + " " + m.help + "\n";
    const std::string sample = std::string(type) == "counter" ? name + "_total" : name;
    char buf[96];
    for (const Series& s : series)
      for (size_t row = 0; row < t_->size(); ++row) {
        std::snprintf(buf, sizeof buf, " %.10g %.3f\n", s.value(row), start_ + (*t_)[row]);
        out += sample + s.labels + buf;
      }
  }

  Series column(const std::string& name, const std::string& labels, double scale = 1.0) const {
    const std::vector<double>* c = ts_.column(name);
    return {labels, [c, scale](size_t row) { return (*c)[row] * scale; }};
  }

  // A counter from per-interval amounts: the running sum of `per_row(row)`.
  Series running_sum(const std::string& labels, std::function<double(size_t)> per_row) const {
    std::vector<double> sums(ts_.rows());
    double total = 0;
    for (size_t row = 0; row < sums.size(); ++row) sums[row] = total += per_row(row);
    return {labels, [sums = std::move(sums)](size_t row) { return sums[row]; }};
  }

  std::string out;

 private:
  const Timeseries& ts_;
  double start_;
  const std::vector<double>* t_ = nullptr;
};

std::string label(const std::string& key, const std::string& value) {
  return "{" + key + "=\"" + label_escape(value) + "\"}";
}

}  // namespace

std::string label_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string openmetrics_text(const RunReport& report) {
  const Timeseries& ts = report.timeseries;
  const auto& summary = report.summary;
  Writer w(ts, lookup(summary, "scenario").value("start_unix", 0.0));

  std::vector<Series> states, versions, transfers, egress, capacity;
  for (const std::string& s : ts.suffixes("state_")) states.push_back(w.column("state_" + s, label("state", s)));
  for (const std::string& v : ts.suffixes("version_"))
    versions.push_back(w.column("version_" + v, label("version", v)));
  for (const std::string& r : ts.suffixes("active_transfers_"))
    transfers.push_back(w.column("active_transfers_" + r, label("region", r)));
  for (const std::string& r : ts.suffixes("egress_bps_"))
    egress.push_back(w.column("egress_bps_" + r, label("region", r), 1.0 / 8.0));
  for (const auto& r : lookup(summary, "platform/regions")) {
    const double bytes_per_s = r.value("capacity_bps", 0.0) / 8.0;
    capacity.push_back({label("region", r.value("region", "")), [bytes_per_s](size_t) { return bytes_per_s; }});
  }
  w.family(metric::kDevicesInState, "gauge", states);
  w.family(metric::kDevicesOnVersion, "gauge", versions);
  w.family(metric::kActiveTransfers, "gauge", transfers);
  w.family(metric::kEgress, "gauge", egress);
  w.family(metric::kEgressCapacity, "gauge", capacity);
  if (ts.column("cdn_connections")) w.family(metric::kCdnConnections, "gauge", {w.column("cdn_connections", "")});
  if (const auto& limit = lookup(summary, "platform/cdn_max_connections"); limit.is_number()) {
    const double v = limit.get<double>();
    w.family(metric::kCdnMaxConnections, "gauge", {{"", [v](size_t) { return v; }}});
  }
  if (const auto* rate = ts.column("update_requests_per_s")) {
    const auto* t = ts.column("t_s");
    // Each row's rate is its interval's check-ins divided by the interval, which starts at the
    // previous row (or at t = 0).
    w.family(metric::kUpdateRequests, "counter", {w.running_sum("", [rate, t](size_t row) {
               return (*rate)[row] * ((*t)[row] - (row ? (*t)[row - 1] : 0.0));
             })});
  }
  if (const auto& cap = lookup(summary, "platform/update_service_capacity_per_s"); cap.is_number()) {
    const double v = cap.get<double>();
    w.family(metric::kUpdateCapacity, "gauge", {{"", [v](size_t) { return v; }}});
  }
  if (const auto* c = ts.column("throttled"))
    w.family(metric::kThrottled, "counter", {w.running_sum("", [c](size_t row) { return (*c)[row]; })});
  if (const auto* c = ts.column("refused"))
    w.family(metric::kRefused, "counter", {w.running_sum("", [c](size_t row) { return (*c)[row]; })});
  if (ts.column("released")) w.family(metric::kReleased, "gauge", {w.column("released", "")});
  if (ts.column("failures")) w.family(metric::kFailed, "gauge", {w.column("failures", "")});
  if (ts.column("wave")) w.family(metric::kWave, "gauge", {w.column("wave", "")});
  std::vector<Series> rollout;
  for (const char* state : kRolloutStates)
    rollout.push_back(
        {label("state", state), [&ts, state](size_t row) { return ts.rollout_state[row] == state ? 1.0 : 0.0; }});
  w.family(metric::kRolloutState, "gauge", rollout);
  return w.out + "# EOF\n";
}

}  // namespace fleetsim
