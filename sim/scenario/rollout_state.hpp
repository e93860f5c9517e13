// The states a rollout can be in: the one list that the controller reports (summary.json,
// timeseries.csv, metrics), that an assertion on rollout.state may compare with, and that the
// schema and the README list.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace fleetsim {

enum class RolloutState : uint8_t { Scheduled, Running, Completed, Paused, Aborted, RolledBack };

struct RolloutStateInfo {
  const char* name;
  std::string_view help;  // one line for the README list
};

inline constexpr std::array<RolloutStateInfo, 6> kRolloutStateInfo = {{
    {"scheduled", "before rollout.start"},
    {"running", "waves are being released or soaked"},
    {"completed", "every wave passed its gate"},
    {"paused", "a gate or abort criterion with action pause fired"},
    {"aborted", "a gate or abort criterion with action abort fired"},
    {"rolled_back", "a gate or abort criterion with action rollback fired"},
}};

// The names alone, in enum order (the rollout_state gauge lists them in this order).
inline constexpr std::array<const char*, kRolloutStateInfo.size()> kRolloutStates = [] {
  std::array<const char*, kRolloutStateInfo.size()> names{};
  for (size_t i = 0; i < names.size(); ++i) names[i] = kRolloutStateInfo[i].name;
  return names;
}();

constexpr const char* to_string(RolloutState s) { return kRolloutStates[size_t(s)]; }

}  // namespace fleetsim
