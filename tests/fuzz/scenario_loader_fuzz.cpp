// Fuzzes the scenario loader (sim/scenario): `--set` overrides, one per line, in the first part,
// the scenario document in the second (an input without the separator is a document alone).
// Whatever the bytes, loading must end in a scenario or in problems, never in a crash.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/fuzz/fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> parts = fleetsim::fuzz::split_parts(data, size, 2);
  if (std::string_view(reinterpret_cast<const char*>(data), size).find(fleetsim::fuzz::kPartSeparator) ==
      std::string_view::npos)
    parts = {"", std::move(parts[0])};
  std::vector<std::string> sets;
  for (std::size_t begin = 0; begin < parts[0].size();) {
    std::size_t end = parts[0].find('\n', begin);
    if (end == std::string::npos) end = parts[0].size();
    sets.push_back(parts[0].substr(begin, end - begin));
    begin = end + 1;
  }
  const fleetsim::LoadResult r = fleetsim::load_scenario_text(parts[1], "fuzz.json", sets);
  if (!r.scenario && r.problems.empty()) __builtin_trap();  // rejected without saying why
  (void)r.format("fuzz.json");
  return 0;
}
