// Setting up `fleetsim run SCENARIO --boards boards.json` (README "Hardware in the loop"): checks the
// inventory, the scenario's hil image and baseline and a slot for every board (hil_inputs.hpp),
// health-checks every board and brings it to a known state (hil/board/known_state.hpp; a board that
// fails either is left out and reported as an infrastructure error), binds each to a device slot of
// the scenario's hil scope (wave:N or cohort:NAME) whose model it stands for, and attaches the
// bridge to the world and the kernel. The boards are distinct, so each is checked and brought to
// its known state on a thread of its own; they are bound in inventory order.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

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
  // HilRunOptions::stop said so before every board was ready (bridge null, error empty): the run
  // writes an interrupted result.
  bool interrupted = false;
  // With `interrupted`: the boards whose step had not ended kAbandonAfter after the stop. Their
  // threads cannot be cancelled inside a board request, so the process must end without returning
  // from main (std::_Exit).
  std::vector<std::string> abandoned;
};

struct HilRunOptions {
  int infra_retries = 0;  // see HilBridge::set_infra_retries
  BoardLockOptions lock;  // where and how long to wait for the boards' reservations
  // Polled while the boards are checked and brought to their known state (every 50 ms, and inside
  // their waits after a reset): true (SIGINT/SIGTERM) interrupts the setup.
  std::function<bool()> stop;
};

// How long an interrupted setup waits for the boards' steps to end: a board between requests or
// in a wait after a reset ends within one probe (0.2 s); one in a long request or an upload does not.
inline constexpr std::chrono::milliseconds kAbandonAfter{1000};

// Every board is reserved (board_lock.hpp) before it is touched; a board another run holds makes
// the setup fail with exit code 3 (kInfrastructure).
HilSetup attach_boards(const Scenario& scenario, World& world, Kernel& kernel, const std::string& boards_file,
                       HilBridge::Log log, const HilRunOptions& options = {});

}  // namespace fleetsim::hil
