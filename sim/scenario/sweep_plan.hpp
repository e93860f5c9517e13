// The plan of a parameter sweep (`fleetsim sweep`): one scenario run over the cross product of
// varied fields (`--vary platform.cdn.regions.eu.egress=5Gbps,10Gbps`), each point with several
// seeds. Every run has its own directory under OUT/runs/. Under an MPI launcher the runs are
// shared out over the ranks (SweepShare). sim/cli/sweep_runs.hpp executes a plan.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/child_process.hpp"
#include "sim/scenario/assertion_metrics.hpp"

namespace fleetsim {

struct SweepAxis {
  std::string path;                 // a --set path, e.g. rollout.max_concurrent
  std::vector<std::string> values;  // as written
};

// The metrics sweep.csv and sweep.html show when no --metric picks them. Whatever is picked, they
// also show the time to 50, 90, 95 and 99 % on target; a picked rollout.time_to_* adds its chart.
std::vector<AssertionMetric> default_sweep_metrics();

struct SweepSpec {
  std::string scenario_file;
  std::vector<SweepAxis> axes;
  std::vector<std::string> sets;  // fixed --set overrides applied to every run
  std::vector<AssertionMetric> metrics = default_sweep_metrics();  // --metric: the columns and charts
  int seeds = 1;                  // seeds base, base+1, … of the scenario's seed
  int jobs = 1;
  ChildLimits limits;  // per run
  std::string out_dir;
};

// One run of the sweep: a point of the cross product and a seed.
struct SweepRun {
  std::vector<std::string> values;  // one per axis
  uint64_t seed = 0;
  std::string dir;                  // OUT/runs/NAME
  int exit_code = -1;               // of `fleetsim run` (sim/core/exit_codes.hpp)
  bool resumed = false;             // results were already complete
  std::string key;                  // what the run computes (sim/cli/sweep_runs.hpp, run_key)
  // Every metric summary.json records (reports/summary_metrics.hpp), by metric name: a number as
  // JSON writes it ("" when null), a text as it is. All of them, whichever --metric picked.
  std::map<std::string, std::string> results;
};

// What a run's exit code says: pass (exit_code::kOk), fail (kFailed: an assertion or gate failed)
// or error (any other code — bad input, infrastructure, a signal — and the run has no results).
enum class SweepVerdict { Pass, Fail, Error };
SweepVerdict sweep_verdict(const SweepRun& run);
const char* verdict_name(SweepVerdict v);  // "pass", "fail", "error"

// Which part of the runs this process executes: run i of the plan goes to rank i mod ranks.
struct SweepShare {
  int rank = 0;
  int ranks = 1;
  std::string host;  // recorded with the rank in each run's point.json: where the run ran
  bool owns(size_t run_index) const { return run_index % size_t(ranks) == size_t(rank); }
};

// Each run is a process and a results folder; a larger sweep is a mistake or many sweeps' work.
constexpr size_t kMaxSweepRuns = 10'000;

// "PATH=v1,v2,…" → an axis, or nullopt with `error` set.
std::optional<SweepAxis> parse_sweep_axis(const std::string& text, std::string& error);

// Why the spec cannot be planned — a --vary path given twice, more than kMaxSweepRuns runs —
// or "" when it can.
std::string sweep_spec_problem(const SweepSpec& spec);

// Every run of the sweep in its fixed order (axes vary slowest first, then seeds).
std::vector<SweepRun> plan_sweep(const SweepSpec& spec, uint64_t base_seed);

// The --set arguments of one run.
std::vector<std::string> run_overrides(const SweepSpec& spec, const SweepRun& run);
// How the user wrote each of them, for messages ("--vary PATH=VALUE"; "" for a --set).
std::vector<std::string> run_override_names(const SweepSpec& spec, const SweepRun& run);

}  // namespace fleetsim
