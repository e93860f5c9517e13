// The minimal result writers (README "Outputs"). Each turns Results (or RunStats) into the text of
// one output file; the caller writes it atomically.
#pragma once

#include <string>

#include "sim/results/results.hpp"

namespace fleetsim {

std::string summary_json(const Results& results);        // deterministic
std::string timeseries_csv(const Results& results);      // deterministic, one row per interval
std::string devices_csv(const Results& results);         // deterministic, one row per device
// devices.csv's header line (without the newline), which `fleetsim compare` reads back.
extern const char* const kDevicesCsvHeader;
std::string run_json(const RunStats& stats);             // not deterministic: wall time, RSS

}  // namespace fleetsim
