// The device side of Eclipse hawkBit's Direct Device Integration API v1 (DDI), as update agents
// such as SWUpdate's suricatta poll it:
//   GET  /{tenant}/controller/v1/{controller}                        poll: config.polling.sleep, links
//   GET  …/deploymentBase/{action}                                   the deployment (chunks, artifacts, hashes)
//   POST …/deploymentBase/{action}/feedback                          proceeding / closed success|failure
//   GET  …/cancelAction/{id}, POST …/cancelAction/{id}/feedback      a cancelled action and its acknowledgement
//   PUT  …/configData                                                the controller's attributes
//   GET|HEAD …/softwaremodules/{action}/artifacts/{filename}         the artifact (Range: resume)
// Reference: https://eclipse.dev/hawkbit/apis/ddi_api/ (DDI API v1).
//
// Each controller (board) moves through an explicit state machine, driven by the test or the
// co-simulation (offer, cancel) and by the agent's requests:
//   idle --offer--> offered --artifact request--> downloading --closed feedback--> succeeded | failed
//   offered | downloading --cancel--> cancelling --cancel feedback closed/success--> canceled
// `update: skip` deployments close without a download. Every request a controller makes is kept in
// its transcript (for JUnit detail). Thread-safe: civetweb's workers call in, the owner reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "hil/agent/artifact_digests.hpp"

namespace fleetsim::hil {

enum class DdiHandling { kForced, kAttempt, kSkip };  // deployment.download / deployment.update
const char* ddi_handling_name(DdiHandling h);

enum class DdiMaintenanceWindow { kNone, kAvailable, kUnavailable };

struct DdiDeployment {
  DdiHandling download = DdiHandling::kForced;
  DdiHandling update = DdiHandling::kForced;
  DdiMaintenanceWindow maintenance_window = DdiMaintenanceWindow::kNone;  // kNone: field omitted
  std::string chunk_part = "os";
  std::string chunk_name = "fleetsim";
  std::string chunk_version;  // the release's version
  std::vector<std::filesystem::path> artifacts;  // served under their file names; SWUpdate wants *.swu
};

enum class DdiPhase { kIdle, kOffered, kDownloading, kSucceeded, kFailed, kCancelling, kCanceled };
const char* ddi_phase_name(DdiPhase p);

using DdiClock = std::chrono::steady_clock;

struct DdiControllerStatus {
  DdiPhase phase = DdiPhase::kIdle;
  std::string action_id;  // the current (or last) action, "" before the first offer
  int polls = 0;
  int deployment_fetches = 0;  // GET deploymentBase of the current action
  int artifact_heads = 0, artifact_gets = 0;
  std::vector<std::string> artifact_ranges;  // the Range headers of artifact GETs, "" when none
  int unauthorized = 0;  // requests refused with 401
  int feedbacks = 0;
  std::string last_execution, last_finished;  // from the last feedback on the action
  int progress_cnt = 0, progress_of = 0;
  std::vector<std::string> details;  // every feedback's details, in order
  nlohmann::json config_data;  // the last configData's "data", null before any
  // When the current action was offered, first handed out in a poll, its deployment fetched, its
  // artifact first requested, and closed (or its cancellation acknowledged).
  std::optional<DdiClock::time_point> offered_at, link_polled_at, deployment_fetched_at, download_started_at, closed_at;
  std::optional<DdiClock::time_point> last_poll_at;
  std::string transcript;
};

struct DdiServerOptions {
  std::string listen = "127.0.0.1:0";
  std::string tenant = "DEFAULT";
  std::chrono::seconds polling_sleep{1};  // SWUpdate 2022.12 treats 00:00:00 as 45 s
  std::string gateway_token;  // accepted for every controller ("" = none)
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t throttle_bytes_per_s = 0;  // per connection, 0 = unlimited (tests: a download that lasts)
};

class DdiServer {
 public:
  // Throws std::invalid_argument when listening beyond loopback without tokens, std::runtime_error
  // when it cannot listen.
  explicit DdiServer(DdiServerOptions options);
  ~DdiServer();

  // A controller that may poll; `target_token` "" = none (allowed on loopback only, unless a
  // gateway token is set). Throws std::invalid_argument on a duplicate or an unsafe set-up.
  void add_controller(const std::string& id, const std::string& target_token);
  // A new action for the controller; its next poll links it. Returns the action id. Throws
  // std::logic_error while an action is open, std::runtime_error when an artifact cannot be read.
  std::string offer(const std::string& controller, const DdiDeployment& deployment);
  // Cancels the open action (the rollout aborted): the next poll carries cancelAction. Returns
  // false when no action is open.
  bool cancel(const std::string& controller);

  DdiControllerStatus status(const std::string& controller) const;
  // Waits until `done(status)` holds, at most `timeout`; returns whether it held.
  bool wait_until(const std::string& controller, const std::function<bool(const DdiControllerStatus&)>& done,
                  std::chrono::milliseconds timeout) const;

  std::uint16_t port() const;
  std::string base_url() const;  // "http://HOST:PORT"
  const std::string& tenant() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fleetsim::hil
