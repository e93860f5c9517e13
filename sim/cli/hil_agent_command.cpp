#include "sim/cli/hil_agent_command.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "hil/agent/ddi_server.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/exit_codes.hpp"

namespace fleetsim::hil {

namespace {

std::chrono::milliseconds millis(double seconds) { return std::chrono::milliseconds(std::llround(seconds * 1000)); }

double since(const std::optional<DdiClock::time_point>& from, const std::optional<DdiClock::time_point>& to) {
  return from && to ? std::chrono::duration<double>(*to - *from).count() : -1;
}

bool closed(const DdiControllerStatus& s) {
  return s.phase == DdiPhase::kSucceeded || s.phase == DdiPhase::kFailed || s.phase == DdiPhase::kCanceled;
}

// Why the board did not poll, from what the server saw.
std::string no_poll_reason(const BoardSpec& board, const DdiServer& server, const DdiControllerStatus& s) {
  if (s.unauthorized > 0)
    return std::to_string(s.unauthorized) + " request(s) refused with 401: the agent's target token is not the "
           "board's \"token\" in boards.json";
  return "no request from " + board.id + " at " + server.base_url() + "/" + server.tenant() + "/controller/v1/" +
         board.id + " (check the agent's server URL, tenant and device id, e.g. swupdate -u \"-u " + server.base_url() +
         " -t " + server.tenant() + " -i " + board.id + "\")";
}

int write_transcript(const AgentCommandOptions& o, const DdiControllerStatus& s) {
  if (o.transcript_file.empty()) return exit_code::kOk;
  if (std::string err = write_files_atomically({{o.transcript_file, s.transcript}}); !err.empty()) {
    std::cerr << "fleetsim hil: " << err << "\n";
    return exit_code::kInfrastructure;
  }
  return exit_code::kOk;
}

}  // namespace

int run_agent_operation(const std::string& op, const BoardSpec& board, const std::string& image,
                        const AgentCommandOptions& options) {
  if (board.agent != BoardAgent::kSwupdate) {
    std::cerr << "fleetsim hil: board " << board.id << " is a " << board_agent_name(board.agent)
              << " agent board: fleetsim hil serves only swupdate (hawkBit DDI) agents so far\n";
    return exit_code::kBadInput;
  }
  std::error_code ec;
  if (op == "flash" && !std::filesystem::is_regular_file(image, ec)) {
    std::cerr << "fleetsim hil: cannot read IMAGE " << image << " (expected a signed SWUpdate image, .swu)\n";
    return exit_code::kBadInput;
  }
  DdiServerOptions server_options;
  server_options.listen = options.listen;
  server_options.tenant = options.tenant;
  std::unique_ptr<DdiServer> server;
  try {
    server = std::make_unique<DdiServer>(server_options);
    server->add_controller(board.id, board.token);
  } catch (const std::invalid_argument& e) {
    std::cerr << "fleetsim hil: " << e.what() << "\n";
    return exit_code::kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "fleetsim hil: " << e.what() << "\n";
    return exit_code::kInfrastructure;
  }
  const auto start = DdiClock::now();
  std::string action;
  if (op == "flash") {
    DdiDeployment deployment;
    deployment.artifacts = {image};
    try {
      action = server->offer(board.id, deployment);
    } catch (const std::exception& e) {
      std::cerr << "fleetsim hil: " << e.what() << "\n";
      return exit_code::kInfrastructure;
    }
  }
  std::cerr << "fleetsim hil: serving hawkBit DDI at " << server->base_url() << "/" << options.tenant
            << "/controller/v1/" << board.id << ", waiting up to " << options.poll_timeout_s << " s for a poll\n";
  const bool polled = server->wait_until(board.id, [](const DdiControllerStatus& s) { return s.polls > 0; },
                                         millis(options.poll_timeout_s));
  DdiControllerStatus s = server->status(board.id);
  if (!polled) {
    std::cerr << "fleetsim hil: board " << board.id << " did not poll within " << options.poll_timeout_s
              << " s: " << no_poll_reason(board, *server, s) << "\n";
    write_transcript(options, s);
    return exit_code::kInfrastructure;
  }
  if (op == "probe") {
    std::printf("%s: polled after %.3f s%s%s\n", board.id.c_str(), since(start, s.last_poll_at),
                s.config_data.is_null() ? "" : ", attributes ", s.config_data.is_null() ? "" : s.config_data.dump().c_str());
    return write_transcript(options, s);
  }
  const bool done = server->wait_until(board.id, closed, millis(options.update_timeout_s));
  s = server->status(board.id);
  if (const int code = write_transcript(options, s); code != exit_code::kOk) return code;
  if (!done) {
    std::cerr << "fleetsim hil: board " << board.id << " did not close action " << action << " within "
              << options.update_timeout_s << " s (it is " << ddi_phase_name(s.phase) << "; last feedback: "
              << (s.details.empty() ? "none" : s.details.back()) << ")\n";
    return exit_code::kInfrastructure;
  }
  std::fprintf(stderr,
               "fleetsim hil: %s: action %s %s; poll with the link +%.3f s, deployment +%.3f s, first artifact "
               "request +%.3f s, closed +%.3f s\n",
               board.id.c_str(), action.c_str(), ddi_phase_name(s.phase), since(start, s.link_polled_at),
               since(start, s.deployment_fetched_at), since(start, s.download_started_at), since(start, s.closed_at));
  if (s.phase == DdiPhase::kSucceeded) {
    std::printf("%s: updated with %s\n", board.id.c_str(), std::filesystem::path(image).filename().c_str());
    return exit_code::kOk;
  }
  // SWUpdate reports "All Chunks Installed." when the image is written; a failure after that came
  // from the boot that should have confirmed it: the board went back to its previous image.
  const bool installed = std::find(s.details.begin(), s.details.end(), "All Chunks Installed.") != s.details.end();
  std::printf("%s: %s (%s)\n", board.id.c_str(),
              installed ? "update reverted: the new image failed after its reboot" : "update failed",
              s.details.empty() ? "no details" : s.details.back().c_str());
  for (const auto& d : s.details)
    if (d.find("ERROR") != std::string::npos) std::printf("  %s\n", d.c_str());
  return exit_code::kFailed;
}

}  // namespace fleetsim::hil
