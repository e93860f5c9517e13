// The typed scenario: what the loader produces from scenario JSON after validation, with all
// units converted. Nothing downstream sees JSON or unit strings.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "device-models/device_model.hpp"
#include "sim/core/quantity.hpp"
#include "sim/scenario/assertion_metrics.hpp"
#include "sim/scenario/hil_section.hpp"

namespace fleetsim {

struct TimeWindow {
  Seconds at{0};    // offset from scenario start
  Seconds length{0};
  Seconds end() const { return at + length; }
  bool contains(Seconds t) const { return t >= at && t < at + length; }
};

struct Degradation {
  TimeWindow window;
  double factor = 1.0;  // capacity multiplier during the window (0 = down)
};

constexpr int kMaxSites = 256;  // edge sites per region

struct Region {
  std::string name;
  Seconds rtt{0.05};
  BytesPerSecond backhaul{0};        // 0 = unlimited; the shared link is min(backhaul, CDN edge)
  std::vector<TimeWindow> outages;   // all links down
  std::vector<Degradation> degradations;  // backhaul × factor
  // CDN edge sites (points of presence) serving the region. Its devices (every cohort split
  // evenly by id) and its link capacity are divided evenly among them; each site is one shard
  // of an MPI run, so a large region can be spread over several ranks.
  int sites = 1;
};

struct Platform {
  std::map<std::string, BytesPerSecond> cdn_egress;  // region name -> edge egress capacity
  int64_t cdn_max_connections = 0;                   // 0 = unlimited
  PerSecond update_service_capacity{0};              // 0 = unlimited
  int64_t broker_max_connections = 0;                // 0 = unlimited
  PerSecond broker_connect_rate{0};                  // 0 = unlimited
};

struct Cohort {
  std::string name;
  std::string model;        // device model name (catalog or scenario-defined)
  int64_t count = 0;
  std::string region;
  std::string timezone = "UTC";  // IANA name
  std::vector<std::pair<std::string, double>> firmware;  // version -> share, shares sum to 1
  std::vector<std::string> tags;
};

// One build of the target for some device models: the full image and the deltas from the
// versions devices may run.
struct FirmwareImage {
  Bytes size{0};
  std::map<std::string, Bytes> delta;          // source version -> delta image size
  std::optional<double> boot_failure;          // nullopt: Firmware's boot failure for the model
};

struct Firmware {
  std::string target;
  // The image of every model without one in `images` (size 0 when every model in the fleet has
  // its own: the loader makes sure every cohort's model resolves to an image with a size).
  FirmwareImage image;
  std::map<std::string, FirmwareImage> images;  // device model -> its own image
  double boot_failure = 0.0;                   // default for all models
  std::map<std::string, double> boot_failure_by_model;

