// `fleetsim hil probe|flash` for agent boards (boards.json "agent"): fleetsim serves the agent's
// update API (hil/agent) and waits for the board to poll. Probe: a poll arrives. Flash: a
// one-device deployment of a .swu, from the poll that links it to the agent's closing feedback.
#pragma once

#include <string>

#include "hil/board/board_inventory.hpp"

namespace fleetsim::hil {

struct AgentCommandOptions {
  std::string listen = "127.0.0.1:8080";  // where the board's agent is configured to poll
  std::string tenant = "DEFAULT";
  double poll_timeout_s = 120;    // for the first poll
  double update_timeout_s = 900;  // from the first poll to the closing feedback
  std::string transcript_file;    // "" = none
};

// op is "probe" or "flash" (image: the .swu); returns the exit code after printing the outcome.
int run_agent_operation(const std::string& op, const BoardSpec& board, const std::string& image,
                        const AgentCommandOptions& options);

}  // namespace fleetsim::hil
