// Parameter sweeps (`fleetsim sweep`): one scenario run over the cross product of varied fields
// (`--vary platform.cdn.regions.eu.egress=5Gbps,10Gbps`), each point with several seeds, as
// separate `fleetsim run` processes in parallel. Every run has its own directory under
// OUT/runs/; a finished run leaves a point.json there, so running the same sweep again skips
// the runs whose results are complete (resume). Under an MPI launcher the runs are shared out
// over the ranks (SweepShare) and rank 0 collects every run's results from OUT/runs/.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

struct SweepAxis {
  std::string path;                 // a --set path, e.g. rollout.max_concurrent
  std::vector<std::string> values;  // as written
};

struct SweepSpec {
  std::string scenario_file;
  std::vector<SweepAxis> axes;
  std::vector<std::string> sets;  // fixed --set overrides applied to every run
  int seeds = 1;                  // seeds base, base+1, … of the scenario's seed
  int jobs = 1;
  std::string out_dir;
};

// One run of the sweep: a point of the cross product and a seed.
struct SweepRun {
  std::vector<std::string> values;  // one per axis
  uint64_t seed = 0;
  std::string dir;                  // OUT/runs/NAME
  int exit_code = -1;               // of `fleetsim run` (0 ok, 1 an assertion failed)
  bool resumed = false;             // results were already complete
  std::map<std::string, std::string> results;  // key result → value as in summary.json
};

// Which part of the runs this process executes: run i of the plan goes to rank i mod ranks.
struct SweepShare {
  int rank = 0;
  int ranks = 1;
  std::string host;  // recorded with the rank in each run's point.json: where the run ran
  bool owns(size_t run_index) const { return run_index % size_t(ranks) == size_t(rank); }
};

// "PATH=v1,v2,…" → an axis, or nullopt with `error` set.
std::optional<SweepAxis> parse_sweep_axis(const std::string& text, std::string& error);

// Every run of the sweep in its fixed order (axes vary slowest first, then seeds).
std::vector<SweepRun> plan_sweep(const SweepSpec& spec, uint64_t base_seed);

// The --set arguments of one run.
std::vector<std::string> run_overrides(const SweepSpec& spec, const SweepRun& run);

// The key results the sweep reports, in column order.
const std::vector<std::string>& sweep_result_names();

// Runs every run of `share` not already complete with `fleetsim_exe run …`, at most spec.jobs at
// a time, in an environment without the MPI launcher's variables (a run is a process of its own,
// not a rank). `on_done(run, index)` is called as each finishes (in completion order). Returns
// false with `error` set on an infrastructure failure (cannot create a directory, cannot start a
// process, a run that crashed).
bool execute_sweep(const SweepSpec& spec, const std::string& fleetsim_exe, const SweepShare& share,
                   std::vector<SweepRun>& runs, const std::function<void(const SweepRun&, size_t)>& on_done,
                   std::string& error);

// Reads the results of the runs other ranks executed from their directories. Returns false with
// `error` naming the first run whose complete results are not there.
bool load_other_ranks_runs(const SweepSpec& spec, const SweepShare& share, std::vector<SweepRun>& runs,
                           std::string& error);

}  // namespace fleetsim