  const FirmwareImage& image_of(const std::string& model) const {
    auto it = images.find(model);
    return it == images.end() ? image : it->second;
  }
  // The target's boot-failure share on `model`: its image's, else the per-model value, else the
  // default (the loader refuses a model given both an image's and a per-model value).
  double boot_failure_of(const std::string& model) const {
    if (auto b = image_of(model).boot_failure) return *b;
    auto it = boot_failure_by_model.find(model);
    return it == boot_failure_by_model.end() ? boot_failure : it->second;
  }
};

// What a gate or an abort criterion does when it fires. With AWS IoT Jobs semantics an abort
// (CancelJob) cancels the queued executions — released devices that have not picked the job up —
// and lets those in progress finish; the "-force" variants (CancelJob with force) cancel those in
// progress too, except a device already installing, which runs to its end. A rollback does the
// same and then sends every updated device back.
enum class GateAction : uint8_t { Pause, Abort, AbortForce, Rollback, RollbackForce };

// The actions as written in a scenario, in enum order.
inline constexpr std::array<const char*, 5> kGateActionNames = {"pause", "abort", "abort-force", "rollback",
                                                                "rollback-force"};
constexpr bool cancels_in_progress(GateAction a) {
  return a == GateAction::AbortForce || a == GateAction::RollbackForce;
}
enum class FailureType : uint8_t { Any, Failed, TimedOut, Bricked, RolledBack };
enum class Strategy : uint8_t { AllAtOnce, Waves };
enum class Order : uint8_t { Random, Cohort, Region };

struct Gate {
  std::optional<double> min_success;   // success condition: succeeded / wave size ≥ this
  std::optional<double> max_failure;   // error condition: failed / wave size > this (strict)
  GateAction action = GateAction::Pause;
};

struct Wave {
  std::optional<int64_t> devices;      // this wave's own size, or
  std::optional<double> percent;       // cumulative share of eligible devices after this wave
  Seconds soak{0};
  std::optional<Gate> gate;            // overrides rollout.gates
};

struct AbortCriterion {
  FailureType failure = FailureType::Any;
  double threshold = 1.0;              // fires when failures / executed > threshold
  int64_t min_executed = 1;
  GateAction action = GateAction::Abort;
};

struct ExponentialRate {
  double base_per_minute = 0;
  double increment_factor = 1;
  int64_t after_notified = 0;          // exactly one of these two is > 0
  int64_t after_succeeded = 0;
  double max_per_minute = 0;           // 0 = no cap
};

struct MaintenanceWindow {
  int start_minute = 0;  // minutes after local midnight
  int end_minute = 0;    // may be < start_minute (window crosses midnight)
};

struct Retries {
  int max = 0;
  FailureType failure = FailureType::Any;
};

struct Rollout {
  Strategy strategy = Strategy::AllAtOnce;
  std::vector<Wave> waves;
  Order order = Order::Random;
  std::vector<std::string> filter_tags;     // only cohorts carrying all of these tags
  std::vector<std::string> filter_cohorts;  // only these cohorts (empty = all)
  Seconds start{0};
  Seconds tick{60};
  int64_t max_concurrent = 0;               // 0 = unlimited
  double max_per_minute = 0;                // 0 = unlimited
  std::optional<ExponentialRate> rate;
  Gate gates;
  std::vector<AbortCriterion> abort;
  std::optional<MaintenanceWindow> maintenance_window;
  Seconds execution_timeout{0};             // 0 = none
  Retries retries;
};

enum class FaultKind : uint8_t {
  RegionOutage,
  CdnDegradation,
  UpdateServiceBrownout,
  BadBuild,
  CorruptArtifact,
  PowerLoss,
};

struct Fault {
  FaultKind kind = FaultKind::RegionOutage;
  std::string region;          // empty = all regions (where the kind allows it)
  std::string cohort;          // PowerLoss: empty = all cohorts
  TimeWindow window;           // PowerLoss and BadBuild use window.at only
  double factor = 0.0;         // CdnDegradation / Brownout capacity multiplier
  double fraction = 1.0;       // PowerLoss: share of devices in scope that lose power
  double boot_failure = 0.0;   // BadBuild
  std::vector<std::string> models;  // BadBuild: models affected (empty = all)
};

enum class CompareOp : uint8_t { Ge, Gt, Le, Lt, Eq, Ne };

struct Assertion {
  AssertionMetric metric = AssertionMetric::FleetOnTargetFraction;  // resolved from its name by the loader
  std::optional<Seconds> at;   // nullopt = end of run
  CompareOp op = CompareOp::Ge;
  std::optional<double> number;
  std::optional<std::string> text;  // for string metrics such as rollout.state
  std::string written;         // the value as written ("2h30m", "1Gbps", 0.95): how reports show it
  std::string pointer;         // JSON pointer of this assertion in the scenario, for reports
};

struct OutputOptions {
  Seconds sample_interval{60};
};

// Settings of the kernels (sim/kernel/kernel.hpp). They never change the model, only how a kernel
// computes it.
struct KernelOptions {
  std::string simgrid_network_model = "max-min";  // see sim/kernel/simgrid/simgrid_kernel.hpp
};

struct Scenario {
  std::string file;            // path it was loaded from (for messages)
  std::string name;
  uint64_t seed = 1;
  int64_t start_unix = 0;      // UTC seconds of simulated t = 0
  std::string start_text;      // as written, ISO 8601
  Seconds duration{86400};
  std::vector<Region> regions;                     // in file order
  Platform platform;
  std::vector<Cohort> cohorts;                     // in file order; device ids are dense by cohort
  std::map<std::string, DeviceModel> models;       // every model a cohort uses, resolved
  Firmware firmware;
  Rollout rollout;
  std::vector<Fault> faults;
  std::vector<Assertion> assertions;
  OutputOptions output;
  KernelOptions kernel;
  std::string document;        // the scenario JSON after --set overrides (written as scenario.json)
  std::optional<HilBinding> hil;

  int64_t device_count() const {
    int64_t n = 0;
    for (const auto& c : cohorts) n += c.count;
    return n;
  }
  int region_index(const std::string& name) const {
    for (size_t i = 0; i < regions.size(); ++i)
      if (regions[i].name == name) return int(i);
    return -1;
  }
};

}  // namespace fleetsim
