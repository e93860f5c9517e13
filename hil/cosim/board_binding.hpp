// Setting up `fleetsim run SCENARIO --boards boards.json` (README "Hardware in the loop"): checks the
// inventory, the scenario's hil image and baseline and a slot for every board (hil_inputs.hpp),
// health-checks every board and brings it to a known state (hil/board/known_state.hpp; a board that
// fails either is left out and reported as an infrastructure error), binds each to a device slot of
// the scenario's hil scope (wave:N or cohort:NAME) whose model it stands for, and attaches the
// bridge to the world and the kernel.
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
  // kBadInput: the inventory, the images, no slot for a board; kInfrastructure: a board runs
  // another version than its device starts on and there is no baseline to flash.
  int exit_code = exit_code::kOk;
  std::string error;                  // lines to print when it failed
  BoardReservation reservation;       // the boards' locks: keep them until the run is over
};

struct HilRunOptions {
  int infra_retries = 0;  // see HilBridge::set_infra_retries
  BoardLockOptions lock;  // where and how long to wait for the boards' reservations
};

// Every board is reserved (board_lock.hpp) before it is touched; a board another run holds makes
// the setup fail with exit code 3 (kInfrastructure).
HilSetup attach_boards(const Scenario& scenario, World& world, Kernel& kernel, const std::string& boards_file,
                       HilBridge::Log log, const HilRunOptions& options = {});

}  // namespace fleetsim::hil
