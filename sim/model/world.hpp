// The World is the model: a fleet of devices (packed records in one array), the platform
// services they talk to, the faults, the rollout controller, and the observers that produce
// Results. It talks to time and the network only through the Kernel interface, so the same World
// runs on the native kernel and on SimGrid.
//
// Epoch coupling (README "Region shards (MPI)"): the controller reads a FleetTally each tick and its
// decisions take effect at that tick, which is the seam region shards exchange state at.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/results/results.hpp"
#include "device-models/device_lifecycle.hpp"
#include "device-models/device_state.hpp"
#include "sim/model/epoch_quota.hpp"
#include "sim/model/external_devices.hpp"
#include "sim/kernel/kernel.hpp"
#include "sim/scenario/local_time.hpp"
#include "sim/core/random_stream.hpp"
#include "sim/model/rate_limited_service.hpp"
#include "sim/rollout/rollout_controller.hpp"
#include "sim/rollout/rollout_order.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/shard/shard_comm.hpp"

namespace fleetsim {

struct WorldOptions {
  bool trace_devices = false;
  // The ranks of a sharded run (nullptr: this process simulates the whole fleet). Every rank
  // builds the same World; each simulates the devices of the regions region_ranks() gives it.
  ShardComm* comm = nullptr;
};

// Which rank simulates each shard (an edge site of a region): shards by device count, largest
// first, each to the rank with the fewest devices so far (ties to the lower rank).
std::vector<int> assign_shards_to_ranks(const std::vector<int64_t>& devices_per_shard, int ranks);

// A run of consecutive device ids.
struct DeviceRange {
  uint32_t first;
  uint32_t count;
};

class World final : public KernelClient, public SampleSource {
 public:
  World(const Scenario& scenario, Kernel& kernel, WorldOptions options = {});
  ~World() override;

  // Hands the devices `external` owns to it instead of simulating their updates (HIL).
  void attach_external(ExternalDevices* external) { external_ = external; }
  // The devices the rollout will release in `wave`, in release order, at most `limit` (for
  // binding HIL boards to device slots before the run).
  std::vector<uint32_t> planned_wave_members(int wave, int64_t limit) const;

  // Runs the whole scenario. `progress(simulated_seconds)` is called between chunks (1/200 of the
  // duration each). When `stop()` turns true between chunks the run ends there, without final
  // results, and returns false (fleetsim run on SIGINT/SIGTERM; not in a sharded run).
  bool run(const std::function<void(double)>& progress = {}, const std::function<bool()>& stop = {});
  // The fleet's results. Collective in a sharded run: every rank calls it, and only rank 0's
  // copy has the per-device traces (gathered in device order).
  Results results();

  // Kernel callbacks.
  void on_timer(EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux) override;
  void on_transfer_complete(EntityId owner, TransferId id, Bytes size) override;
  void prefetch(EntityId owner) override {
    if (owner < lifecycle_.size()) __builtin_prefetch(&lifecycle_.device(owner));
  }

  // Introspection for tests (counts are this rank's devices; the whole fleet in one process).
  const Device& device(uint32_t id) const { return lifecycle_.device(id); }
  int64_t count(DeviceState s) const { return state_counts_[size_t(s)]; }
  // Whether this rank simulates device `d`; how many devices it simulates.
  bool owns(uint32_t d) const { return owns(d, cohort_of(d)); }
  int64_t owned_devices() const {
    int64_t n = 0;
    for (const DeviceRange& r : owned_ranges_) n += r.count;
    return n;
  }
  // The shard (edge site) a device belongs to; shards are numbered region by region.
  uint32_t shard_of(uint32_t d) const { return shard_of(d, cohort_of(d)); }
  const RolloutController& controller() const { return *controller_; }
  int64_t device_count() const { return device_count_; }
  uint32_t cohort_of(uint32_t device) const;
  int64_t eligible() const { return eligible_; }
  const std::vector<std::string>& versions() const override { return versions_; }
  // The time-series samples taken so far (the live metrics endpoint reads the newest).
  const std::vector<TimeseriesRow>& samples() const override { return rows_; }
  // Value of a named metric now (nullopt: no value yet), or its text for string metrics.
  // Collective in a sharded run (it reads fleet-wide counters).
  std::optional<double> metric_number(AssertionMetric m);
  std::string metric_text(AssertionMetric m) const;

