// A fleetsim-board process serving on loopback UDP (any free port) or a new pty, with its own
// state directory, and the URI the bridge reaches it at.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/hil/board_process.hpp"

namespace fleetsim::testing {

enum class BoardLink { Udp, Pty };

struct StartedBoard {
  TempDir state;
  std::unique_ptr<BoardProcess> process;
  std::string uri;

  explicit StartedBoard(BoardLink link, std::vector<std::string> extra = {}) {
    std::vector<std::string> args;
    if (link == BoardLink::Udp) args = {"--udp", "127.0.0.1:0"};
    else args = {"--pty"};
    args.insert(args.end(), {"--state-dir", state.path.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    process = std::make_unique<BoardProcess>(args);
    const auto line = process->read_line(std::chrono::seconds(10));
    REQUIRE(line);
    const std::string udp_prefix = "fleetsim-board: listening on udp ";
    const std::string pty_prefix = "fleetsim-board: listening on pty ";
    if (line->rfind(udp_prefix, 0) == 0) uri = "udp://" + line->substr(udp_prefix.size());
    else if (line->rfind(pty_prefix, 0) == 0) uri = "serial://" + line->substr(pty_prefix.size()) + "?baud=115200";
    REQUIRE(!uri.empty());
  }
};

}  // namespace fleetsim::testing
