// Executing a sweep plan (sim/scenario/sweep_plan.hpp) as separate `fleetsim run` processes in
// parallel. A finished run leaves a point.json in its directory, so running the same sweep again
// skips the runs whose results are complete (their manifest verifies and its run id is the one
// point.json recorded: resume); under an MPI launcher rank 0 collects every
// run's results from OUT/runs/.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/scenario/sweep_plan.hpp"

namespace fleetsim {

// What identifies the program that computes a run: the SHA-256 of its executable, so that any
// rebuild counts as a different program. "" with `error` set when it cannot be read.
std::string program_build_id(const std::string& executable, std::string& error);

// The key of a run: the SHA-256 of the program's build id and the effective scenario (the
// document after every --set, --vary and the seed) as canonical JSON. A finished run is reused
// only when its key is the same: a changed scenario file, a changed override or a new build
// computes it again.
std::string run_key(const std::string& scenario_document, const std::string& build_id);

// Sets every run's key; false with `error` set when a point does not load.
bool assign_run_keys(const SweepSpec& spec, const std::string& build_id, std::vector<SweepRun>& runs,
                     std::string& error);

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
bool load_other_ranks_runs(const SweepShare& share, std::vector<SweepRun>& runs,
                           std::string& error);

}  // namespace fleetsim