  // Fleet services: what a device's lifecycle asks of the platform and reports to it
  // (FleetServices in device-models/device_lifecycle.hpp).
  DeviceSite site(uint32_t d) const;
  Seconds now() const { return kernel_.now(); }
  uint64_t seed() const { return scenario_.seed; }
  Seconds region_rtt(uint32_t region) const { return scenario_.regions[region].rtt; }
  bool region_offline(uint32_t region) const { return region_down_[region] > 0; }
  bool artifact_corrupt(uint32_t region) const { return corrupt_window_[region] != 0; }
  Bytes image_size(uint32_t d) const;
  uint16_t target_version() const { return target_version_; }
  double boot_failure(uint32_t d, Seconds now) const;
  Seconds execution_timeout() const { return scenario_.rollout.execution_timeout; }
  bool admit_reconnect(uint32_t shard);
  bool admit_check_in(uint32_t shard);
  bool admit_connection(uint32_t shard);
  void open_connection(uint32_t shard);
  void close_connection(uint32_t shard);
  TransferId start_transfer(uint32_t shard, uint32_t d, Bytes size, BytesPerSecond cap, Seconds latency) {
    return kernel_.start_transfer(shard_link_[shard], d, size, cap, latency);
  }
  Bytes cancel_transfer(TransferId id) { return kernel_.cancel_transfer(id); }
  void schedule(Seconds at, uint32_t d, uint16_t kind, uint32_t tag, uint16_t aux) {
    kernel_.schedule(at, d, kind, tag, aux);
  }
  bool board_owns(uint32_t d) const { return external_ && external_->owns(d); }
  void start_board_update(uint32_t d, Seconds now) { external_->start_update(d, now); }
  void state_changed(DeviceState from, DeviceState to) {
    --state_counts_[size_t(from)];
    ++state_counts_[size_t(to)];
  }
  void notified(uint32_t d, Seconds now);
  void attempted(uint32_t d);
  void download_started(uint32_t d, Seconds now);
  void delivered(uint32_t shard, uint32_t d, Bytes bytes);
  void download_completed(uint32_t d, Seconds now);
  void retransmitted(uint32_t shard, Bytes bytes) { bytes_retransmitted_[shard] += bytes.value; }
  void corrupt_download() { ++corrupt_downloads_; }
  void installed(uint32_t d, Seconds now);
  void finished(uint32_t d, DeviceState terminal, uint16_t previous_version);
  void withdrawn(uint32_t d);

 private:
  // Per-cohort constants resolved once.
  struct CohortInfo {
    const DeviceModel* model;
    int region;
    int64_t first;
    int64_t count;
    uint32_t fleet_model;  // index into model_images_ and the per-model counters
    double boot_failure;
    std::optional<CohortClock> clock;
    double poll_rate;   // background check-ins per second when online (poll-mode cohorts)
    uint32_t first_shard;  // the region's first shard; the cohort is split evenly over its sites
    int sites;
  };
  // What the devices of one model download (a row per model in the fleet, in order of first use):
  // the target's full image, which a rollback job also downloads, and per initial version the
  // delta or the full image. Looked up by index, so a download start costs no string compare.
  struct ModelImage {
    Bytes full;
    std::vector<Bytes> download;  // per version index
  };
  struct Shard {
    int region;
    int64_t devices;
    int64_t region_devices;  // of all the region's sites
  };
  struct Storm {        // analytic re-poll / reconnect burst after an outage
    double from, to, rate;
    bool broker;
    int region;
  };
  struct HeldDevice {   // assigned to a wave, waiting for its cohort's maintenance window
    uint32_t device;
    uint8_t wave;
  };
  struct TargetChange {  // a device reached the target (+1) or was reverted (-1)
    double t;
    uint32_t device;
    int32_t delta;
  };
  // Fleet-wide values at one instant: this rank's counters summed over all ranks. Floating-point
  // quantities are kept per shard (one rank owns a shard), so the sums are exact and a
  // sharded run reads the same numbers as a single process.
  struct FleetView {
    std::array<int64_t, kDeviceStateCount> states{};
    std::vector<int64_t> versions;
    FleetTally totals;
    int64_t on_target = 0, refused = 0, corrupt_downloads = 0, cdn_connections = 0;
    int64_t interval_requests = 0, interval_throttled = 0, interval_refused = 0;
    int64_t target_gains = 0;  // devices that reached the target since the last view
    std::vector<int64_t> histogram;
    std::vector<int64_t> cohort_on_target;  // per cohort (not in counters-only views)
    std::vector<int64_t> demand;
    // per shard
    std::vector<int64_t> active_transfers, peak_active, service_throttled, broker_throttled;
    std::vector<double> throughput, peak_throughput, bytes_delivered, bytes_retransmitted, exposure;
    std::vector<double> model_bytes_delivered;  // per shard × fleet model (shard-major)
  };

