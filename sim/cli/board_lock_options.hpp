// --board-wait and --board-lock-dir, shared by `fleetsim run --boards` and `fleetsim hil …`
// (README "Sharing a bench"): how long to wait for a board another run holds, and where the
// reservation locks live.
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>

#include "hil/board/board_lock.hpp"

namespace fleetsim {

void add_board_lock_options(boost::program_options::options_description& options);

// The options of this command line; nullopt after a bad --board-wait (`error` says why).
// `command` is what a waiting run is told holds the boards, e.g. "fleetsim run a.json --boards b.json".
std::optional<hil::BoardLockOptions> board_lock_options(const boost::program_options::variables_map& vm,
                                                        const std::string& command, std::string& error);

}  // namespace fleetsim
