// Running the scenarios shipped in scenarios/ from report tests.
#pragma once

#include <string>

#include "tests/cli_runner.hpp"

namespace fleetsim::testing {

inline std::string shipped_scenario(const std::string& name) {
  return std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/" + name;
}

// `fleetsim run scenarios/NAME --quiet --out OUT EXTRA`.
inline Cli run_shipped(const std::string& name, const std::string& out, const std::string& extra = "") {
  return run_fleetsim("run " + shell_quote(shipped_scenario(name)) + " --quiet --out " + shell_quote(out) + extra);
}

}  // namespace fleetsim::testing
