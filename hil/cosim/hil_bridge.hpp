// The co-simulation bridge (README "Hardware in the loop"): boards bound to device slots take those devices'
// updates. When such a device is notified, the full update flow (hil/board/board_update.hpp) runs on its
// board in a worker thread; meanwhile the kernel asks advance_to(t) before every event and the
// bridge holds virtual time to t_issue + (wall_now − wall_issue) × pace for every outstanding
// board operation. A finished operation's outcome is scheduled as event::kExternalOutcome at
// t_issue + (wall_done − wall_issue) × pace — never earlier than virtual time already reached, and
// virtual time cannot pass that point before the board has really finished. An infrastructure
// failure (after --infra-retries power cycles and retries) withdraws the device from its wave
// (event::kExternalWithdrawn): it says nothing about the firmware; its check is an error.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hil/board/console_capture.hpp"
#include "hil/cosim/board_clock.hpp"
#include "hil/board/board_inventory.hpp"
#include "hil/board/board_update.hpp"
#include "hil/transport/link_impairment.hpp"
#include "sim/results/results.hpp"
#include "sim/scenario/hil_section.hpp"
#include "sim/model/external_devices.hpp"
#include "sim/kernel/kernel.hpp"

namespace fleetsim::hil {

class HilBridge final : public ExternalDevices, public ExternalPacer {
 public:
  using Log = std::function<void(const std::string&)>;

  HilBridge(Kernel& kernel, std::vector<std::uint8_t> image, McubootImageInfo info, double pace,
            BoardUpdateOptions options = {}, Log log = {});
  ~HilBridge() override;  // waits for board operations still running (each is bounded by timeouts)
  HilBridge(const HilBridge&) = delete;
  HilBridge& operator=(const HilBridge&) = delete;

  // `board`, reached through `transport`, takes the updates of `device`. With `link`, the
  // transport goes through that impaired link, which reads `clock` (restarted at each update).
  // `prepared`: what the known-state step did (steps with times), for the check's detail.
  void bind(const BoardSpec& board, std::uint32_t device, std::unique_ptr<SmpTransport> transport,
            std::unique_ptr<ImpairedLink> link = nullptr, std::shared_ptr<BoardClock> clock = nullptr,
            std::string prepared = "");
  // A board whose update fails for infrastructure reasons is power-cycled with its hooks (reset,
  // or power_off + power_on) and its update retried, up to `retries` times (default 0).
  void set_infra_retries(int retries) { infra_retries_ = retries; }
  // A board left out (failed its health check): reported as an infrastructure error.
  void add_unavailable(const BoardSpec& board, const std::string& problem);
  // What every board's console must print after the reset of its update (the scenario's
  // hil.console); a pattern it does not print in time fails the board's case.
  void expect_console(std::vector<HilBinding::ConsoleExpect> expectations) { console_expect_ = std::move(expectations); }

  bool owns(std::uint32_t device) const override;
  void start_update(std::uint32_t device, Seconds now) override;
  void advance_to(Seconds t) override;

  // Once `stop()` is true, advance_to holds virtual time no longer (fleetsim run stopping on
  // SIGINT/SIGTERM): the run reaches its next chunk within 200 ms of wall time.
  void stop_holding_when(std::function<bool()> stop);
  // Waits at most `bound` for the board operations still running; returns the ids of the boards
  // whose operation is still running then (the caller abandons them by ending the process).
  std::vector<std::string> wait_for_operations(std::chrono::milliseconds bound);

  // After the run: one check per board (its update, or why it had none), in binding order.
  std::vector<CheckResult> checks() const;

  // Board operation durations: measured on the board vs seen in the simulation.
  struct Timing {
    std::string board;
    double measured_seconds = 0;   // wall time of the update flow
    double simulated_seconds = 0;  // outcome time − notification time, virtual
  };
  std::vector<Timing> timings() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Board {
    BoardSpec spec;
    std::uint32_t device = 0;
    std::unique_ptr<SmpTransport> transport;
    std::string unavailable;  // health-check problem; such a board has no device
    std::unique_ptr<ImpairedLink> link;
    std::shared_ptr<BoardClock> clock;
    std::unique_ptr<ConsoleCapture> console;  // a UDP board's "console" tty
    std::string prepared;  // the known-state step's detail
  };
  struct Operation {
    std::size_t board = 0;
    double t_issue = 0;
    Clock::time_point wall_issue;
    std::thread worker;
    bool done = false;              // guarded by mu_
    Clock::time_point wall_done;    // guarded by mu_
    SmpTranscript transcript;       // the worker's SMP exchange; read after `done`
    std::vector<ConsoleLine> console;  // the board's console during the update; read after `done`
    std::string console_failure;       // an expected console line that did not come; read after `done`
    BoardUpdateReport report;       // written by the worker before `done` (the last attempt)
    std::vector<std::string> retries;  // one line per infrastructure retry, written with `report`
    bool delivered = false;         // simulation thread only
    double t_outcome = -1;          // virtual time of the outcome event
  };

  void deliver(Operation& op);
  // The console lines of an update (into `lines`) and the first expectation it missed ("" if none).
  std::string check_console(const BoardUpdateReport& report, ConsoleCapture* capture, SmpTransport& transport,
                            std::vector<ConsoleLine>& lines) const;

  Kernel& kernel_;
  std::vector<std::uint8_t> image_;
  McubootImageInfo info_;
  double pace_;
  BoardUpdateOptions options_;
  Log log_;
  std::vector<Board> boards_;
  std::vector<HilBinding::ConsoleExpect> console_expect_;
  std::vector<std::unique_ptr<Operation>> ops_;
  int infra_retries_ = 0;
  int outstanding_ = 0;  // started and not delivered (simulation thread only)
  std::function<bool()> stop_;
  std::mutex mu_;
  std::condition_variable finished_;
};

}  // namespace fleetsim::hil
