// `fleetsim hil probe|flash` for agent boards (boards.json "agent"): fleetsim serves the agent's
// update API (swupdate: hawkBit DDI, hil/agent; mender: the Mender device API, hil/mender) and
// waits for the board to poll. Probe: a poll arrives. Flash: a one-device deployment of a .swu or
// .mender, from the poll that gets it to the agent's final status.
#pragma once

#include <string>

#include "hil/board/board_inventory.hpp"

namespace fleetsim::hil {

struct AgentCommandOptions {
  std::string listen = "127.0.0.1:8080";  // where the board's agent is configured to poll
  std::string tenant = "DEFAULT";  // hawkBit only
  double poll_timeout_s = 120;    // for the first poll
  double update_timeout_s = 900;  // from the first poll to the final status
  std::string transcript_file;    // "" = none
};

// op is "probe" or "flash" (image: the .swu or .mender); returns the exit code after printing the outcome.
int run_agent_operation(const std::string& op, const BoardSpec& board, const std::string& image,
                        const AgentCommandOptions& options);

}  // namespace fleetsim::hil
