#include "sim/cli/board_lock_options.hpp"

#include <cmath>

namespace po = boost::program_options;

namespace fleetsim {

void add_board_lock_options(po::options_description& options) {
  options.add_options()
      ("board-wait", po::value<double>()->default_value(0),
       "seconds to wait for a board another run holds before exiting 3 \"board busy\" (default 0: at once, "
       "so a CI job on a busy bench fails fast and the CI's retry or queue decides)")
      ("board-lock-dir", po::value<std::string>(),
       "directory of the board reservation locks (default: boards.json's \"lock_dir\", else /var/lock/fleetsim); "
       "every run that shares the boards must use the same one");
}

std::optional<hil::BoardLockOptions> board_lock_options(const po::variables_map& vm, const std::string& command,
                                                        std::string& error) {
  hil::BoardLockOptions out;
  const double wait = vm["board-wait"].as<double>();
  if (!(std::isfinite(wait) && wait >= 0 && wait <= 86400)) {
    error = "--board-wait: expected seconds between 0 and 86400";
    return std::nullopt;
  }
  out.wait = std::chrono::milliseconds(std::llround(wait * 1000));
  if (vm.count("board-lock-dir")) out.dir = vm["board-lock-dir"].as<std::string>();
  out.command = command;
  return out;
}

}  // namespace fleetsim