  // controller, faults, observers
  // Starts an execution of device `d`'s job, counting it as released when it is the first.
  void release(uint32_t d, Seconds now);
  void on_tick();
  int64_t release_from_wave(int wave, int64_t budget, Seconds now);
  void start_rollback(Seconds now);
  // An abort or rollback fired: cancel this rank's executions (GateAction).
  void cancel_executions(bool in_progress);
  // Devices needing the update that the rollout filter leaves out; the fleet's, a constant.
  int64_t excluded() const { return device_count_ - on_target_initially_ - eligible_; }
  // Targeted devices needing the update whose execution has not started: not released yet (later
  // waves, a pause, an abort, a maintenance window) or cancelled before it did anything. Devices
  // withdrawn from their wave (their board failed for infrastructure reasons) are not among them.
  int64_t held_back(const FleetTally& fleet) const {
    return eligible_ - fleet.in_progress - fleet.executed - fleet.withdrawn;
  }
  Seconds spread(Seconds now, int64_t index, int64_t count) const;
  void on_fault(uint32_t index, bool starting);
  // The share of a region's nominal capacity its outages and CDN degradations leave now.
  double region_capacity_factor(int region) const;
  void apply_region_capacity(int region);
  void drop_region_transfers(int region);
  void mass_power_loss(const Fault& f, uint32_t fault_index);
  void sample_row();
  void snapshot_assertion(uint32_t index);
  void account_exposure(size_t shard, double now);
  void on_target_changed(uint32_t d, double now, int delta);
  // Collective: the fleet-wide view now; also advances the time_to_* thresholds.
  // `counters_only`: the fleet counters without the per-shard ones (a controller tick);
  // `demand` (per shard, this rank's) is summed along into FleetView::demand.
  FleetView synchronise(bool counters_only = false, std::vector<int64_t> demand = {});
  void update_thresholds(const FleetView& view);
  // The same, for a device whose cohort the caller knows (the release walk's hot path).
  uint16_t initial_version_of(uint32_t d, uint32_t cohort) const;
  uint32_t shard_of(uint32_t d, uint32_t cohort) const {
    const CohortInfo& c = cohorts_[cohort];
    return c.first_shard + uint32_t((int64_t(d) - c.first) * c.sites / c.count);
  }
  bool owns(uint32_t d, uint32_t cohort) const { return shard_rank_[shard_of(d, cohort)] == comm_->rank(); }
  bool owns_shard(size_t s) const { return shard_rank_[s] == comm_->rank(); }
  // The device ranges of `rank`'s shards, cohort by cohort, site by site.
  std::vector<DeviceRange> ranges_of_rank(int rank) const;
  // Devices of `rank` in `region` (every rank: -1), in range order.
  template <class F> void for_each_owned_in(int region, F&& f) const {
    for (const DeviceRange& r : owned_ranges_)
      if (region < 0 || cohorts_[cohort_of(r.first)].region == region)
        for (uint32_t d = r.first; d < r.first + r.count; ++d) f(d);
  }
  double shard_background_rate(double t, bool broker, size_t shard) const;
  static int64_t site_count(const CohortInfo& c, int site);
  // The sum of a per-shard quantity over one region's sites, in site order.
  template <class T> T region_total(const std::vector<T>& per_shard, size_t region) const {
    T total{};
    const size_t first = region_first_shard_[region];
    for (int site = 0; site < scenario_.regions[region].sites; ++site) total += per_shard[first + size_t(site)];
    return total;
  }
  double background_rate(double t, bool broker, int region) const;
  std::vector<int64_t> take_epoch_demand();
  void rebalance_quotas(const std::vector<int64_t>& demand);
  int64_t throttled_requests(const FleetView& view) const;
  void gather_traces(Results& res) const;
  AssertionResult evaluate(const Assertion& a, std::optional<double> number, const std::string& text) const;

