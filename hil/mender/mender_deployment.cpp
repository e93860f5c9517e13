#include "hil/mender/mender_deployment.hpp"

#include <array>
#include <cassert>
#include <utility>

namespace fleetsim::hil::mender {

namespace {

constexpr std::array<std::pair<DeploymentStatus, std::string_view>, 13> kNames{{
    {DeploymentStatus::pending, "pending"},
    {DeploymentStatus::offered, "offered"},
    {DeploymentStatus::downloading, "downloading"},
    {DeploymentStatus::pause_before_installing, "pause_before_installing"},
    {DeploymentStatus::installing, "installing"},
    {DeploymentStatus::pause_before_rebooting, "pause_before_rebooting"},
    {DeploymentStatus::rebooting, "rebooting"},
    {DeploymentStatus::pause_before_committing, "pause_before_committing"},
    {DeploymentStatus::success, "success"},
    {DeploymentStatus::failure, "failure"},
    {DeploymentStatus::already_installed, "already-installed"},
    {DeploymentStatus::no_artifact, "noartifact"},
    {DeploymentStatus::aborted, "aborted"},
}};

// The states in the order of an update: from 2 on a device may report them, 8 are the final ones.
int rank(DeploymentStatus s) {
  switch (s) {
    case DeploymentStatus::pending: return 0;
    case DeploymentStatus::offered: return 1;
    case DeploymentStatus::downloading: return 2;
    case DeploymentStatus::pause_before_installing: return 3;
    case DeploymentStatus::installing: return 4;
    case DeploymentStatus::pause_before_rebooting: return 5;
    case DeploymentStatus::rebooting: return 6;
    case DeploymentStatus::pause_before_committing: return 7;
    default: return 8;
  }
}

}  // namespace

std::string_view to_string(DeploymentStatus status) {
  for (const auto& [s, name] : kNames)
    if (s == status) return name;
  return "?";
}

std::optional<DeploymentStatus> parse_reported_status(std::string_view name) {
  for (const auto& [s, n] : kNames)
    if (n == name && rank(s) >= 2 && s != DeploymentStatus::no_artifact && s != DeploymentStatus::aborted) return s;
  return std::nullopt;
}

bool is_finished(DeploymentStatus status) { return rank(status) == 8; }

void DeploymentState::offer() {
  if (status_ == DeploymentStatus::pending) status_ = DeploymentStatus::offered;
}

void DeploymentState::decide(DeploymentStatus final_status) {
  assert(final_status == DeploymentStatus::already_installed || final_status == DeploymentStatus::no_artifact);
  if (!finished()) status_ = final_status;
}

bool DeploymentState::abort() {
  if (finished()) return false;
  status_ = DeploymentStatus::aborted;
  return true;
}

StatusReportOutcome DeploymentState::report(std::string_view reported) {
  const auto next = parse_reported_status(reported);
  if (!next) return {400, "unknown status \"" + std::string(reported) + "\""};
  if (status_ == DeploymentStatus::aborted) return {409, "the deployment was aborted"};
  if (finished()) {
    if (*next == status_) return {204, ""};  // a retried final report
    return {409, "the deployment already finished with " + std::string(to_string(status_))};
  }
  status_ = *next;
  return {204, ""};
}

}  // namespace fleetsim::hil::mender
