#include "reports/time_bands.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "sim/core/units.hpp"
#include "sim/scenario/local_time.hpp"

namespace fleetsim {

namespace {

std::string span_text(const TimeWindow& w) {
  return units::format_duration(w.at) + "–" + units::format_duration(w.end());
}

std::string factor_text(double factor) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g %%", 100.0 * factor);
  return std::string(buf) + " of capacity";
}

std::string clock_text(int minute) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", minute / 60, minute % 60);
  return buf;
}

}  // namespace

std::vector<TimeBand> time_bands(const Scenario& s) {
  std::vector<TimeBand> bands;
  const double end = s.duration.value;
  auto add = [&](std::string kind, std::string label, const TimeWindow& w) {
    const double from = std::clamp(w.at.value, 0.0, end), to = std::clamp(w.end().value, 0.0, end);
    if (w.at.value > end) return;  // after the run: nothing to draw
    bands.push_back({std::move(kind), std::move(label), from, to, -1});
  };
  for (const Region& r : s.regions) {
    for (const TimeWindow& w : r.outages) add("outage", r.name + " outage " + span_text(w), w);
    for (const Degradation& d : r.degradations)
      add("degradation", r.name + " backhaul degraded to " + factor_text(d.factor) + " " + span_text(d.window),
          d.window);
  }
  for (const Fault& f : s.faults) {
    const std::string where = f.region.empty() ? "all regions" : f.region;
    switch (f.kind) {
      case FaultKind::RegionOutage: add("outage", where + " outage " + span_text(f.window), f.window); break;
      case FaultKind::CdnDegradation:
        add("degradation", "CDN " + where + " degraded to " + factor_text(f.factor) + " " + span_text(f.window),
            f.window);
        break;
      case FaultKind::UpdateServiceBrownout:
        add("brownout", "update-service brownout to " + factor_text(f.factor) + " " + span_text(f.window), f.window);
        break;
      case FaultKind::CorruptArtifact:
        add("corrupt_artifact", "corrupt artifact on the CDN (" + where + ") " + span_text(f.window), f.window);
        break;
      case FaultKind::BadBuild:
        add("bad_build", "bad build from " + units::format_duration(f.window.at), TimeWindow{f.window.at, Seconds(0)});
        break;
      case FaultKind::PowerLoss:
        add("power_loss",
            "power loss (" + (f.cohort.empty() ? std::string("all cohorts") : f.cohort) + ") at " +
                units::format_duration(f.window.at),
            TimeWindow{f.window.at, Seconds(0)});
        break;
    }
  }
  if (!s.rollout.maintenance_window) return bands;
  const MaintenanceWindow& mw = *s.rollout.maintenance_window;
  // One lane per time zone, named with its cohorts.
  std::vector<std::pair<std::string, std::string>> zones;  // zone, cohorts
  for (const Cohort& c : s.cohorts) {
    auto it = std::find_if(zones.begin(), zones.end(), [&](const auto& z) { return z.first == c.timezone; });
    if (it == zones.end())
      zones.push_back({c.timezone, c.name});
    else
      it->second += ", " + c.name;
  }
  const int64_t first = s.start_unix, last = s.start_unix + int64_t(std::ceil(end));
  for (size_t z = 0; z < zones.size(); ++z) {
    const auto clock = CohortClock::for_zone(zones[z].first);
    if (!clock) continue;  // the loader rejects unknown zones
    const std::string label = "maintenance window " + clock_text(mw.start_minute) + "-" + clock_text(mw.end_minute) +
                              " " + zones[z].first + " (" + zones[z].second + ")";
    auto push = [&](int64_t from, int64_t to) {
      bands.push_back({"maintenance", label, double(from - first), std::min(end, double(to - first)), int(z)});
    };
    // Local time of day changes only at whole UTC minutes (zone offsets are whole minutes).
    bool open = clock->in_window(mw, first);
    int64_t from = first;
    for (int64_t t = (first / 60 + 1) * 60; t < last; t += 60) {
      const bool now_open = clock->in_window(mw, t);
      if (now_open == open) continue;
      if (open) push(from, t);
      from = t;
      open = now_open;
    }
    if (open) push(from, last);
  }
  return bands;
}

}  // namespace fleetsim