  const Scenario& scenario_;
  Kernel& kernel_;
  ExternalDevices* external_ = nullptr;
  WorldOptions options_;
  std::unique_ptr<SingleProcessComm> own_comm_;
  ShardComm* comm_;
  int64_t device_count_ = 0;
  std::vector<Shard> shards_;
  std::vector<uint32_t> region_first_shard_;
  std::vector<int> shard_rank_;
  std::vector<DeviceRange> owned_ranges_;
  std::vector<std::vector<std::pair<uint16_t, double>>> version_cdf_;  // per cohort: (version, cumulative share)
  DeviceLifecycle<World> lifecycle_;  // the device records and the state machine that drives them
  std::vector<CohortInfo> cohorts_;
  std::vector<int64_t> cohort_first_;
  std::vector<std::string> fleet_models_;  // the device models of the fleet, in order of first use
  std::vector<ModelImage> model_images_;   // per fleet model
  std::vector<std::string> versions_;
  uint16_t target_version_ = 0;
  int64_t eligible_ = 0;
  std::vector<bool> cohort_targeted_;

  std::unique_ptr<RolloutOrder> order_;
  std::unique_ptr<RolloutController> controller_;
  int64_t order_cursor_ = 0;
  std::vector<int64_t> wave_assigned_;
  std::vector<std::vector<HeldDevice>> window_held_;  // per cohort, every rank's devices
  std::vector<size_t> window_head_;

  // platform; links, connections and services are per shard (edge site)
  std::vector<LinkId> shard_link_;
  std::vector<double> region_capacity_;   // nominal bytes/s, split evenly among the region's sites
  std::vector<int> region_down_;          // active outages
  std::vector<int> corrupt_window_;       // active corrupt-artifact faults per region
  std::vector<Storm> storms_;
  // Fleet-wide limits, divided among regions at each controller epoch (sim/model/epoch_quota.hpp).
  bool unlimited_connections_ = true, unlimited_requests_ = true, unlimited_connects_ = true;
  EpochQuota connection_quota_, request_quota_, connect_quota_;
  std::vector<RateLimitedService> update_service_;  // per shard
  std::vector<RateLimitedService> broker_;          // per shard
  std::vector<int64_t> connections_;                 // open CDN connections per shard
  std::vector<int64_t> epoch_peak_connections_, epoch_refused_;
  double brownout_factor_ = 1.0;
  int64_t cdn_connections_ = 0;                      // all regions
  std::vector<bool> fault_active_;

  // counters
  std::array<int64_t, kDeviceStateCount> state_counts_{};
  std::vector<int64_t> version_counts_;
  std::vector<WaveTally> wave_tallies_;
  FleetTally totals_;
  int64_t on_target_ = 0;            // this rank's devices
  int64_t on_target_initially_ = 0;  // the whole fleet
  int64_t synced_on_target_ = 0;     // the whole fleet at the last synchronise()
  std::vector<TargetChange> target_changes_;  // since the last synchronise(), while a threshold is open
  std::vector<int64_t> shard_on_target_;
  std::vector<int64_t> cohort_on_target_;  // this rank's devices, per cohort
  int64_t refused_ = 0;
  int64_t background_throttled_ = 0;
  int64_t corrupt_downloads_ = 0;
  // per shard (owned shards only)
  std::vector<double> bytes_delivered_, bytes_retransmitted_;
  std::vector<double> model_bytes_delivered_;  // per shard × fleet model (shard-major)
  std::vector<double> exposure_;        // device-seconds on an old version
  std::vector<double> exposure_since_;
  std::map<int, std::optional<double>> time_to_;
  std::vector<int64_t> duration_histogram_;
  double histogram_bin_ = 60;

  // observers
  std::vector<TimeseriesRow> rows_;
  int64_t interval_requests_ = 0, interval_throttled_ = 0, interval_refused_ = 0;
  double last_sample_ = 0;
  std::vector<std::optional<double>> assertion_numbers_;
  std::vector<std::string> assertion_texts_;
  std::vector<bool> assertion_taken_;
  std::vector<DeviceTrace> traces_;

  // entity ids of the services
  EntityId controller_entity_, sampler_entity_, fault_entity_base_, assertion_entity_;
  std::vector<Fault> faults_;  // scenario faults plus region outages/degradations
};

}  // namespace fleetsim
