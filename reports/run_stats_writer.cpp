#include <nlohmann/json.hpp>

#include "reports/result_writers.hpp"

namespace fleetsim {

std::string run_json(const RunStats& s) {
  nlohmann::ordered_json j;
  j["kernel"] = s.kernel;
  if (!s.network_model.empty()) j["network_model"] = s.network_model;
  j["devices"] = s.devices;
  j["wall_seconds"] = s.wall_seconds;
  j["events"] = s.events;
  j["events_per_second"] = s.events_per_second;
  j["peak_rss_bytes"] = s.peak_rss_bytes;
  j["bytes_per_device"] = s.bytes_per_device;
  j["host"] = s.host;
  j["fleetsim_version"] = s.version;
  j["fleetsim_revision"] = s.revision;
  if (!s.rank_events.empty()) {
    j["ranks"] = s.rank_events.size();
    nlohmann::ordered_json ranks = nlohmann::ordered_json::array();
    for (size_t r = 0; r < s.rank_events.size(); ++r)
      ranks.push_back({{"rank", r},
                       {"host", r < s.rank_hosts.size() ? s.rank_hosts[r] : ""},
                       {"devices", r < s.rank_devices.size() ? s.rank_devices[r] : 0},
                       {"events", s.rank_events[r]},
                       {"peak_rss_bytes", r < s.rank_peak_rss_bytes.size() ? s.rank_peak_rss_bytes[r] : 0}});
    j["rank_stats"] = ranks;
  }
  return j.dump(2) + "\n";
}

}  // namespace fleetsim
