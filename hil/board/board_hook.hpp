// Running a board's power or reset hook from boards.json: an argv array executed directly
// (posix_spawnp, no shell), with a time limit after which it is killed.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace fleetsim::hil {

struct HookRun {
  bool ok = false;      // started, exited 0 within the time limit
  std::string message;  // why not, e.g. "uhubctl exited 1" or "cannot start x: No such file"
};

HookRun run_hook(const std::vector<std::string>& argv, std::chrono::milliseconds limit);

// What to try when a board does not come back after a reset: its `reset` hook, else a power
// cycle (power_off, a pause, power_on); empty when it has neither. `log` hears what ran.
std::function<bool()> board_recovery(const std::vector<std::string>& reset, const std::vector<std::string>& power_off,
                                     const std::vector<std::string>& power_on,
                                     std::function<void(const std::string&)> log = {});

}  // namespace fleetsim::hil
