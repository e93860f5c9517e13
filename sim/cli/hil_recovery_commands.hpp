// `fleetsim hil reset|confirm|erase|state BOARD`: bringing a board back to a known state by hand
// (README "Hardware in the loop", recovery). The same actions the known-state step takes before a
// gate (hil/board/known_state.hpp). Exit codes: 0 done, 2 usage, 3 the board did not answer or
// refused (the message names the board and says what to try).
#pragma once

#include <string>

#include "hil/board/board_inventory.hpp"

namespace fleetsim::hil {

// True for reset, confirm, erase and state.
bool is_recovery_operation(const std::string& op);

int run_recovery_operation(const std::string& op, const BoardSpec& board, double reboot_timeout);

}  // namespace fleetsim::hil
