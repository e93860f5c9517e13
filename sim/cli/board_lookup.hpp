// How the `fleetsim hil …` commands reach a board: BOARD as a URI or as an id in --boards FILE,
// and its SMP transport. Problems are printed; the exit code is returned through `code`.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hil/board/board_inventory.hpp"
#include "hil/transport/smp_transport.hpp"

namespace fleetsim::hil {

// Prints "fleetsim hil: MESSAGE" and where to find help; returns 2.
int hil_usage_error(const std::string& message);

// BOARD as a URI, or an id looked up in `boards_file` (empty: none given); nullopt after printing
// the problem (code 2). With `lock_dir`, the inventory's "lock_dir" is written there (unchanged
// for a URI).
std::optional<BoardSpec> resolve_board(const std::string& board, const std::string& boards_file, int& code,
                                       std::string* lock_dir = nullptr);

// The board's transport; nullptr after printing the problem, naming the board (code 3).
std::unique_ptr<SmpTransport> open_board(const BoardSpec& board, int& code);

}  // namespace fleetsim::hil
