#include "sim/scenario/sweep_plan.hpp"

#include <algorithm>
#include <unordered_set>

#include "sim/core/exit_codes.hpp"

namespace fleetsim {

std::optional<SweepAxis> parse_sweep_axis(const std::string& text, std::string& error) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    error = "--vary \"" + text + "\" is not PATH=VALUE,VALUE,… (e.g. --vary rollout.max_concurrent=10000,50000)";
    return std::nullopt;
  }
  SweepAxis axis;
  axis.path = text.substr(0, eq);
  std::string rest = text.substr(eq + 1);
  std::unordered_set<std::string> seen;  // a set: a pasted list of a million values stays linear
  size_t start = 0;
  while (start <= rest.size()) {
    const size_t comma = rest.find(',', start);
    const std::string value = rest.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (value.empty()) {
      error = "--vary \"" + text + "\" has an empty value (expected values separated by single commas)";
      return std::nullopt;
    }
    if (!seen.insert(value).second) {
      error = "--vary \"" + text + "\" lists " + value + " twice";
      return std::nullopt;
    }
    axis.values.push_back(value);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return axis;
}

std::string sweep_spec_problem(const SweepSpec& spec) {
  for (size_t a = 0; a < spec.axes.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      if (spec.axes[a].path == spec.axes[b].path)
        return "--vary " + spec.axes[a].path + " is given twice (expected each path once: list all its values in one --vary)";
  size_t runs = size_t(std::max(spec.seeds, 1));
  for (const SweepAxis& axis : spec.axes) {
    if (axis.values.size() > kMaxSweepRuns || runs * axis.values.size() > kMaxSweepRuns)
      return "the sweep has more than " + std::to_string(kMaxSweepRuns) +
             " runs (--vary values multiplied together and by --seeds; expected at most " +
             std::to_string(kMaxSweepRuns) + ": split it into several sweeps)";
    runs *= axis.values.size();
  }
  return "";
}

std::vector<SweepRun> plan_sweep(const SweepSpec& spec, uint64_t base_seed) {
  std::vector<SweepRun> runs;
  std::vector<size_t> index(spec.axes.size(), 0);
  for (;;) {
    for (int s = 0; s < spec.seeds; ++s) {
      SweepRun run;
      for (size_t a = 0; a < spec.axes.size(); ++a) run.values.push_back(spec.axes[a].values[index[a]]);
      run.seed = base_seed + uint64_t(s);
      std::string name = "run";
      for (size_t a = 0; a < spec.axes.size(); ++a) name += "-" + std::to_string(index[a]);
      name += "-seed" + std::to_string(run.seed);
      run.dir = spec.out_dir + "/runs/" + name;
      runs.push_back(std::move(run));
    }
    // Odometer over the axes, the last one fastest.
    size_t a = spec.axes.size();
    while (a > 0) {
      --a;
      if (++index[a] < spec.axes[a].values.size()) break;
      index[a] = 0;
      if (a == 0) return runs;
    }
    if (spec.axes.empty()) return runs;
  }
}

std::vector<std::string> run_overrides(const SweepSpec& spec, const SweepRun& run) {
  std::vector<std::string> sets = spec.sets;
  for (size_t a = 0; a < spec.axes.size(); ++a) sets.push_back(spec.axes[a].path + "=" + run.values[a]);
  sets.push_back("seed=" + std::to_string(run.seed));
  return sets;
}

std::vector<std::string> run_override_names(const SweepSpec& spec, const SweepRun& run) {
  std::vector<std::string> names(spec.sets.size());
  for (size_t a = 0; a < spec.axes.size(); ++a) names.push_back("--vary " + spec.axes[a].path + "=" + run.values[a]);
  names.push_back("--seeds " + std::to_string(spec.seeds));
  return names;
}

SweepVerdict sweep_verdict(const SweepRun& run) {
  if (run.exit_code == exit_code::kOk) return SweepVerdict::Pass;
  if (run.exit_code == exit_code::kFailed) return SweepVerdict::Fail;
  return SweepVerdict::Error;
}

const char* verdict_name(SweepVerdict v) {
  switch (v) {
    case SweepVerdict::Pass: return "pass";
    case SweepVerdict::Fail: return "fail";
    case SweepVerdict::Error: break;
  }
  return "error";
}

std::vector<AssertionMetric> default_sweep_metrics() {
  return {AssertionMetric::RolloutState,
          AssertionMetric::FleetOnTargetFraction,
          AssertionMetric::RolloutTimeTo90,
          AssertionMetric::RolloutTimeTo99,
          AssertionMetric::DevicesBricked,
          AssertionMetric::DevicesRolledBack,
          AssertionMetric::PlatformPeakEgressBps,
          AssertionMetric::PlatformPeakConcurrentTransfers,
          AssertionMetric::PlatformRefusedConnections,
          AssertionMetric::PlatformThrottledRequests,
          AssertionMetric::BytesDelivered};
}

}  // namespace fleetsim
