// The update server an agent board polls, as `fleetsim hil probe|flash` sees it: hawkBit DDI for
// swupdate boards (hil/agent), the Mender device API for mender boards (hil/mender). The flow
// around it (wait for a poll, offer, wait for the final status, exit code, timings, transcript) is
// one piece of code, run_agent_operation.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hil/board/board_inventory.hpp"
#include "sim/cli/hil_agent_command.hpp"

namespace fleetsim::hil {

using AgentClock = std::chrono::steady_clock;

struct AgentUpdateProgress {
  std::optional<AgentClock::time_point> first_poll_at;
  bool finished = false;   // the agent's final status arrived
  bool succeeded = false;
  bool rebooted = false;   // the new image was installed and booted: a failure now is a revert
  std::string state;       // where the update is, for a timeout message
  std::string last_detail;            // the agent's last word (feedback details, log message)
  std::vector<std::string> errors;    // the agent's error lines
  std::vector<std::pair<std::string, std::optional<AgentClock::time_point>>> milestones;  // for the timings line
  std::string attributes;  // what the board reported about itself ("" = nothing yet)
  std::string transcript;
};

class AgentUpdateService {
 public:
  virtual ~AgentUpdateService() = default;
  // "hawkBit DDI at http://…/DEFAULT/controller/v1/gw-1": where the board should poll.
  virtual std::string serving() const = 0;
  // A one-device deployment of `image`; its name ("action 1"). Throws std::invalid_argument for a
  // bad image, std::runtime_error when it cannot be read.
  virtual std::string offer(const std::filesystem::path& image) = 0;
  // Waits until `done` holds, at most `timeout`; whether it held.
  virtual bool wait_until(const std::function<bool(const AgentUpdateProgress&)>& done, std::chrono::milliseconds timeout) = 0;
  virtual AgentUpdateProgress progress() const = 0;
  // Why the board did not poll, from what the server saw, with what to check.
  virtual std::string no_poll_reason() const = 0;
};

// Both throw std::invalid_argument for a bad set-up (exit 2), std::runtime_error when they
// cannot listen (exit 3).
std::unique_ptr<AgentUpdateService> make_ddi_update_service(const BoardSpec& board, const AgentCommandOptions& options);
std::unique_ptr<AgentUpdateService> make_mender_update_service(const BoardSpec& board, const AgentCommandOptions& options);

}  // namespace fleetsim::hil
