#include "sim/cli/hil_agent_command.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "sim/cli/agent_update_service.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/exit_codes.hpp"

namespace fleetsim::hil {

namespace {

std::chrono::milliseconds millis(double seconds) { return std::chrono::milliseconds(std::llround(seconds * 1000)); }

double since(AgentClock::time_point from, const std::optional<AgentClock::time_point>& to) {
  return to ? std::chrono::duration<double>(*to - from).count() : -1;
}

int write_transcript(const AgentCommandOptions& o, const AgentUpdateProgress& p) {
  if (o.transcript_file.empty()) return exit_code::kOk;
  if (std::string err = write_files_atomically({{o.transcript_file, p.transcript}}); !err.empty()) {
    std::cerr << "fleetsim hil: " << err << "\n";
    return exit_code::kInfrastructure;
  }
  return exit_code::kOk;
}

const char* expected_image(BoardAgent agent) {
  return agent == BoardAgent::kMender ? "a Mender artifact, .mender" : "a signed SWUpdate image, .swu";
}

}  // namespace

int run_agent_operation(const std::string& op, const BoardSpec& board, const std::string& image,
                        const AgentCommandOptions& options) {
  std::error_code ec;
  if (op == "flash" && !std::filesystem::is_regular_file(image, ec)) {
    std::cerr << "fleetsim hil: cannot read IMAGE " << image << " (expected " << expected_image(board.agent) << ")\n";
    return exit_code::kBadInput;
  }
  std::unique_ptr<AgentUpdateService> service;
  try {
    service = board.agent == BoardAgent::kMender ? make_mender_update_service(board, options)
                                                 : make_ddi_update_service(board, options);
  } catch (const std::invalid_argument& e) {
    std::cerr << "fleetsim hil: " << e.what() << "\n";
    return exit_code::kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "fleetsim hil: " << e.what() << "\n";
    return exit_code::kInfrastructure;
  }
  const auto start = AgentClock::now();
  std::string deployment;
  if (op == "flash") {
    try {
      deployment = service->offer(image);
    } catch (const std::invalid_argument& e) {
      std::cerr << "fleetsim hil: " << e.what() << "\n";
      return exit_code::kBadInput;
    } catch (const std::exception& e) {
      std::cerr << "fleetsim hil: " << e.what() << "\n";
      return exit_code::kInfrastructure;
    }
  }
  std::cerr << "fleetsim hil: serving " << service->serving() << ", waiting up to " << options.poll_timeout_s
            << " s for a poll\n";
  const bool polled = service->wait_until([](const AgentUpdateProgress& p) { return p.first_poll_at.has_value(); },
                                          millis(options.poll_timeout_s));
  AgentUpdateProgress p = service->progress();
  if (!polled) {
    std::cerr << "fleetsim hil: board " << board.id << " did not poll within " << options.poll_timeout_s
              << " s: " << service->no_poll_reason() << "\n";
    write_transcript(options, p);
    return exit_code::kInfrastructure;
  }
  if (op == "probe") {
    std::printf("%s: polled after %.3f s%s%s\n", board.id.c_str(), since(start, p.first_poll_at),
                p.attributes.empty() ? "" : ", attributes ", p.attributes.c_str());
    return write_transcript(options, p);
  }
  const bool done = service->wait_until([](const AgentUpdateProgress& q) { return q.finished; },
                                        millis(options.update_timeout_s));
  p = service->progress();
  if (const int code = write_transcript(options, p); code != exit_code::kOk) return code;
  if (!done) {
    std::cerr << "fleetsim hil: board " << board.id << " did not finish " << deployment << " within "
              << options.update_timeout_s << " s (it is " << p.state << ")\n";
    return exit_code::kInfrastructure;
  }
  std::string timings;
  for (const auto& [name, at] : p.milestones) {
    char one[96];
    std::snprintf(one, sizeof one, "%s %s +%.3f s", timings.empty() ? "" : ",", name.c_str(), since(start, at));
    timings += one;
  }
  std::fprintf(stderr, "fleetsim hil: %s: %s %s;%s\n", board.id.c_str(), deployment.c_str(),
               p.succeeded ? "succeeded" : "failed", timings.c_str());
  if (p.succeeded) {
    std::printf("%s: updated with %s\n", board.id.c_str(), std::filesystem::path(image).filename().c_str());
    return exit_code::kOk;
  }
  std::printf("%s: %s (%s)\n", board.id.c_str(),
              p.rebooted ? "update reverted: the new image failed after its reboot" : "update failed",
              p.last_detail.c_str());
  for (const auto& e : p.errors) std::printf("  %s\n", e.c_str());
  return exit_code::kFailed;
}

}  // namespace fleetsim::hil
