// How much memory a run of a scenario will take at its peak, computed from the scenario before
// anything is allocated, so that `fleetsim run` can refuse a run the machine cannot hold (exit 2
// with the estimate and the limit) instead of dying of out-of-memory hours in. The terms follow
// what the World keeps: a record and pending events per device, a time-series row per sample,
// a trace per device with --trace-devices, and the output files built in memory at the end.
#pragma once

#include <cstdint>
#include <string>

#include "sim/scenario/scenario.hpp"

namespace fleetsim {

struct MemoryEstimate {
  uint64_t bytes = 0;    // peak resident memory
  std::string terms;     // "100000 devices × 164 B + 7201 samples × 1.2 KiB + 60 MiB base"
};

// The peak of the whole fleet in one process, on the native kernel or SimGrid.
MemoryEstimate estimate_run_memory(const Scenario& scenario, bool trace_devices, bool simgrid = false);

}  // namespace fleetsim
