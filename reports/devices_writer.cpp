#include <algorithm>
#include <cstdio>

#include "reports/result_writers.hpp"

namespace fleetsim {

namespace {
void append_time(std::string& out, double t) {
  if (t < 0) {
    out += ",";
    return;
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, ",%.6f", t);
  out += buf;
}
}  // namespace

const char* const kDevicesCsvHeader =
    "id,cohort,model,region,initial_version,final_version,released_s,notified_s,pickup_wait_s,download_start_s,"
    "download_end_s,installed_s,finished_s,bytes,attempts,outcome";

std::string devices_csv(const Results& r) {
  std::string out = std::string(kDevicesCsvHeader) + "\n";
  if (!r.traced) return out;
  out.reserve(out.size() + r.traces.size() * 96);
  size_t cohort = 0;
  for (size_t d = 0; d < r.traces.size(); ++d) {
    while (cohort + 1 < r.cohort_first.size() && int64_t(d) >= r.cohort_first[cohort + 1]) ++cohort;
    const DeviceTrace& t = r.traces[d];
    out += std::to_string(d) + "," + r.cohort_names[cohort] + "," + r.cohort_models[cohort] + "," +
           r.cohort_regions[cohort] + "," + r.versions[r.initial_version[d]] + "," + r.versions[r.final_version[d]];
    append_time(out, t.released);
    append_time(out, t.notified);
    append_time(out, t.released >= 0 && t.notified >= 0 ? t.notified - t.released : -1.0);
    append_time(out, t.download_start);
    append_time(out, t.download_end);
    append_time(out, t.installed);
    append_time(out, t.finished);
    out += "," + std::to_string(t.bytes) + "," + std::to_string(t.attempts) + ",";
    // A device the rollout never touched is already on the target, left out by the rollout
    // filter, or held back (not released).
    if (r.final_state[d] == DeviceState::Idle)
      out += r.initial_version[d] == r.target_index ? "already_on_target"
             : r.cohort_targeted[cohort]            ? "held_back"
                                                    : "excluded";
    else
      out += kDeviceStateNames[size_t(r.final_state[d])];
    out += "\n";
  }
  return out;
}

}  // namespace fleetsim
