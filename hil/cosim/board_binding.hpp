// Setting up `fleetsim run SCENARIO --boards boards.json` (README "Hardware in the loop"): loads the inventory
// and the scenario's hil image, health-checks every board (a board that fails is left out and
// reported as an infrastructure error), binds each healthy board to a device slot of the
// scenario's hil scope (wave:N or cohort:NAME) whose model it stands for, and attaches the bridge
// to the world and the kernel.
#pragma once

#include <memory>
#include <string>

#include "hil/board/board_lock.hpp"
#include "hil/cosim/hil_bridge.hpp"
#include "sim/core/exit_codes.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/model/world.hpp"

namespace fleetsim::hil {

struct HilSetup {
  std::unique_ptr<HilBridge> bridge;  // null when setup failed
  int exit_code = exit_code::kOk;     // kBadInput: the inventory, the image, no slot for a board
  std::string error;                  // lines to print when it failed
  BoardReservation reservation;       // the boards' locks: keep them until the run is over
};

// Every board is reserved (board_lock.hpp) before it is touched; a board another run holds makes
// the setup fail with exit code 3 (kInfrastructure).
HilSetup attach_boards(const Scenario& scenario, World& world, Kernel& kernel, const std::string& boards_file,
                       HilBridge::Log log, BoardLockOptions lock = {});

}  // namespace fleetsim::hil
