#include "sim/model/world.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <type_traits>

#include "sim/core/random_stream.hpp"
#include "sim/core/units.hpp"
#include "sim/model/world_events.hpp"
#include "sim/results/duration_bins.hpp"

namespace fleetsim {

namespace {
constexpr std::array<int, 4> kTimeToThresholds = {50, 90, 95, 99};

}  // namespace

std::vector<int> assign_shards_to_ranks(const std::vector<int64_t>& devices_per_shard, int ranks) {
  std::vector<size_t> order(devices_per_shard.size());
  for (size_t s = 0; s < order.size(); ++s) order[s] = s;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return devices_per_shard[a] > devices_per_shard[b]; });
  std::vector<int64_t> load(size_t(std::max(1, ranks)), 0);
  std::vector<int> rank_of(devices_per_shard.size(), 0);
  for (size_t s : order) {
    const size_t least = size_t(std::min_element(load.begin(), load.end()) - load.begin());
    rank_of[s] = int(least);
    load[least] += devices_per_shard[s];
  }
  return rank_of;
}

namespace {
// Devices of a cohort of `count` in site `site` of `sites`: ids i with ⌊i·sites/count⌋ = site,
// i.e. [⌈site·count/sites⌉, ⌈(site+1)·count/sites⌉).
int64_t site_begin(int64_t count, int sites, int site) { return (int64_t(site) * count + sites - 1) / sites; }
}  // namespace

std::vector<DeviceRange> World::ranges_of_rank(int rank) const {
  std::vector<DeviceRange> out;
  for (const CohortInfo& c : cohorts_)
    for (int site = 0; site < c.sites; ++site) {
      if (shard_rank_[c.first_shard + size_t(site)] != rank) continue;
      const int64_t b = site_begin(c.count, c.sites, site), e = site_begin(c.count, c.sites, site + 1);
      if (e > b) out.push_back({uint32_t(c.first + b), uint32_t(e - b)});
    }
  return out;
}

int64_t World::site_count(const CohortInfo& c, int site) {
  return site_begin(c.count, c.sites, site + 1) - site_begin(c.count, c.sites, site);
}

