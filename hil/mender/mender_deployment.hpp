// One device's deployment as the Mender server sees it: an explicit state machine fed by the
// server (offered by `deployments/next`, aborted by the rollout, decided at `next` as
// already-installed or no-artifact) and by the device's status reports
// (PUT .../deployments/{id}/status with mender-client 3.4's statuses).
//
//   pending ─next→ offered ─→ downloading → [pause_before_installing] → installing
//     → [pause_before_rebooting] → rebooting → [pause_before_committing] → success | failure
//   any unfinished state ─rollout abort→ aborted (gone from `next`; reports get 409)
//
// Until a final report, any in-progress status is accepted in any order: updates without a
// reboot skip `rebooting`, and mender-client 3.4 reports `installing` again for the commit after
// the reboot (downloading, installing, rebooting, installing, success). Final states stay final.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fleetsim::hil::mender {

enum class DeploymentStatus {
  pending,  // created, the device has not polled since
  offered,  // `next` returned it
  downloading,
  pause_before_installing,
  installing,
  pause_before_rebooting,
  rebooting,
  pause_before_committing,
  success,
  failure,
  already_installed,  // the device reported the deployment's artifact as installed
  no_artifact,        // the device's type is not among the artifact's compatible types
  aborted,
};

// "downloading", "already-installed", "noartifact": the names the Mender API uses.
std::string_view to_string(DeploymentStatus status);
// A status a device may report (PUT .../status), or std::nullopt.
std::optional<DeploymentStatus> parse_reported_status(std::string_view name);
bool is_finished(DeploymentStatus status);

// The answer to a status report: the HTTP status for the device and, when refused, why.
struct StatusReportOutcome {
  int http_status;  // 204 accepted, 400 not a status, 409 the deployment is over (aborted or finished)
  std::string refusal;
};

class DeploymentState {
 public:
  DeploymentStatus status() const { return status_; }
  bool finished() const { return is_finished(status_); }

  void offer();                               // `next` returned the deployment
  void decide(DeploymentStatus final_status);  // already_installed or no_artifact, at `next`
  bool abort();                               // false if already finished
  StatusReportOutcome report(std::string_view reported);

 private:
  DeploymentStatus status_ = DeploymentStatus::pending;
};

}  // namespace fleetsim::hil::mender
