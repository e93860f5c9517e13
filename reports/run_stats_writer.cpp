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
  return j.dump(2) + "\n";
}

}  // namespace fleetsim
