#include "hil/cosim/hil_bridge.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <regex>

#include "hil/board/board_hook.hpp"
#include "device-models/device_state.hpp"
#include "sim/model/world_events.hpp"

namespace fleetsim::hil {

namespace {

double seconds_between(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

std::optional<DeviceState> device_outcome(BoardUpdateOutcome outcome) {
  switch (outcome) {
    case BoardUpdateOutcome::Updated: return DeviceState::Updated;
    case BoardUpdateOutcome::RolledBack: return DeviceState::RolledBack;
    case BoardUpdateOutcome::InstallFailed: return DeviceState::InstallFailed;
    case BoardUpdateOutcome::Infrastructure: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

HilBridge::HilBridge(Kernel& kernel, std::vector<std::uint8_t> image, McubootImageInfo info, double pace,
                     BoardUpdateOptions options, Log log)
    : kernel_(kernel), image_(std::move(image)), info_(info), pace_(pace), options_(std::move(options)),
      log_(std::move(log)) {}

HilBridge::~HilBridge() {
  for (auto& op : ops_)
    if (op->worker.joinable()) op->worker.join();
}

void HilBridge::bind(const BoardSpec& board, std::uint32_t device, std::unique_ptr<SmpTransport> transport,
                     std::unique_ptr<ImpairedLink> link, std::shared_ptr<BoardClock> clock, std::string prepared) {
  std::unique_ptr<ConsoleCapture> console;
  if (board.console) {
    try {
      console = std::make_unique<ConsoleCapture>(*board.console);
    } catch (const std::exception& e) {
      add_unavailable(board, "console " + board.console_text + ": " + e.what());
      return;
    }
  }
  boards_.push_back(Board{board, device, std::move(transport), "", std::move(link), std::move(clock), std::move(console),
                          std::move(prepared)});
}

void HilBridge::add_unavailable(const BoardSpec& board, const std::string& problem) {
  boards_.push_back(Board{board, 0, nullptr, problem.empty() ? "unavailable" : problem, nullptr, nullptr, nullptr, ""});
}

bool HilBridge::owns(std::uint32_t device) const {
  for (const auto& b : boards_)
    if (b.transport && b.device == device) return true;
  return false;
}

void HilBridge::start_update(std::uint32_t device, Seconds now) {
  std::size_t index = 0;
  while (index < boards_.size() && !(boards_[index].transport && boards_[index].device == device)) ++index;
  if (index == boards_.size()) return;
  for (const auto& op : ops_) {
    if (op->board == index && !op->delivered) return;  // its running update will report the outcome
  }
  auto op = std::make_unique<Operation>();
  op->board = index;
  op->t_issue = now.value;
  op->wall_issue = Clock::now();
  Operation* raw = op.get();
  Board& board = boards_[index];
  if (board.clock) board.clock->start(op->t_issue, op->wall_issue);
  BoardUpdateOptions options = options_;
  // The hooks' own messages go into the retry lines (the worker's only).
  auto hook_log = std::make_shared<std::string>();
  options.recover = board_recovery(board.spec.reset, board.spec.power_off, board.spec.power_on,
                                   [hook_log](const std::string& m) { *hook_log += (hook_log->empty() ? "" : ", ") + m; });
  if (log_) log_("hil: " + board.spec.id + " takes device " + std::to_string(device) + "'s update");
  SmpTransport* transport = board.transport.get();
  ConsoleCapture* console = board.console.get();
  (void)transport->take_console_lines();  // what the board printed before this update
  if (console) console->start();
  op->worker = std::thread([this, raw, transport, console, options, hook_log, retries = infra_retries_] {
    SmpClient client(*transport);
    client.set_transcript(&raw->transcript);
    BoardUpdateReport report = update_board(client, image_, info_, options);
    std::vector<std::string> lines;
    for (int retry = 1; retry <= retries && report.outcome == BoardUpdateOutcome::Infrastructure; ++retry) {
      // Power-cycle the board, wait for it, run the update again: a lost upload resumes from
      // the offset the board reports.
      hook_log->clear();
      std::string line = "infrastructure retry " + std::to_string(retry) + " of " + std::to_string(retries) +
                         " after: " + report.message + "; ";
      if (!options.recover) line += "no reset or power hooks in boards.json";
      else if (options.recover()) line += "power-cycled (" + *hook_log + ")";
      else line += "power cycle failed (" + *hook_log + ")";
      const double back = wait_for_board(client, options.reboot_timeout, options.probe_timeout);
      if (back < 0) line += "; no answer within the reboot timeout";
      report = update_board(client, image_, info_, options);
      line += "; then " + std::string(to_string(report.outcome)) + (report.upload.resumed
                                                                       ? ", upload resumed from offset " +
                                                                             std::to_string(report.upload.resumed_from)
                                                                       : std::string());
      lines.push_back(std::move(line));
    }
    raw->console_failure = check_console(report, console, *transport, raw->console);
    {
      std::lock_guard<std::mutex> lock(mu_);
      raw->report = std::move(report);
      raw->retries = std::move(lines);
      raw->wall_done = Clock::now();
      raw->done = true;
    }
    finished_.notify_all();
  });
  ops_.push_back(std::move(op));
  ++outstanding_;
}

std::string HilBridge::check_console(const BoardUpdateReport& report, ConsoleCapture* capture, SmpTransport& transport,
                                     std::vector<ConsoleLine>& lines) const {
  // When the update's (first) reset ended, in seconds since the update started.
  double reset_at = -1, t = 0;
  for (const auto& s : report.steps) {
    t += s.seconds;
    if (s.name == "reset") {
      reset_at = t;
      break;
    }
  }
  std::string failure;
  if (report.outcome == BoardUpdateOutcome::Updated && reset_at >= 0) {
    for (const auto& e : console_expect_) {
      if (capture) {
        // The capture's clock started with the update: wait until reset + within at most.
        const double left = reset_at + e.within - report.seconds;
        const auto line = capture->wait_for(e.pattern, std::chrono::milliseconds(std::llround(std::max(0.0, left) * 1000)));
        if (line && line->seconds <= reset_at + e.within) continue;
      } else {
        // A serial board's console comes with the SMP replies, without times: by the end of the
        // update the lines printed after the reset have been read.
        const std::regex re(e.pattern);
        bool seen = false;
        for (const auto& l : transport.take_console_lines()) {
          lines.push_back({-1, l});
          seen = seen || std::regex_search(l, re);
        }
        for (const auto& l : lines) seen = seen || std::regex_search(l.text, re);
        if (seen) continue;
      }
      char buf[64];
      std::snprintf(buf, sizeof buf, "%g", e.within);
      failure = "console: /" + e.pattern + "/ did not appear within " + buf + " s after the reset (scenario " +
                e.pointer + ")";
      break;
    }
  }
  if (capture) lines = capture->lines();
  else for (const auto& l : transport.take_console_lines()) lines.push_back({-1, l});
  return failure;
}

void HilBridge::deliver(Operation& op) {
  // The outcome happened (wall_done − wall_issue) × pace after the notification; virtual time has
  // not passed that point (advance_to held it), so the max() only absorbs rounding.
  const double paced = op.t_issue + seconds_between(op.wall_issue, op.wall_done) * pace_;
  op.t_outcome = std::max(paced, kernel_.now().value);
  op.delivered = true;
  --outstanding_;
  const Board& board = boards_[op.board];
  if (const auto state = device_outcome(op.report.outcome)) {
    kernel_.schedule(Seconds(op.t_outcome), board.device, event::kExternalOutcome, 0, std::uint16_t(*state));
  } else {
    kernel_.schedule(Seconds(op.t_outcome), board.device, event::kExternalOutcome, 0, event::kExternalWithdrawn);
  }
  if (log_) {
    char buf[160];
    std::snprintf(buf, sizeof buf, " (board %.3f s, simulated %.3f s)", op.report.seconds, op.t_outcome - op.t_issue);
    log_("hil: " + board.spec.id + ": " + to_string(op.report.outcome) + ": " + op.report.message + buf);
  }
}

void HilBridge::advance_to(Seconds t) {
  if (outstanding_ == 0) return;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (stop_ && stop_()) return;
    // Wall time is read under the lock: an operation not yet seen as done finishes after it.
    const auto wall_now = Clock::now();
    bool delivered = false;
    for (auto& op : ops_) {
      if (op->delivered || !op->done) continue;
      deliver(*op);
      delivered = true;
    }
    if (delivered || outstanding_ == 0) return;  // the kernel looks at its queue again
    double limit = t.value;
    Clock::time_point wake = wall_now + std::chrono::milliseconds(200);
    for (const auto& op : ops_) {
      if (op->delivered) continue;
      limit = std::min(limit, op->t_issue + seconds_between(op->wall_issue, wall_now) * pace_);
      // When this operation would let virtual time reach t.
      const auto reach = op->wall_issue + std::chrono::duration_cast<Clock::duration>(
                                              std::chrono::duration<double>((t.value - op->t_issue) / pace_));
      wake = std::min(wake, std::max(reach, wall_now + std::chrono::milliseconds(1)));
    }
    if (limit >= t.value) return;
    finished_.wait_until(lock, wake);
  }
}

void HilBridge::stop_holding_when(std::function<bool()> stop) { stop_ = std::move(stop); }

std::vector<std::string> HilBridge::wait_for_operations(std::chrono::milliseconds bound) {
  std::unique_lock<std::mutex> lock(mu_);
  auto running = [this] {
    std::vector<std::string> ids;
    for (const auto& op : ops_)
      if (!op->done) ids.push_back(boards_[op->board].spec.id);
    return ids;
  };
  finished_.wait_for(lock, bound, [&] { return running().empty(); });
  return running();
}

std::vector<CheckResult> HilBridge::checks() const {
  std::vector<CheckResult> out;
  for (std::size_t i = 0; i < boards_.size(); ++i) {
    const Board& board = boards_[i];
    CheckResult c;
    c.group = "hil";
    // The same name whatever happened (unavailable, not released, updated, reverted): a CI
    // history follows one case per board and target version.
    c.name = "board " + board.spec.id + " update to " + info_.version.text();
    c.properties = {{"board.id", board.spec.id},
                    {"board.uri", board.spec.uri_text},
                    {"board.stands_for", board.spec.stands_for},
                    {"image.sha256", digest_hex(info_.hash)},
                    {"version.to", info_.version.text()}};
    if (!board.transport) {
      c.outcome = CheckResult::Outcome::Error;
      c.message = "board " + board.spec.id + " (" + board.spec.uri_text + ") unavailable: " + board.unavailable;
      out.push_back(c);
      continue;
    }
    c.properties.push_back({"device", std::to_string(board.device)});
    const Operation* last = nullptr;
    for (const auto& op : ops_)
      if (op->board == i && op->delivered) last = op.get();
    if (!last) {
      c.outcome = CheckResult::Outcome::Failed;
      c.message = "not updated: the rollout did not release device " + std::to_string(board.device) +
                  " (or its update did not finish) within the run";
      out.push_back(c);
      continue;
    }
    const BoardUpdateReport& r = last->report;
    const bool console_failed = !last->console_failure.empty() && r.outcome == BoardUpdateOutcome::Updated;
    c.properties.push_back({"version.from", r.from_version});
    c.properties.push_back({"outcome", to_string(r.outcome)});
    std::vector<std::string> step_names;  // first appearance order; a repeated step (reset) sums
    for (const auto& s : r.steps)
      if (std::find(step_names.begin(), step_names.end(), s.name) == step_names.end()) step_names.push_back(s.name);
    for (const std::string& name : step_names) {
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.3f", r.step_seconds(name));
      c.properties.push_back({"seconds." + name, secs});
    }
    c.outcome = r.outcome == BoardUpdateOutcome::Updated          ? CheckResult::Outcome::Passed
                : r.outcome == BoardUpdateOutcome::Infrastructure ? CheckResult::Outcome::Error
                                                                  : CheckResult::Outcome::Failed;
    if (console_failed) c.outcome = CheckResult::Outcome::Failed;
    c.seconds = r.seconds;
    c.message = std::string(to_string(r.outcome)) + ": " + r.message;
    if (console_failed) c.message = last->console_failure + "; " + c.message;
    if (r.outcome == BoardUpdateOutcome::Infrastructure)
      c.message += "; device " + std::to_string(board.device) + " withdrawn from its wave (not judged by the gate)";
    char buf[200];
    std::snprintf(buf, sizeof buf, "co-simulation: notified at t=%.3f s, outcome at t=%.3f s (%.3f s simulated, pace %g)\n",
                  last->t_issue, last->t_outcome, last->t_outcome - last->t_issue, pace_);
    c.detail = "board " + board.spec.id + " (" + board.transport->uri() + "), stands for " + board.spec.stands_for +
               " as device " + std::to_string(board.device) + "\n" +
               (board.prepared.empty() ? "" : "known state:\n" + board.prepared) + r.detail() + buf;
    for (const std::string& line : last->retries) c.detail += line + "\n";
    if (board.link) {
      const auto s = board.link->stats();
      c.detail += "impaired link: " + std::to_string(s.forwarded) + " " + board.link->unit() + " forwarded, " +
                  std::to_string(s.dropped) + " dropped, " + std::to_string(s.held) + " held; " +
                  std::to_string(board.transport->retransmissions()) + " retransmissions\n";
    }
    c.detail += "console (" + std::to_string(last->console.size()) + " lines):\n" + format_console(last->console);
    c.detail += "SMP transcript (" + std::to_string(last->transcript.lines()) + " lines):\n" + last->transcript.text();
    out.push_back(c);
  }
  return out;
}

std::vector<HilBridge::Timing> HilBridge::timings() const {
  std::vector<Timing> out;
  for (const auto& op : ops_)
    if (op->delivered) out.push_back({boards_[op->board].spec.id, op->report.seconds, op->t_outcome - op->t_issue});
  return out;
}

}  // namespace fleetsim::hil