World::World(const Scenario& scenario, Kernel& kernel, WorldOptions options)
    : scenario_(scenario),
      kernel_(kernel),
      options_(options),
      own_comm_(options.comm ? nullptr : std::make_unique<SingleProcessComm>()),
      comm_(options.comm ? options.comm : own_comm_.get()),
      lifecycle_(*this),
      unlimited_connections_(scenario.platform.cdn_max_connections <= 0),
      unlimited_requests_(scenario.platform.update_service_capacity.value <= 0),
      unlimited_connects_(scenario.platform.broker_connect_rate.value <= 0),
      connection_quota_(double(scenario.platform.cdn_max_connections), {}),
      request_quota_(scenario.platform.update_service_capacity.value, {}),
      connect_quota_(scenario.platform.broker_connect_rate.value, {}) {
  const int64_t n = scenario.device_count();
  device_count_ = n;

  // Versions: the target first, then every version a cohort starts on, in file order.
  versions_.push_back(scenario.firmware.target);
  for (const Cohort& c : scenario.cohorts)
    for (const auto& [v, share] : c.firmware)
      if (std::find(versions_.begin(), versions_.end(), v) == versions_.end()) versions_.push_back(v);
  target_version_ = 0;
  version_counts_.assign(versions_.size(), 0);

  // Which cohorts the rollout targets.
  const Rollout& r = scenario.rollout;
  for (const Cohort& c : scenario.cohorts) {
    bool in = r.filter_cohorts.empty() ||
              std::find(r.filter_cohorts.begin(), r.filter_cohorts.end(), c.name) != r.filter_cohorts.end();
    for (const std::string& tag : r.filter_tags)
      in = in && std::find(c.tags.begin(), c.tags.end(), tag) != c.tags.end();
    cohort_targeted_.push_back(in);
  }

  // Shards: the edge sites of every region, region by region.
  for (size_t reg = 0; reg < scenario.regions.size(); ++reg) {
    region_first_shard_.push_back(uint32_t(shards_.size()));
    for (int site = 0; site < scenario.regions[reg].sites; ++site) shards_.push_back({int(reg), 0, 0});
  }

  // Cohorts and their initial-version shares.
  int64_t first = 0;
  for (size_t ci = 0; ci < scenario.cohorts.size(); ++ci) {
    const Cohort& c = scenario.cohorts[ci];
    const DeviceModel& m = scenario.models.at(c.model);
    const int region = scenario.region_index(c.region);
    auto known = std::find(fleet_models_.begin(), fleet_models_.end(), c.model);
    const uint32_t fleet_model = uint32_t(known - fleet_models_.begin());
    if (known == fleet_models_.end()) {
      fleet_models_.push_back(c.model);
      const FirmwareImage& image = scenario.firmware.image_of(c.model);
      ModelImage row{image.size, {}};
      for (const std::string& v : versions_) {
        auto delta = image.delta.find(v);
        row.download.push_back(delta == image.delta.end() ? image.size : delta->second);
      }
      model_images_.push_back(std::move(row));
    }
    CohortInfo info{&m,
                    region,
                    first,
                    c.count,
                    fleet_model,
                    scenario.firmware.boot_failure_of(c.model),
                    CohortClock::for_zone(c.timezone),
                    0.0,
                    region_first_shard_[size_t(region)],
                    scenario.regions[size_t(region)].sites};
    if (m.notification == Notification::Poll && m.poll_interval.value > 0)
      info.poll_rate = double(c.count) / m.poll_interval.value;
    cohorts_.push_back(info);
    cohort_first_.push_back(first);
    std::vector<std::pair<uint16_t, double>> cdf;
    double acc = 0;
    for (const auto& [v, share] : c.firmware) {
      acc += share;
      cdf.push_back({uint16_t(std::find(versions_.begin(), versions_.end(), v) - versions_.begin()), acc});
    }
    version_cdf_.push_back(std::move(cdf));
    first += c.count;
  }
  std::vector<int64_t> region_devices(scenario.regions.size(), 0);
  for (const CohortInfo& c : cohorts_) {
    region_devices[size_t(c.region)] += c.count;
    for (int site = 0; site < c.sites; ++site) shards_[c.first_shard + size_t(site)].devices += site_count(c, site);
  }
  for (Shard& sh : shards_) sh.region_devices = region_devices[size_t(sh.region)];

  // Ranks own whole shards; this rank's device records are the ranges of its shards.
  std::vector<int64_t> shard_devices;
  for (const Shard& sh : shards_) shard_devices.push_back(sh.devices);
  shard_rank_ = assign_shards_to_ranks(shard_devices, comm_->size());
  owned_ranges_ = ranges_of_rank(comm_->rank());
  std::vector<std::pair<size_t, size_t>> allocate;
  for (const DeviceRange& dr : owned_ranges_) allocate.push_back({dr.first, dr.count});
  lifecycle_.allocate(size_t(n), allocate);

  // Initial versions (drawn per device from its cohort's shares) and eligibility.
  shard_on_target_.assign(shards_.size(), 0);
  cohort_on_target_.assign(scenario.cohorts.size(), 0);
  for (const DeviceRange& dr : owned_ranges_) {
    const size_t ci = cohort_of(dr.first);
    for (uint32_t d = dr.first; d < dr.first + dr.count; ++d) {
      Device& dev = lifecycle_.device(d);
      const uint16_t v = initial_version_of(d, uint32_t(ci));
      dev.version = dev.initial_version = v;
      dev.link_since = -1.0f;  // link state unknown: stationary distribution
      ++version_counts_[v];
      if (v == target_version_) {
        ++on_target_;
        ++shard_on_target_[shard_of(d)];
        ++cohort_on_target_[ci];
      } else if (cohort_targeted_[ci]) {
        ++eligible_;
      }
    }
    state_counts_[size_t(DeviceState::Idle)] += dr.count;
  }
  // The controller sizes waves from the whole fleet's eligible devices.
  std::array<int64_t, 2> fleet{eligible_, on_target_};
  comm_->sum(fleet);
  eligible_ = fleet[0];
  on_target_initially_ = synced_on_target_ = fleet[1];

  order_ = std::make_unique<RolloutOrder>(scenario, cohort_first_, cohort_targeted_, scenario.seed);
  controller_ = std::make_unique<RolloutController>(scenario.rollout, eligible_);
  wave_assigned_.assign(size_t(controller_->wave_count()), 0);
  wave_tallies_.assign(size_t(controller_->wave_count()), WaveTally{});
  window_held_.resize(scenario.cohorts.size());
  window_head_.assign(scenario.cohorts.size(), 0);

  // Faults: the scenario's plus the outages and degradations written under regions.
  faults_ = scenario.faults;
  for (const Region& reg : scenario.regions) {
    for (const TimeWindow& w : reg.outages) {
      Fault f;
      f.kind = FaultKind::RegionOutage;
      f.region = reg.name;
      f.window = w;
      faults_.push_back(f);
    }
    for (const Degradation& g : reg.degradations) {
      Fault f;
      f.kind = FaultKind::CdnDegradation;
      f.region = reg.name;
      f.window = g.window;
      f.factor = g.factor;
      faults_.push_back(f);
    }
  }
  fault_active_.assign(faults_.size(), false);

  controller_entity_ = uint32_t(n);
  sampler_entity_ = controller_entity_ + 1;
  fault_entity_base_ = sampler_entity_ + 1;
  assertion_entity_ = fault_entity_base_ + uint32_t(faults_.size());
  kernel_.configure(assertion_entity_ + 1);

  // One shared link per edge site: the bottleneck of CDN edge egress and backhaul, the region's
  // capacity divided evenly among its sites.
  for (const Region& reg : scenario.regions) {
    double cap = 0;
    auto it = scenario.platform.cdn_egress.find(reg.name);
    if (it != scenario.platform.cdn_egress.end()) cap = it->second.value;
    if (reg.backhaul.value > 0) cap = cap > 0 ? std::min(cap, reg.backhaul.value) : reg.backhaul.value;
    region_capacity_.push_back(cap);
    for (int site = 0; site < reg.sites; ++site)
      shard_link_.push_back(kernel_.add_link(reg.sites == 1 ? reg.name : reg.name + "/" + std::to_string(site),
                                             BytesPerSecond(cap / reg.sites)));
  }
  region_down_.assign(scenario.regions.size(), 0);
  // The first epoch divides fleet-wide limits by devices per shard; later ones by demand.
  std::vector<double> devices_per_shard;
  for (const Shard& sh : shards_) devices_per_shard.push_back(double(sh.devices));
  connection_quota_ = EpochQuota(double(scenario.platform.cdn_max_connections), devices_per_shard);
  request_quota_ = EpochQuota(scenario.platform.update_service_capacity.value, devices_per_shard);
  connect_quota_ = EpochQuota(scenario.platform.broker_connect_rate.value, devices_per_shard);
  update_service_.resize(shards_.size());
  broker_.resize(shards_.size());
  connections_.assign(shards_.size(), 0);
  epoch_peak_connections_.assign(shards_.size(), 0);
  epoch_refused_.assign(shards_.size(), 0);
  for (size_t sh = 0; sh < shards_.size(); ++sh) {
    update_service_[sh].set_capacity(PerSecond(request_quota_.amount(int(sh))));
    broker_[sh].set_capacity(PerSecond(connect_quota_.amount(int(sh))));
  }
  corrupt_window_.assign(scenario.regions.size(), false);

  for (int t : kTimeToThresholds)  // devices already on target count from t = 0
    time_to_[t] = double(on_target_initially_) >= std::ceil(double(n) * t / 100.0) ? std::optional<double>(0.0)
                                                                                    : std::nullopt;
  bytes_delivered_.assign(shards_.size(), 0.0);
  model_bytes_delivered_.assign(shards_.size() * fleet_models_.size(), 0.0);
  bytes_retransmitted_.assign(shards_.size(), 0.0);
  exposure_.assign(shards_.size(), 0.0);
  exposure_since_.assign(shards_.size(), 0.0);
  histogram_bin_ = histogram_bin_for(scenario.duration.value);
  // Durations never exceed the run: the last bin holds exactly `duration`.
  duration_histogram_.assign(size_t(std::floor(scenario.duration.value / histogram_bin_)) + 1, 0);
  if (options_.trace_devices) traces_.resize(size_t(n));
  assertion_numbers_.resize(scenario.assertions.size());
  assertion_texts_.resize(scenario.assertions.size());
  assertion_taken_.assign(scenario.assertions.size(), false);

  // Service timers.
  if (scenario.rollout.start.value <= scenario.duration.value)
    kernel_.schedule(scenario.rollout.start, controller_entity_, event::kTick, 0);
  kernel_.schedule(Seconds(0), sampler_entity_, event::kSample, 0);
  for (uint32_t i = 0; i < faults_.size(); ++i) {
    kernel_.schedule(faults_[i].window.at, fault_entity_base_ + i, event::kFaultStart, i);
    if (faults_[i].window.length.value > 0)
      kernel_.schedule(faults_[i].window.end(), fault_entity_base_ + i, event::kFaultEnd, i);
  }
  for (uint32_t i = 0; i < scenario.assertions.size(); ++i)
    if (scenario.assertions[i].at && scenario.assertions[i].at->value <= scenario.duration.value)
      kernel_.schedule(*scenario.assertions[i].at, assertion_entity_, event::kAssertion, i);
}

