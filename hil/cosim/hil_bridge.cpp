#include "hil/cosim/hil_bridge.hpp"

#include <algorithm>
#include <cstdio>

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
  boards_.push_back(
      Board{board, device, std::move(transport), "", std::move(link), std::move(clock), std::move(prepared)});
}

void HilBridge::add_unavailable(const BoardSpec& board, const std::string& problem) {
  boards_.push_back(Board{board, 0, nullptr, problem.empty() ? "unavailable" : problem, nullptr, nullptr, ""});
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
  op->worker = std::thread([this, raw, transport, options, hook_log, retries = infra_retries_] {
    SmpClient client(*transport);
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

std::vector<CheckResult> HilBridge::checks() const {
  std::vector<CheckResult> out;
  for (std::size_t i = 0; i < boards_.size(); ++i) {
    const Board& board = boards_[i];
    CheckResult c;
    c.group = "hil";
    c.name = "board " + board.spec.id + " update to " + info_.version.text();
    if (!board.transport) {
      c.outcome = CheckResult::Outcome::Error;
      c.message = "board " + board.spec.id + " (" + board.spec.uri_text + ") unavailable: " + board.unavailable;
      out.push_back(c);
      continue;
    }
    c.name += " (device " + std::to_string(board.device) + ")";
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
    c.outcome = r.outcome == BoardUpdateOutcome::Updated          ? CheckResult::Outcome::Passed
                : r.outcome == BoardUpdateOutcome::Infrastructure ? CheckResult::Outcome::Error
                                                                  : CheckResult::Outcome::Failed;
    c.seconds = r.seconds;
    c.message = std::string(to_string(r.outcome)) + ": " + r.message;
    if (r.outcome == BoardUpdateOutcome::Infrastructure)
      c.message += "; device " + std::to_string(board.device) + " withdrawn from its wave (not judged by the gate)";
    char buf[200];
    std::snprintf(buf, sizeof buf, "co-simulation: notified at t=%.3f s, outcome at t=%.3f s (%.3f s simulated, pace %g)\n",
                  last->t_issue, last->t_outcome, last->t_outcome - last->t_issue, pace_);
    c.detail = "board " + board.spec.id + " (" + board.transport->uri() + "), stands for " + board.spec.stands_for +
               "\n" + (board.prepared.empty() ? "" : "known state:\n" + board.prepared) + r.detail() + buf;
    for (const std::string& line : last->retries) c.detail += line + "\n";
    if (board.link) {
      const auto s = board.link->stats();
      c.detail += "impaired link: " + std::to_string(s.forwarded) + " " + board.link->unit() + " forwarded, " +
                  std::to_string(s.dropped) + " dropped, " + std::to_string(s.held) + " held; " +
                  std::to_string(board.transport->retransmissions()) + " retransmissions\n";
    }
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
