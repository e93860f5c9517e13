// Is a board fit for use (README "Hardware in the loop")? Echo answered with the same text, mcumgr params read,
// image state read with an active slot 0. A board that fails is an infrastructure problem,
// never a firmware failure.
#pragma once

#include <string>

#include "hil/board/smp_client.hpp"

namespace fleetsim::hil {

struct BoardHealth {
  bool healthy = false;
  std::string problem;         // the first check that failed and why; empty when healthy
  double seconds = 0;          // wall time of the three checks
  McumgrParams params;         // valid when healthy
  ImageState state;            // valid when healthy
  std::string running_version; // slot 0 version when healthy
};

BoardHealth check_board_health(SmpClient& client);

}  // namespace fleetsim::hil