World::~World() = default;

uint32_t World::cohort_of(uint32_t device) const {
  auto it = std::upper_bound(cohort_first_.begin(), cohort_first_.end(), int64_t(device));
  return uint32_t(it - cohort_first_.begin() - 1);
}

bool World::run(const std::function<void(double)>& progress, const std::function<bool()>& stop) {
  const double end = scenario_.duration.value;
  const int chunks = 200;
  for (int i = 1; i <= chunks; ++i) {
    if (stop && stop()) return false;
    kernel_.run_until(*this, Seconds(end * i / chunks));
    if (progress) progress(end * i / chunks);
  }
  for (size_t sh = 0; sh < shards_.size(); ++sh)
    if (owns_shard(sh)) account_exposure(sh, end);
  for (uint32_t i = 0; i < scenario_.assertions.size(); ++i)
    if (!scenario_.assertions[i].at || scenario_.assertions[i].at->value > end) snapshot_assertion(i);
  sample_row();
  return true;
}

void World::on_timer(EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux) {
  if (owner < lifecycle_.size()) {
    lifecycle_.on_timer(owner, kind, tag, aux);
    return;
  }
  switch (kind) {
    case event::kTick: on_tick(); return;
    case event::kSample:
      sample_row();
      if (kernel_.now().value + scenario_.output.sample_interval.value <= scenario_.duration.value)
        kernel_.schedule(kernel_.now() + scenario_.output.sample_interval, sampler_entity_, event::kSample, 0);
      return;
    case event::kFaultStart: on_fault(tag, true); return;
    case event::kFaultEnd: on_fault(tag, false); return;
    case event::kAssertion: snapshot_assertion(tag); return;
    default: return;
  }
}

// ---------------------------------------------------------------------------------------------
// Controller epoch

uint16_t World::initial_version_of(uint32_t d, uint32_t cohort) const {
  // Drawn from the device's own stream, so any rank can tell any device's initial version.
  const auto& cdf = version_cdf_[cohort];
  if (cdf.size() == 1) return cdf[0].first;  // the whole cohort starts on one version
  const double u = uniform01(scenario_.seed, d, Stream::InitialVersion, 0) * cdf.back().second;
  for (const auto& [idx, edge] : cdf)
    if (u < edge) return idx;
  return cdf.back().first;
}

World::FleetView World::synchronise(bool counters_only, std::vector<int64_t> demand) {
  const size_t shards = counters_only ? 0 : shards_.size();
  const double now = kernel_.now().value;
  FleetView v;
  v.states = state_counts_;
  v.versions = version_counts_;
  v.totals = totals_;
  v.totals.waves = wave_tallies_;
  v.on_target = on_target_;
  v.refused = refused_;
  v.corrupt_downloads = corrupt_downloads_;
  v.cdn_connections = cdn_connections_;
  v.interval_requests = interval_requests_;
  v.interval_throttled = interval_throttled_;
  v.interval_refused = interval_refused_;
  for (const TargetChange& c : target_changes_) v.target_gains += c.delta > 0;
  if (!counters_only) {
    v.histogram = duration_histogram_;
    v.cohort_on_target = cohort_on_target_;
  }
  v.demand = std::move(demand);
  v.active_transfers.assign(shards, 0);
  v.peak_active.assign(shards, 0);
  v.service_throttled.assign(shards, 0);
  v.broker_throttled.assign(shards, 0);
  v.throughput.assign(shards, 0.0);
  v.peak_throughput.assign(shards, 0.0);
  v.bytes_delivered.assign(shards, 0.0);
  v.bytes_retransmitted.assign(shards, 0.0);
  v.exposure.assign(shards, 0.0);
  const size_t models = fleet_models_.size();
  v.model_bytes_delivered.assign(shards * models, 0.0);
  for (size_t s = 0; s < shards; ++s) {
    if (!owns_shard(s)) continue;
    const LinkStats stats = kernel_.link_stats(shard_link_[s]);
    v.active_transfers[s] = kernel_.link_active_transfers(shard_link_[s]);
    v.peak_active[s] = stats.peak_active;
    v.service_throttled[s] = update_service_[s].throttled();
    v.broker_throttled[s] = broker_[s].throttled();
    v.throughput[s] = kernel_.link_throughput(shard_link_[s]).value;
    v.peak_throughput[s] = stats.peak_throughput.value;
    v.bytes_delivered[s] = bytes_delivered_[s];
    v.bytes_retransmitted[s] = bytes_retransmitted_[s];
    std::copy_n(model_bytes_delivered_.begin() + ptrdiff_t(s * models), models,
                v.model_bytes_delivered.begin() + ptrdiff_t(s * models));
    v.exposure[s] = exposure_[s] + double(shards_[s].devices - shard_on_target_[s]) * (now - exposure_since_[s]);
  }
  // Flatten, sum over the ranks, unflatten: one integer and one floating-point collective.
  std::vector<int64_t> ints;
  std::vector<double> reals;
  auto fields = [&](auto&& on_int, auto&& on_real) {
    for (int64_t& x : v.states) on_int(x);
    for (int64_t& x : v.versions) on_int(x);
    on_int(v.totals.notified);
    on_int(v.totals.succeeded);
    on_int(v.totals.executed);
    on_int(v.totals.in_progress);
    on_int(v.totals.canceled);
    on_int(v.totals.withdrawn);
    for (int64_t& x : v.totals.failures) on_int(x);
    for (WaveTally& w : v.totals.waves) {
      on_int(w.released);
      on_int(w.succeeded);
      on_int(w.failed);
      on_int(w.withdrawn);
    }
    for (int64_t* x : {&v.on_target, &v.refused, &v.corrupt_downloads, &v.cdn_connections, &v.interval_requests,
                       &v.interval_throttled, &v.interval_refused, &v.target_gains})
      on_int(*x);
    for (auto* vec : {&v.histogram, &v.cohort_on_target, &v.demand, &v.active_transfers, &v.peak_active, &v.service_throttled,
                      &v.broker_throttled})
      for (int64_t& x : *vec) on_int(x);
    for (auto* vec : {&v.throughput, &v.peak_throughput, &v.bytes_delivered, &v.bytes_retransmitted, &v.exposure,
                      &v.model_bytes_delivered})
      for (double& x : *vec) on_real(x);
  };
  fields([&](int64_t& x) { ints.push_back(x); }, [&](double& x) { reals.push_back(x); });
  comm_->sum(ints);
  if (!reals.empty()) comm_->sum(reals);
  size_t i = 0, k = 0;
  fields([&](int64_t& x) { x = ints[i++]; }, [&](double& x) { x = reals[k++]; });
  update_thresholds(v);
  return v;
}

