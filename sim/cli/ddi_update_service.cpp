// hawkBit DDI (hil/agent's DdiServer) as the update service of a swupdate agent board.
#include <algorithm>

#include "hil/agent/ddi_server.hpp"
#include "sim/cli/agent_update_service.hpp"

namespace fleetsim::hil {

namespace {

// SWUpdate reports "All Chunks Installed." when the image is written; a failure after that came
// from the boot that should have confirmed it: the board went back to its previous image.
constexpr const char* kInstalled = "All Chunks Installed.";

AgentUpdateProgress to_progress(const DdiControllerStatus& s) {
  AgentUpdateProgress p;
  if (s.polls > 0) p.first_poll_at = s.last_poll_at;
  p.finished = s.phase == DdiPhase::kSucceeded || s.phase == DdiPhase::kFailed || s.phase == DdiPhase::kCanceled;
  p.succeeded = s.phase == DdiPhase::kSucceeded;
  p.rebooted = std::find(s.details.begin(), s.details.end(), kInstalled) != s.details.end();
  p.state = std::string(ddi_phase_name(s.phase)) + "; last feedback: " + (s.details.empty() ? "none" : s.details.back());
  p.last_detail = s.details.empty() ? "no details" : s.details.back();
  for (const auto& d : s.details)
    if (d.find("ERROR") != std::string::npos) p.errors.push_back(d);
  p.milestones = {{"poll with the link", s.link_polled_at},
                  {"deployment", s.deployment_fetched_at},
                  {"first artifact request", s.download_started_at},
                  {"closed", s.closed_at}};
  if (!s.config_data.is_null()) p.attributes = s.config_data.dump();
  p.transcript = s.transcript;
  return p;
}

class DdiUpdateService : public AgentUpdateService {
 public:
  DdiUpdateService(const BoardSpec& board, const AgentCommandOptions& options) : board_(board) {
    DdiServerOptions server_options;
    server_options.listen = options.listen;
    server_options.tenant = options.tenant;
    server_ = std::make_unique<DdiServer>(server_options);
    server_->add_controller(board.id, board.token);
  }

  std::string serving() const override { return "hawkBit DDI at " + controller_url(); }

  std::string offer(const std::filesystem::path& image) override {
    DdiDeployment deployment;
    deployment.artifacts = {image};
    return "action " + server_->offer(board_.id, deployment);
  }

  bool wait_until(const std::function<bool(const AgentUpdateProgress&)>& done, std::chrono::milliseconds timeout) override {
    return server_->wait_until(board_.id, [&](const DdiControllerStatus& s) { return done(to_progress(s)); }, timeout);
  }

  AgentUpdateProgress progress() const override { return to_progress(server_->status(board_.id)); }

  std::string no_poll_reason() const override {
    const DdiControllerStatus s = server_->status(board_.id);
    if (s.unauthorized > 0)
      return std::to_string(s.unauthorized) + " request(s) refused with 401: the agent's target token is not the "
             "board's \"token\" in boards.json";
    return "no request from " + board_.id + " at " + controller_url() +
           " (check the agent's server URL, tenant and device id, e.g. swupdate -u \"-u " + server_->base_url() +
           " -t " + server_->tenant() + " -i " + board_.id + "\")";
  }

 private:
  std::string controller_url() const {
    return server_->base_url() + "/" + server_->tenant() + "/controller/v1/" + board_.id;
  }

  BoardSpec board_;
  std::unique_ptr<DdiServer> server_;
};

}  // namespace

std::unique_ptr<AgentUpdateService> make_ddi_update_service(const BoardSpec& board, const AgentCommandOptions& options) {
  return std::make_unique<DdiUpdateService>(board, options);
}

}  // namespace fleetsim::hil
