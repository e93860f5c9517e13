// Fuzzes the reader of `fleetsim compare A B` (reports/run_comparison): the input's parts become
// A's summary.json, run.json and devices.csv and B's devices.csv (B shares A's summary.json and
// run.json), each folder committed with its manifest as `fleetsim run` does. The command catches
// no exception: a throw, like a crash, is a finding.
#include <cstdint>
#include <string>
#include <vector>

#include "reports/run_comparison.hpp"
#include "tests/fuzz/fuzz_input.hpp"
#include "tests/fuzz/results_folder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const fleetsim::fuzz::ResultsFolder a("a"), b("b");
  const std::vector<std::string> parts = fleetsim::fuzz::split_parts(data, size, 4);
  a.commit({{"summary.json", parts[0]}, {"run.json", parts[1]}, {"devices.csv", parts[2]}});
  b.commit({{"summary.json", parts[0]}, {"run.json", parts[1]}, {"devices.csv", parts[3]}});
  std::string error;
  const auto c = fleetsim::compare_runs(a.path(), b.path(), 1e-6, error);
  if (!c) {
    if (error.empty()) __builtin_trap();  // rejected without saying why
    return 0;
  }
  (void)fleetsim::format_comparison(*c);
  return 0;
}