void World::update_thresholds(const FleetView& view) {
  // time_to_N is the first instant the fleet's on-target count reaches N %. Each rank logs its
  // devices' changes between views; only when the gains could cross an open threshold are the
  // logs merged and replayed in (time, device) order, the order one process sees them in.
  const double n = double(device_count_);
  bool reachable = false;
  for (int t : kTimeToThresholds)
    if (!time_to_[t] && double(synced_on_target_ + view.target_gains) >= std::ceil(n * t / 100.0)) reachable = true;
  if (reachable) {
    std::span<const std::byte> mine(reinterpret_cast<const std::byte*>(target_changes_.data()),
                                    target_changes_.size() * sizeof(TargetChange));
    std::vector<std::byte> all = comm_->all_gather(mine);
    std::vector<TargetChange> changes(all.size() / sizeof(TargetChange));
    std::memcpy(changes.data(), all.data(), changes.size() * sizeof(TargetChange));
    std::sort(changes.begin(), changes.end(), [](const TargetChange& a, const TargetChange& b) {
      return a.t != b.t ? a.t < b.t : a.device < b.device;
    });
    int64_t count = synced_on_target_;
    for (const TargetChange& c : changes) {
      count += c.delta;
      for (int t : kTimeToThresholds)
        if (!time_to_[t] && double(count) >= std::ceil(n * t / 100.0)) time_to_[t] = c.t;
    }
  }
  target_changes_.clear();
  synced_on_target_ = view.on_target;
}

std::vector<int64_t> World::take_epoch_demand() {
  // Each shard's demand in the epoch is counted by the rank that owns it.
  const size_t shards = shards_.size();
  std::vector<int64_t> demand(3 * shards, 0);
  for (size_t r = 0; r < shards; ++r) {
    if (!owns_shard(r)) continue;
    demand[3 * r] = epoch_peak_connections_[r] + epoch_refused_[r];
    demand[3 * r + 1] = update_service_[r].take_epoch_offered();
    demand[3 * r + 2] = broker_[r].take_epoch_offered();
    epoch_peak_connections_[r] = connections_[r];
    epoch_refused_[r] = 0;
  }
  return demand;
}

void World::rebalance_quotas(const std::vector<int64_t>& demand) {
  const double now = kernel_.now().value;
  const size_t shards = shards_.size();
  for (size_t r = 0; r < shards; ++r) {
    connection_quota_.add_demand(int(r), double(demand[3 * r]));
    // Requests offered in the epoch (individual ones counted by the services) plus the background.
    request_quota_.add_demand(int(r), double(demand[3 * r + 1]) +
                                          shard_background_rate(now, false, r) * scenario_.rollout.tick.value);
    connect_quota_.add_demand(int(r), double(demand[3 * r + 2]) +
                                          shard_background_rate(now, true, r) * scenario_.rollout.tick.value);
  }
  connection_quota_.rebalance();
  request_quota_.rebalance();
  connect_quota_.rebalance();
  for (size_t r = 0; r < connections_.size(); ++r) {
    update_service_[r].set_capacity(PerSecond(request_quota_.amount(int(r)) * brownout_factor_));
    broker_[r].set_capacity(PerSecond(connect_quota_.amount(int(r))));
  }
}

void World::on_tick() {
  const Seconds now = kernel_.now();
  // The epoch's one collective: the fleet's counters for the controller and every shard's demand
  // for the limits' next division.
  const bool rebalance = now > scenario_.rollout.start;
  const FleetView view = synchronise(true, rebalance ? take_epoch_demand() : std::vector<int64_t>{});
  if (rebalance) rebalance_quotas(view.demand);
  ReleasePlan plan = controller_->on_tick(now, view.totals);
  if (plan.cancel_queued) cancel_executions(plan.cancel_in_progress);
  if (plan.start_rollback) start_rollback(now);
  if (plan.wave >= 0 && plan.count > 0) controller_->commit(release_from_wave(plan.wave, plan.count, now));
  if (now.value + scenario_.rollout.tick.value <= scenario_.duration.value)
    kernel_.schedule(now + scenario_.rollout.tick, controller_entity_, event::kTick, 0);
}

int64_t World::release_from_wave(int wave, int64_t budget, Seconds now) {
  const int64_t unix_now = scenario_.start_unix + int64_t(std::floor(now.value));
  const auto& mw = scenario_.rollout.maintenance_window;
  auto in_window = [&](uint32_t c) {
    return !mw || !cohorts_[c].clock || cohorts_[c].clock->in_window(*mw, unix_now);
  };
  // Every rank walks the whole release order, so that positions, wave sizes and the spread of
  // release times are the fleet's; each releases only the devices it simulates.
  int64_t released = 0;
  // Devices already assigned to this wave whose cohort was outside its window.
  if (mw) {
    for (uint32_t c = 0; c < window_held_.size() && released < budget; ++c) {
      if (window_head_[c] == window_held_[c].size() || !in_window(c)) continue;
      auto& held = window_held_[c];
      while (window_head_[c] < held.size() && released < budget) {
        const HeldDevice h = held[window_head_[c]++];
        if (h.wave != wave) continue;
        if (owns(h.device)) release(h.device, spread(now, released, budget));
        ++released;
      }
      if (window_head_[c] == held.size()) {
        held.clear();
        window_head_[c] = 0;
      }
    }
  }
  const int64_t wave_size = controller_->wave_size(wave);
  // Device ids of the next few positions are computed ahead and their records prefetched: the
  // random order touches the device array at random, one cache miss per device otherwise.
  constexpr int64_t kAhead = 8;
  std::array<uint32_t, kAhead> upcoming{};
  int64_t computed = order_cursor_;
  while (released < budget && wave_assigned_[size_t(wave)] < wave_size && order_cursor_ < order_->size()) {
    for (; computed < order_->size() && computed < order_cursor_ + kAhead; ++computed) {
      upcoming[size_t(computed % kAhead)] = order_->device_at(computed);
      __builtin_prefetch(&lifecycle_.device(upcoming[size_t(computed % kAhead)]));  // a hint: never faults
    }
    const uint32_t d = upcoming[size_t(order_cursor_++ % kAhead)];
    const uint32_t c = cohort_of(d);
    const bool mine = owns(d, c);
    const uint16_t initial = mine ? lifecycle_.device(d).initial_version : initial_version_of(d, c);
    if (initial == target_version_) continue;  // already on target: nothing to do
    if (mine) lifecycle_.device(d).wave = uint8_t(wave);
    ++wave_assigned_[size_t(wave)];
    if (!in_window(c)) {
      window_held_[c].push_back({d, uint8_t(wave)});
      continue;
    }
    if (mine) release(d, spread(now, released, budget));
    ++released;
  }
  return released;
}

