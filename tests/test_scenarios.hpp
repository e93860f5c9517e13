// Shared helpers for whole-World tests: a minimal scenario document whose timing is exact, and a
// runner that loads it (load_scenario_text) and runs a World on the NativeKernel.
//
// The default document (minimal_scenario()) is one region "r" with rtt 2 s and 1 GB/s of CDN
// egress (so the shared link never binds), one cohort "c" of `count` devices of the
// scenario-defined model "m" on version "1.0", target "2.0" of 10000 B, an all-at-once rollout
// and a 1 h run. Model "m": A/B storage, fixed downlink 1000 B/s, fixed device rtt 1 s, push
// notification, phases verify 5 s / install 7 s / reboot 11 s / health check 13 s, no random
// failures, retry max_attempts 3, backoff_base 10 s, backoff_cap 1 h, jitter 0.
//
// Its single-device timeline, from MODEL.md's lifecycle semantics:
//   release at the first controller tick, t = 0;
//   notified       = 0 + region rtt / 2                 = 1 s
//   download_start = notified                           = 1 s
//   bytes flow after device rtt + region rtt = 1 + 2    → from 4 s
//   download_end   = 4 + 10000 B / 1000 B/s             = 14 s
//   installed      = 14 + verify 5 + install 7          = 26 s
//   finished       = 26 + reboot 11 + health check 13   = 50 s
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "reports/result_writers.hpp"
#include "sim/results/results.hpp"
#include "sim/kernel/native/native_kernel.hpp"
#include "sim/scenario/assertion_metrics.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/model/world.hpp"

namespace fleetsim::testing {

using Doc = nlohmann::ordered_json;

// Times of the default single-device timeline (see the header comment).
constexpr double kNotified = 1, kDownloadStart = 1, kDownloadEnd = 14, kInstalled = 26, kFinished = 50;

inline Doc minimal_model() {
  return Doc::parse(R"({
    "link": {"type": "wifi", "downlink": "1000B/s", "rtt": "1s"},
    "storage": {"layout": "ab"},
    "phases": {"verify": "5s", "install": "7s", "reboot": "11s", "health_check": "13s"},
    "behaviour": {"notification": "push",
                  "retry": {"max_attempts": 3, "backoff_base": "10s", "backoff_cap": "1h", "jitter": 0}}
  })");
}

inline Doc minimal_scenario(int64_t count = 1) {
  Doc doc = Doc::parse(R"({
    "name": "test",
    "seed": 1,
    "duration": "1h",
    "regions": {"r": {"rtt": "2s"}},
    "platform": {"cdn": {"regions": {"r": {"egress": "1GB/s"}}}},
    "fleet": {"cohorts": [{"name": "c", "model": "m", "count": 1, "region": "r", "firmware": {"1.0": 1}}]},
    "firmware": {"target": "2.0", "size": "10000B"},
    "rollout": {"strategy": "all-at-once"}
  })");
  doc["device_models"]["m"] = minimal_model();
  doc["fleet"]["cohorts"][0]["count"] = count;
  return doc;
}

// Adds a cohort of `count` devices of `model` in `region` starting on `version`.
inline void add_cohort(Doc& doc, const std::string& name, const std::string& model, int64_t count,
                       const std::string& version = "1.0", const std::string& region = "r") {
  Doc c;
  c["name"] = name;
  c["model"] = model;
  c["count"] = count;
  c["region"] = region;
  c["firmware"][version] = 1;
  doc["fleet"]["cohorts"].push_back(c);
}

// A loaded scenario, its kernel and its World after run(), and the Results.
struct Run {
  Scenario scenario;
  NativeKernel kernel;
  std::unique_ptr<World> world;
  Results results;

  const DeviceTrace& trace(size_t d) const { return results.traces.at(d); }
  DeviceState state(uint32_t d) const { return world->device(d).state; }
  int64_t count(DeviceState s) const { return results.final_states[size_t(s)]; }
  // The metric's value now, -1 when it has none.
  double metric(const std::string& name) const {
    const std::optional<AssertionMetric> m = find_assertion_metric(name);
    INFO("metric " << name);
    REQUIRE(m);  // a misspelt name is the test's own bug
    return world->metric_number(*m).value_or(-1.0);
  }
};

inline std::unique_ptr<Run> run_scenario(const Doc& doc, bool trace = true) {
  LoadResult loaded = load_scenario_text(doc.dump(), "test.json");
  INFO(loaded.format("test.json"));
  REQUIRE(loaded.problems.empty());
  REQUIRE(loaded.scenario);
  auto run = std::make_unique<Run>();
  run->scenario = std::move(*loaded.scenario);
  run->world = std::make_unique<World>(run->scenario, run->kernel, WorldOptions{trace});
  run->world->run();
  run->results = run->world->results();
  return run;
}

}  // namespace fleetsim::testing
