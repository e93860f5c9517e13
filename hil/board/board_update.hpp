// The update flow on one board (README "Hardware in the loop"): health check → upload (resuming from the offset
// the board returns) → state read: slot 1 holds the image's own SHA-256 TLV hash → test →
// reset → wait for the board (bounded) → state read: is the new image active or did MCUboot
// revert? → health probe → confirm → state read: did the confirm persist? (if not, one more
// reset shows the revert). Every step is timed. The outcome separates firmware failures
// (revert, rejected image) from infrastructure failures (board unreachable or unhealthy).
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "hil/protocol/mcuboot_image.hpp"
#include "hil/board/smp_client.hpp"

namespace fleetsim::hil {

enum class BoardUpdateOutcome {
  Updated,         // the new image runs, answered the probe and is confirmed
  RolledBack,      // MCUboot went back to the old image (boot failure, failed probe, confirm lost)
  InstallFailed,   // the board refused the image (upload error, hash mismatch, test refused)
  Infrastructure,  // board unreachable or unhealthy: says nothing about the firmware
};

const char* to_string(BoardUpdateOutcome outcome);

struct BoardUpdateStep {
  std::string name;  // health, upload, verify, test, reset, wait, state, probe, confirm, …
  double seconds = 0;
  std::string note;
};

// One line per step: its name, its time and its note.
std::string format_steps(const std::vector<BoardUpdateStep>& steps);

struct BoardUpdateReport {
  BoardUpdateOutcome outcome = BoardUpdateOutcome::Infrastructure;
  std::string message;  // one line: what happened
  std::string from_version, to_version;
  std::vector<BoardUpdateStep> steps;
  double seconds = 0;
  UploadProgress upload;
  double upload_seconds = 0;
  double reset_to_ready_seconds = 0;  // reset request to first answer
  // One line per step with its time, for reports.
  std::string detail() const;
  double step_seconds(const std::string& name) const;
};

struct BoardUpdateOptions {
  std::chrono::milliseconds reboot_timeout{30000};  // reset → board answers again
  std::chrono::milliseconds probe_timeout{200};     // one echo attempt while waiting for it
  // Called when the board has not come back within reboot_timeout (e.g. the board's reset
  // hook); true: wait once more.
  std::function<bool()> recover;
  // Called after each completed step (the bridge logs progress).
  std::function<void(const BoardUpdateStep&)> on_step;
  // Polled in the wait for a board after a reset and between the known-state step's actions:
  // true (SIGINT/SIGTERM) ends them early, the board reported as not back / not ready.
  std::function<bool()> stop;
};

BoardUpdateReport update_board(SmpClient& client, std::span<const std::uint8_t> image, const McubootImageInfo& info,
                               const BoardUpdateOptions& options = {});

// One reset request (never retransmitted: a late duplicate would reset the board again after it
// came back and revert an unconfirmed test image), then wait_for_board; when the board does not
// come back within reboot_timeout, options.recover (its hooks) and one more wait.
struct ResetWait {
  bool sent = false;     // false: the board refused the reset (problem says why)
  bool replied = false;  // the reset was acknowledged (a lost reply is not fatal)
  bool back = false;     // the board answered again
  double reset_seconds = 0, wait_seconds = 0;
  std::string problem;
};
ResetWait reset_board(SmpClient& client, const BoardUpdateOptions& options);

// Polls the board with single short mcumgr-params requests until it answers (an error answer
// counts: the board is up) or `timeout` passes or `stop` says so; restores the transport's timing.
// Returns the seconds it took, or a negative number on timeout or stop.
double wait_for_board(SmpClient& client, std::chrono::milliseconds timeout, std::chrono::milliseconds probe_timeout,
                      const std::function<bool()>& stop = {});

}  // namespace fleetsim::hil