std::vector<uint32_t> World::planned_wave_members(int wave, int64_t limit) const {
  std::vector<uint32_t> out;
  if (wave < 0 || wave >= controller_->wave_count()) return out;
  // release_from_wave assigns positions of the order to waves in turn, skipping devices that are
  // already on target: wave w gets the eligible devices after the sizes of waves 0..w-1.
  int64_t skip = 0;
  for (int w = 0; w < wave; ++w) skip += controller_->wave_size(w);
  const int64_t take = std::min(limit, controller_->wave_size(wave));
  for (int64_t pos = 0; pos < order_->size() && int64_t(out.size()) < take; ++pos) {
    const uint32_t d = order_->device_at(pos);
    if (initial_version_of(d, cohort_of(d)) == target_version_) continue;
    if (skip > 0) {
      --skip;
      continue;
    }
    out.push_back(d);
  }
  return out;
}

Seconds World::spread(Seconds now, int64_t index, int64_t count) const {
  // A rate limit (AWS maximumPerMinute) creates job executions evenly over the minute, not in a
  // burst at the controller tick: the i-th of n releases of a tick starts at tick·i/n.
  const Rollout& r = scenario_.rollout;
  if ((r.max_per_minute <= 0 && !r.rate) || count <= 1) return now;
  return now + r.tick * (double(index) / double(count));
}

void World::cancel_executions(bool in_progress) {
  for_each_owned_in(-1, [&](uint32_t d) {
    if (!lifecycle_.device(d).rollback_job) lifecycle_.cancel(d, in_progress);
  });
}

void World::start_rollback(Seconds now) {
  for_each_owned_in(-1, [&](uint32_t d) {
    Device& dev = lifecycle_.device(d);
    if (dev.state != DeviceState::Updated || dev.rollback_job) return;
    dev.rollback_job = 1;
    release(d, now);
  });
}

// ---------------------------------------------------------------------------------------------
// Faults

double World::region_capacity_factor(int region) const {
  double factor = region_down_[size_t(region)] > 0 ? 0.0 : 1.0;
  for (size_t i = 0; i < faults_.size(); ++i) {
    const Fault& f = faults_[i];
    if (!fault_active_[i] || f.kind != FaultKind::CdnDegradation) continue;
    if (f.region.empty() || scenario_.region_index(f.region) == region) factor *= f.factor;
  }
  return factor;
}

void World::apply_region_capacity(int region) {
  const double factor = region_capacity_factor(region);
  const int sites = scenario_.regions[size_t(region)].sites;
  for (int site = 0; site < sites; ++site)
    kernel_.set_link_capacity(shard_link_[region_first_shard_[size_t(region)] + size_t(site)],
                              BytesPerSecond(region_capacity_[size_t(region)] / sites * factor));
}

void World::drop_region_transfers(int region) {
  for_each_owned_in(region, [&](uint32_t d) {
    if (holds_connection(lifecycle_.device(d).state)) lifecycle_.connection_dropped(d);
  });
}

void World::mass_power_loss(const Fault& f, uint32_t fault_index) {
  const int region = f.region.empty() ? -1 : scenario_.region_index(f.region);
  for_each_owned_in(region, [&](uint32_t d) {
    const uint32_t c = cohort_of(d);
    if (!f.cohort.empty() && scenario_.cohorts[c].name != f.cohort) return;
    if (lifecycle_.device(d).state != DeviceState::Installing) return;
    if (external_ && external_->owns(d)) return;  // a real board is not in the simulated blackout
    if (f.fraction < 1.0 && uniform01(scenario_.seed, d, Stream::FaultSelection, fault_index) >= f.fraction)
      return;  // each fault draws its own share of the devices
    lifecycle_.power_lost(d);
  });
}

void World::on_fault(uint32_t index, bool starting) {
  const Fault& f = faults_[index];
  fault_active_[index] = starting;
  const double now = kernel_.now().value;
  auto each_region = [&](auto&& fn) {
    for (int r = 0; r < int(scenario_.regions.size()); ++r)
      if (f.region.empty() || scenario_.region_index(f.region) == r) fn(r);
  };
  switch (f.kind) {
    case FaultKind::RegionOutage:
      each_region([&](int r) {
        region_down_[size_t(r)] += starting ? 1 : -1;
        apply_region_capacity(r);
        if (starting) {
          drop_region_transfers(r);
          return;
        }
        if (region_down_[size_t(r)] > 0) return;  // another outage keeps the region down
        // Devices that missed check-ins during the outage come back together: the poll
        // cohorts re-check in and the push cohorts reconnect within one backoff period.
        for (const CohortInfo& c : cohorts_) {
          if (c.region != r) continue;
          const DeviceModel& m = *c.model;
          double missed = m.notification == Notification::Poll
                              ? double(c.count) * std::min(1.0, f.window.length.value / m.poll_interval.value)
                              : double(c.count);
          double spread = std::max(1.0, m.backoff_base.value);
          storms_.push_back({now, now + spread, missed / spread, m.notification == Notification::Push, r});
        }
      });
      return;
    case FaultKind::CdnDegradation:
      each_region([&](int r) { apply_region_capacity(r); });
      return;
    case FaultKind::UpdateServiceBrownout:
      // Overlapping brownouts compound; each active one multiplies the capacity.
      brownout_factor_ = 1.0;
      for (size_t i = 0; i < faults_.size(); ++i)
        if (fault_active_[i] && faults_[i].kind == FaultKind::UpdateServiceBrownout) brownout_factor_ *= faults_[i].factor;
      for (size_t s = 0; s < update_service_.size(); ++s)
        update_service_[s].set_capacity(PerSecond(request_quota_.amount(int(s)) * brownout_factor_));
      return;
    case FaultKind::CorruptArtifact:
      each_region([&](int r) { corrupt_window_[size_t(r)] += starting ? 1 : -1; });
      return;
    case FaultKind::PowerLoss:
      if (starting) mass_power_loss(f, index);
      return;
    case FaultKind::BadBuild:
      return;  // read by boot_failure()
  }
}

double World::boot_failure(uint32_t d, Seconds now) const {
  const CohortInfo& c = cohorts_[cohort_of(d)];
  double p = c.boot_failure;
  for (size_t i = 0; i < faults_.size(); ++i) {
    const Fault& f = faults_[i];
    if (f.kind != FaultKind::BadBuild || now < f.window.at) continue;
    if (!f.models.empty() && std::find(f.models.begin(), f.models.end(), c.model->name) == f.models.end()) continue;
    p = std::max(p, f.boot_failure);
  }
  return p;
}

