#include <nlohmann/json.hpp>

#include "reports/result_writers.hpp"

namespace fleetsim {

namespace {
using ordered = nlohmann::ordered_json;

ordered optional_time(const std::optional<Seconds>& t) { return t ? ordered(t->value) : ordered(nullptr); }
}  // namespace

std::string summary_json(const Results& r) {
  ordered j;
  j["scenario"] = {{"name", r.scenario_name}, {"seed", r.seed}, {"start", r.start}, {"start_unix", r.start_unix}, {"duration_s", r.duration},
                   {"devices", r.devices}, {"eligible", r.eligible}, {"target_version", r.target_version}};

  ordered decisions = ordered::array();
  for (const Decision& d : r.decisions)
    decisions.push_back({{"t", d.at.value}, {"action", d.action}, {"wave", d.wave}, {"reason", d.reason}});
  ordered waves = ordered::array();
  for (size_t w = 0; w < r.waves.size(); ++w) {
    const WaveOutcome& o = r.waves[w];
    const WaveTally t = w < r.wave_tallies.size() ? r.wave_tallies[w] : WaveTally{};
    waves.push_back({{"wave", w}, {"size", o.size}, {"result", o.result}, {"started_t", optional_time(o.started)},
                     {"released_t", optional_time(o.released)}, {"success_t", optional_time(o.succeeded)},
                     {"passed_t", optional_time(o.passed)}, {"released", t.released},
                     {"succeeded", t.succeeded}, {"failed", t.failed}});
    if (t.withdrawn > 0) waves.back()["withdrawn"] = t.withdrawn;  // only HIL runs with a lost board
  }
  ordered time_to;
  for (const auto& [pct, t] : r.time_to)
    time_to["p" + std::to_string(pct)] = t ? ordered(*t) : ordered(nullptr);
  j["rollout"] = {{"state", r.rollout_state}, {"decisions", decisions}, {"waves", waves}, {"time_to_s", time_to}};

  ordered states;
  for (int s = 0; s < kDeviceStateCount; ++s) states[kDeviceStateNames[size_t(s)]] = r.final_states[size_t(s)];
  ordered versions;
  for (size_t v = 0; v < r.versions.size(); ++v) versions[r.versions[v]] = r.final_versions[v];
  j["devices"] = {{"by_state", states}, {"by_version", versions}, {"on_target", r.on_target},
                  {"on_target_fraction", r.devices ? double(r.on_target) / double(r.devices) : 0.0},
                  {"excluded", r.excluded}, {"held_back", r.held_back},
                  {"corrupt_downloads", r.corrupt_downloads}};

  ordered regions = ordered::array();
  for (const RegionResult& g : r.regions)
    regions.push_back({{"region", g.name}, {"capacity_bps", g.capacity_bps}, {"peak_egress_bps", g.peak_egress_bps},
                       {"peak_concurrent_transfers", g.peak_concurrent}});
  // Limits are null when unlimited.
  j["platform"] = {{"regions", regions},
                   {"cdn_max_connections", r.cdn_max_connections > 0 ? ordered(r.cdn_max_connections) : ordered()},
                   {"update_service_capacity_per_s",
                    r.update_service_capacity > 0 ? ordered(r.update_service_capacity) : ordered()},
                   {"refused_connections", r.refused_connections},
                   {"throttled_requests", r.throttled_requests}, {"broker_refused_connects", r.broker_refused}};
  j["bytes"] = {{"delivered", r.bytes_delivered}, {"retransmitted", r.bytes_retransmitted}};
  // Per device model of the fleet; their bytes_delivered add up to bytes.delivered (to rounding).
  ordered models = ordered::object();
  for (const ModelResult& m : r.models)
    models[m.model] = {{"devices", m.devices}, {"image_bytes", m.image_bytes}, {"bytes_delivered", m.bytes_delivered}};
  j["models"] = models;
  j["exposure"] = {{"device_hours_on_old_version", r.exposure_device_hours_old}};
  j["update_duration_histogram"] = {{"bin_s", r.histogram_bin}, {"counts", r.update_duration_histogram}};

  ordered assertions = ordered::array();
  bool all = true;
  for (const AssertionResult& a : r.assertions) {
    all = all && a.passed;
    assertions.push_back({{"metric", a.metric}, {"at", a.at}, {"op", a.op}, {"expected", a.expected},
                          {"actual", a.actual}, {"passed", a.passed}, {"pointer", a.pointer}});
  }
  j["assertions"] = {{"passed", all}, {"results", assertions}};
  ordered warnings = ordered::array();
  for (const Problem& w : r.warnings) warnings.push_back({{"pointer", w.pointer}, {"message", w.message}});
  j["warnings"] = warnings;
  return j.dump(2) + "\n";
}

}  // namespace fleetsim
