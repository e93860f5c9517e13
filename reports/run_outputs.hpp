// The set of files one run writes into its output directory (DESIGN.md §8), as (file name,
// content) pairs; the caller writes them together with write_files_atomically.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "reports/results.hpp"

namespace fleetsim {

std::vector<std::pair<std::string, std::string>> run_output_files(const Results& results, const RunStats& stats);

}  // namespace fleetsim