double World::background_rate(double t, bool broker, int region) const {
  double rate = 0;
  if (!broker && region_down_[size_t(region)] == 0)
    for (const CohortInfo& c : cohorts_)
      if (c.region == region) rate += c.poll_rate;
  for (const Storm& s : storms_)
    if (s.region == region && s.broker == broker && t >= s.from && t < s.to) rate += s.rate;
  return rate;
}

double World::shard_background_rate(double t, bool broker, size_t shard) const {
  // Devices are split evenly among a region's sites, and so is their background load.
  const Shard& sh = shards_[shard];
  const double rate = background_rate(t, broker, sh.region);
  if (scenario_.regions[size_t(sh.region)].sites == 1) return rate;
  return sh.region_devices > 0 ? rate * double(sh.devices) / double(sh.region_devices) : 0.0;
}

// ---------------------------------------------------------------------------------------------
// Fleet services (device-models/device_lifecycle.hpp)

static_assert(FleetServices<World>);

void World::release(uint32_t d, Seconds now) {
  const Device& dev = lifecycle_.device(d);
  if (dev.executions == 0 && !dev.rollback_job) {  // retries and rollback jobs are not new releases
    ++totals_.in_progress;
    ++wave_tallies_[dev.wave].released;
    if (options_.trace_devices && traces_[d].released < 0) traces_[d].released = now.value;
  }
  lifecycle_.release(d, now);
}

void World::on_transfer_complete(EntityId owner, TransferId /*id*/, Bytes size) {
  lifecycle_.on_transfer_complete(owner, size);
}

DeviceSite World::site(uint32_t d) const {
  const uint32_t ci = cohort_of(d);
  const CohortInfo& c = cohorts_[ci];
  return {c.model, uint32_t(c.region), shard_of(d, ci)};
}

Bytes World::image_size(uint32_t d) const {
  const Device& dev = lifecycle_.device(d);
  const ModelImage& image = model_images_[cohorts_[cohort_of(d)].fleet_model];
  return dev.rollback_job ? image.full : image.download[dev.initial_version];
}

bool World::admit_reconnect(uint32_t shard) {
  const double now = kernel_.now().value;
  return unlimited_connects_ || broker_[shard].admit(Seconds(now), shard_background_rate(now, true, shard));
}

bool World::admit_check_in(uint32_t shard) {
  ++interval_requests_;
  const double now = kernel_.now().value;
  if (unlimited_requests_ || update_service_[shard].admit(Seconds(now), shard_background_rate(now, false, shard)))
    return true;
  ++interval_throttled_;
  return false;
}

bool World::admit_connection(uint32_t shard) {
  if (unlimited_connections_ || connections_[shard] < connection_quota_.whole(int(shard))) return true;
  ++refused_;
  ++epoch_refused_[shard];
  ++interval_refused_;
  return false;
}

void World::open_connection(uint32_t shard) {
  ++cdn_connections_;
  if (++connections_[shard] > epoch_peak_connections_[shard]) epoch_peak_connections_[shard] = connections_[shard];
}

void World::close_connection(uint32_t shard) {
  --cdn_connections_;
  --connections_[shard];
}

void World::notified(uint32_t d, Seconds now) {
  const Device& dev = lifecycle_.device(d);
  if (dev.executions == 1 && !dev.rollback_job) ++totals_.notified;
  if (options_.trace_devices && traces_[d].notified < 0) traces_[d].notified = now.value;
}

void World::attempted(uint32_t d) {
  if (options_.trace_devices) traces_[d].attempts = uint16_t(std::min<int>(traces_[d].attempts + 1, 65535));
}

void World::download_started(uint32_t d, Seconds now) {
  if (options_.trace_devices && traces_[d].download_start < 0) traces_[d].download_start = now.value;
}

void World::delivered(uint32_t shard, uint32_t d, Bytes bytes) {
  bytes_delivered_[shard] += bytes.value;
  model_bytes_delivered_[shard * fleet_models_.size() + cohorts_[cohort_of(d)].fleet_model] += bytes.value;
  if (options_.trace_devices) traces_[d].bytes += uint32_t(bytes.value);
}

void World::download_completed(uint32_t d, Seconds now) {
  if (options_.trace_devices) traces_[d].download_end = now.value;
}

void World::installed(uint32_t d, Seconds now) {
  if (options_.trace_devices) traces_[d].installed = now.value;
}

void World::withdrawn(uint32_t d) {
  const Device& dev = lifecycle_.device(d);
  if (options_.trace_devices) traces_[d].finished = kernel_.now().value;
  if (dev.rollback_job) return;
  ++wave_tallies_[dev.wave].withdrawn;
  ++totals_.withdrawn;
  --totals_.in_progress;
}

void World::finished(uint32_t d, DeviceState terminal, uint16_t previous_version) {
  Device& dev = lifecycle_.device(d);
  const double now = kernel_.now().value;
  if (terminal == DeviceState::Updated || terminal == DeviceState::Reverted) {
    --version_counts_[previous_version];
    ++version_counts_[dev.version];
    on_target_changed(d, now, terminal == DeviceState::Updated ? +1 : -1);
  }
  if (options_.trace_devices) traces_[d].finished = now;
  if (dev.rollback_job) return;  // rollback executions stay outside the rollout's tallies
  if (terminal == DeviceState::Canceled) {  // neither in progress nor executed any more
    --totals_.in_progress;
    ++totals_.canceled;
    return;
  }

  if (terminal == DeviceState::Updated && controller_->state() == RolloutState::RolledBack) {
    // The rollout was rolled back while this device was still updating: send it back too.
    dev.rollback_job = 1;
    release(d, kernel_.now());
  }
  if (terminal == DeviceState::Updated) {
    ++totals_.succeeded;
    ++wave_tallies_[dev.wave].succeeded;
    size_t bin = size_t(std::max(0.0, now - double(dev.notified_at)) / histogram_bin_);
    ++duration_histogram_[std::min(bin, duration_histogram_.size() - 1)];
  } else {
    // A failed execution is retried when the rollout allows it (and the device can still boot).
    const Retries& rt = scenario_.rollout.retries;
    const FailureType type = FailureType(failure_type_index(terminal));
    const bool matches = rt.failure == FailureType::Any || rt.failure == type ||
                         (rt.failure == FailureType::Failed && type != FailureType::TimedOut);
    const RolloutState rollout = controller_->state();
    const bool rollout_live = rollout == RolloutState::Running || rollout == RolloutState::Completed;
    if (terminal != DeviceState::Bricked && matches && dev.executions <= rt.max && rollout_live) {
      release(d, kernel_.now());  // still in progress: the same device, a new execution
      return;
    }
    ++wave_tallies_[dev.wave].failed;
    ++totals_.failures[size_t(FailureType::Any)];
    ++totals_.failures[size_t(type)];
    if (type != FailureType::TimedOut && type != FailureType::Failed) ++totals_.failures[size_t(FailureType::Failed)];
  }
  ++totals_.executed;
  --totals_.in_progress;
}

// ---------------------------------------------------------------------------------------------
// Observers

int64_t World::throttled_requests(const FleetView& view) const {
  // Individual check-ins the services turned away, plus the idle polls over capacity.
  int64_t n = background_throttled_;
  for (int64_t t : view.service_throttled) n += t;
  return n;
}

void World::account_exposure(size_t shard, double now) {
  exposure_[shard] += double(shards_[shard].devices - shard_on_target_[shard]) * (now - exposure_since_[shard]);
  exposure_since_[shard] = now;
}

void World::on_target_changed(uint32_t d, double now, int delta) {
  const size_t shard = shard_of(d);
  account_exposure(shard, now);
  shard_on_target_[shard] += delta;
  cohort_on_target_[cohort_of(d)] += delta;
  on_target_ += delta;
  if (!time_to_[kTimeToThresholds.back()])  // a threshold is still open (they close in order)
    target_changes_.push_back({now, d, delta});
}

void World::sample_row() {
  const double now = kernel_.now().value;
  if (!rows_.empty() && rows_.back().t == now) return;  // the final sample may coincide
  // Every open download holds exactly one CDN connection.
  assert(cdn_connections_ == state_counts_[size_t(DeviceState::Downloading)] +
                                 state_counts_[size_t(DeviceState::Stalled)]);
  const FleetView view = synchronise();
  TimeseriesRow row;
  row.t = now;
  row.states = view.states;
  row.versions = view.versions;
  for (size_t r = 0; r < scenario_.regions.size(); ++r) {
    row.active_transfers.push_back(uint32_t(region_total(view.active_transfers, r)));
    row.egress_bps.push_back(region_total(view.throughput, r) * 8.0);
    row.capacity_bps.push_back(region_capacity_[r] * region_capacity_factor(int(r)) * 8.0);
  }
  if (!unlimited_requests_) row.update_capacity_per_s = scenario_.platform.update_service_capacity.value * brownout_factor_;
  row.cdn_connections = view.cdn_connections;
  // Background check-ins over the interval, integrated per second, plus individual requests.
  double background = 0, overflow = 0;
  for (size_t s = 0; s < shards_.size(); ++s) {
    const double cap = unlimited_requests_ ? -1 : update_service_[s].capacity_now();
    for (double t = last_sample_; t < now; t += 1.0) {
      double b = shard_background_rate(t, false, s) * std::min(1.0, now - t);
      background += b;
      if (cap >= 0) overflow += std::max(0.0, b - cap);
    }
  }
  const double span = now - last_sample_;
  row.requests_per_s = span > 0 ? (background + double(view.interval_requests)) / span : 0.0;
  row.throttled = view.interval_throttled + int64_t(std::llround(overflow));
  background_throttled_ += int64_t(std::llround(overflow));
  row.refused = view.interval_refused;
  row.released = view.totals.in_progress + view.totals.executed + view.totals.canceled + view.totals.withdrawn;
  row.held_back = held_back(view.totals);
  row.failures = view.totals.failures[size_t(FailureType::Any)];
  row.notified = view.totals.notified;
  row.cohort_on_target = view.cohort_on_target;
  for (const WaveTally& w : view.totals.waves) row.wave_succeeded.push_back(w.succeeded);
  row.rollout_state = to_string(controller_->state());
  row.wave = controller_->current_wave();
  rows_.push_back(std::move(row));
  interval_requests_ = interval_throttled_ = interval_refused_ = 0;
  last_sample_ = now;
}

std::optional<double> World::metric_number(AssertionMetric m) {
  const FleetView v = synchronise();
  const double n = double(device_count_);
  auto st = [&](DeviceState s) { return double(v.states[size_t(s)]); };
  auto sum = [](const std::vector<double>& per_region) {
    double total = 0;
    for (double x : per_region) total += x;
    return total;
  };
  auto regional_peak = [&](auto per_region) {
    double peak = 0;
    for (size_t r = 0; r < scenario_.regions.size(); ++r) peak = std::max(peak, double(per_region(r)));
    return peak;
  };
  switch (m) {
    case AssertionMetric::FleetOnTargetFraction: return n > 0 ? double(v.on_target) / n : 0.0;
    case AssertionMetric::FleetOnTarget: return double(v.on_target);
    case AssertionMetric::DevicesUpdated: return st(DeviceState::Updated);
    case AssertionMetric::DevicesFailed: return double(v.totals.failures[size_t(FailureType::Any)]);
    case AssertionMetric::DevicesBricked: return st(DeviceState::Bricked);
    case AssertionMetric::DevicesRolledBack: return st(DeviceState::RolledBack);
    case AssertionMetric::DevicesTimedOut: return st(DeviceState::TimedOut);
    case AssertionMetric::DevicesDownloadFailed: return st(DeviceState::DownloadFailed);
    case AssertionMetric::DevicesInstallFailed: return st(DeviceState::InstallFailed);
    case AssertionMetric::DevicesPending: return double(v.totals.in_progress);
    case AssertionMetric::DevicesExcluded: return double(excluded());
    case AssertionMetric::DevicesHeldBack: return double(held_back(v.totals));
    case AssertionMetric::DevicesCorruptDownloads: return double(v.corrupt_downloads);
    case AssertionMetric::RolloutState: return std::nullopt;  // a text: metric_text
    case AssertionMetric::RolloutTimeTo50: return time_to_.at(50);
    case AssertionMetric::RolloutTimeTo90: return time_to_.at(90);
    case AssertionMetric::RolloutTimeTo95: return time_to_.at(95);
    case AssertionMetric::RolloutTimeTo99: return time_to_.at(99);
    case AssertionMetric::RolloutWavesCompleted: {
      double k = 0;
      for (const auto& w : controller_->waves()) k += w.result == "passed";
      return k;
    }
    case AssertionMetric::PlatformPeakEgressBps:
      return regional_peak([&](size_t r) { return region_total(v.peak_throughput, r) * 8.0; });
    case AssertionMetric::PlatformPeakConcurrentTransfers:
      return regional_peak([&](size_t r) { return region_total(v.peak_active, r); });
    case AssertionMetric::PlatformRefusedConnections: return double(v.refused);
    case AssertionMetric::PlatformThrottledRequests: return double(throttled_requests(v));
    case AssertionMetric::BytesDelivered: return sum(v.bytes_delivered);
    case AssertionMetric::BytesRetransmitted: return sum(v.bytes_retransmitted);
    case AssertionMetric::ExposureDeviceHoursOld: return sum(v.exposure) / 3600.0;
  }
  return std::nullopt;
}

std::string World::metric_text(AssertionMetric m) const {
  return m == AssertionMetric::RolloutState ? std::string(to_string(controller_->state())) : std::string();
}

void World::snapshot_assertion(uint32_t index) {
  if (assertion_taken_[index]) return;
  assertion_taken_[index] = true;
  const Assertion& a = scenario_.assertions[index];
  if (metric_info(a.metric).kind == MetricKind::Text) assertion_texts_[index] = metric_text(a.metric);
  else assertion_numbers_[index] = metric_number(a.metric);
}

AssertionResult World::evaluate(const Assertion& a, std::optional<double> number, const std::string& text) const {
  static const char* ops[] = {">=", ">", "<=", "<", "==", "!="};
  AssertionResult r;
  r.metric = metric_info(a.metric).name;
  r.at = a.at ? units::format_duration(*a.at) : "end";
  r.op = ops[size_t(a.op)];
  r.pointer = a.pointer;
  auto compare = [&](auto x, auto y) {
    switch (a.op) {
      case CompareOp::Ge: return x >= y;
      case CompareOp::Gt: return x > y;
      case CompareOp::Le: return x <= y;
      case CompareOp::Lt: return x < y;
      case CompareOp::Eq: return x == y;
      case CompareOp::Ne: return x != y;
    }
    return false;
  };
  // The threshold as the scenario wrote it, the value in the metric's unit: both are what an
  // assertion's "value" accepts.
  r.expected = a.written;
  if (a.text) {
    r.actual = text;
    r.passed = compare(text, *a.text);
    return r;
  }
  if (!number) {
    r.actual = "null";
    r.passed = false;
    return r;
  }
  r.actual = format_metric_value(a.metric, *number);
  r.passed = compare(*number, a.number.value_or(0));
  return r;
}

Results World::results() {
  const FleetView v = synchronise();
  Results res;
  res.scenario_name = scenario_.name;
  res.scenario_file = scenario_.file;
  res.seed = scenario_.seed;
  res.start = scenario_.start_text;
  res.start_unix = scenario_.start_unix;
  res.scenario_document = scenario_.document;
  res.duration = scenario_.duration.value;
  res.devices = device_count_;
  res.eligible = eligible_;
  res.excluded = excluded();
  res.held_back = held_back(v.totals);
  res.cohort_targeted = cohort_targeted_;
  res.target_version = scenario_.firmware.target;
  res.versions = versions_;
  res.target_index = target_version_;
  for (size_t c = 0; c < scenario_.cohorts.size(); ++c) {
    res.cohort_names.push_back(scenario_.cohorts[c].name);
    res.cohort_models.push_back(scenario_.cohorts[c].model);
    res.cohort_regions.push_back(scenario_.cohorts[c].region);
  }
  res.cohort_first = cohort_first_;
  res.rollout_state = to_string(controller_->state());
  res.decisions = controller_->decisions();
  res.waves = controller_->waves();
  res.wave_tallies = v.totals.waves;
  res.final_states = v.states;
  res.final_versions = v.versions;
  res.on_target = v.on_target;
  res.time_to = time_to_;
  for (size_t r = 0; r < scenario_.regions.size(); ++r)
    res.regions.push_back({scenario_.regions[r].name, region_capacity_[r] * 8.0,
                           region_total(v.peak_throughput, r) * 8.0, uint32_t(region_total(v.peak_active, r))});
  res.cdn_max_connections = scenario_.platform.cdn_max_connections;
  res.update_service_capacity = scenario_.platform.update_service_capacity.value;
  res.refused_connections = v.refused;
  res.throttled_requests = throttled_requests(v);
  for (int64_t b : v.broker_throttled) res.broker_refused += b;
  res.corrupt_downloads = v.corrupt_downloads;
  for (size_t s = 0; s < shards_.size(); ++s) {  // shard order, whatever the ranks
    res.bytes_delivered += v.bytes_delivered[s];
    res.bytes_retransmitted += v.bytes_retransmitted[s];
    res.exposure_device_hours_old += v.exposure[s];
  }
  res.exposure_device_hours_old /= 3600.0;
  for (size_t m = 0; m < fleet_models_.size(); ++m) {
    ModelResult mr{fleet_models_[m], 0, int64_t(model_images_[m].full.value), 0.0};
    for (const CohortInfo& c : cohorts_)
      if (c.fleet_model == m) mr.devices += c.count;
    for (size_t s = 0; s < shards_.size(); ++s)  // shard order, whatever the ranks
      mr.bytes_delivered += v.model_bytes_delivered[s * fleet_models_.size() + m];
    res.models.push_back(std::move(mr));
  }
  for (size_t i = 0; i < scenario_.assertions.size(); ++i)
    res.assertions.push_back(evaluate(scenario_.assertions[i], assertion_numbers_[i], assertion_texts_[i]));
  res.update_duration_histogram = v.histogram;
  res.histogram_bin = histogram_bin_;
  res.timeseries = rows_;
  if (options_.trace_devices) gather_traces(res);
  return res;
}

void World::gather_traces(Results& res) const {
  // Each rank sends its records range by range; rank 0 knows every rank's ranges and puts each
  // record at its device id.
  struct Record {
    DeviceTrace trace;
    uint16_t initial_version, version;
    DeviceState state;
  };
  static_assert(std::is_trivially_copyable_v<Record>);
  std::vector<Record> mine;
  for_each_owned_in(-1, [&](uint32_t d) {
    const Device& dev = lifecycle_.device(d);
    mine.push_back({traces_[d], dev.initial_version, dev.version, dev.state});
  });
  const std::vector<std::byte> all = comm_->gather(
      std::span<const std::byte>(reinterpret_cast<const std::byte*>(mine.data()), mine.size() * sizeof(Record)));
  if (comm_->rank() != 0) return;
  res.traced = true;
  const size_t n = size_t(device_count_);
  res.traces.resize(n);
  res.initial_version.resize(n);
  res.final_version.resize(n);
  res.final_state.resize(n);
  size_t at = 0;
  for (int rank = 0; rank < comm_->size(); ++rank)
    for (const DeviceRange& dr : ranges_of_rank(rank))
      for (uint32_t d = dr.first; d < dr.first + dr.count; ++d, at += sizeof(Record)) {
        Record rec;
        std::memcpy(&rec, all.data() + at, sizeof rec);
        res.traces[d] = rec.trace;
        res.initial_version[d] = rec.initial_version;
        res.final_version[d] = rec.version;
        res.final_state[d] = rec.state;
      }
}

}  // namespace fleetsim
