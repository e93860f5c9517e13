#include "hil/board/board_update.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "hil/board/board_health.hpp"

namespace fleetsim::hil {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string hex_prefix(const std::vector<std::uint8_t>& bytes) {
  std::string out;
  char buf[3];
  for (std::size_t i = 0; i < std::min<std::size_t>(bytes.size(), 8); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", bytes[i]);
    out += buf;
  }
  return out + (bytes.size() > 8 ? "…" : "");
}

// Runs the flow and fills the report; each early return sets outcome and message.
class UpdateRun {
 public:
  UpdateRun(SmpClient& client, std::span<const std::uint8_t> image, const McubootImageInfo& info,
            const BoardUpdateOptions& options)
      : client_(client), image_(image), options_(options), hash_(info.hash.begin(), info.hash.end()) {
    report_.to_version = info.version.text();
  }

  BoardUpdateReport run() {
    const auto start = Clock::now();
    execute();
    report_.seconds = since(start);
    return report_;
  }

 private:
  void step(const std::string& name, Clock::time_point started, std::string note = "") {
    report_.steps.push_back({name, since(started), std::move(note)});
    if (options_.on_step) options_.on_step(report_.steps.back());
  }
  void end(BoardUpdateOutcome outcome, std::string message) {
    report_.outcome = outcome;
    report_.message = std::move(message);
  }
  // A failed exchange: unreachable, or refused because of the board's state (no free slot, an
  // image already pending, busy) → infrastructure; else the given firmware outcome.
  void failed(const std::string& what, const SmpClientError& e, BoardUpdateOutcome firmware_outcome) {
    if (e.kind == SmpClientError::Kind::Transport) end(BoardUpdateOutcome::Infrastructure, what + ": " + e.message);
    else if (e.board_state())
      end(BoardUpdateOutcome::Infrastructure,
          what + ": " + e.message + " (the board's state, not the image: bring it to a known state, e.g. `fleetsim hil state`)");
    else end(firmware_outcome, what + ": " + e.message);
  }

  bool still_pending(const ImageState& state) const {
    const SlotState* slot1 = state.slot(1);
    return slot1 && slot1->pending && slot1->hash == hash_;
  }

  // Resets and waits for the board; false (outcome set) when it does not come back.
  bool reset_and_wait(const char* reason) {
    const ResetWait r = reset_board(client_, options_);
    if (!r.sent) {
      end(BoardUpdateOutcome::Infrastructure, std::string("reset (") + reason + "): " + r.problem);
      return false;
    }
    report_.steps.push_back({"reset", r.reset_seconds, r.replied ? std::string(reason) : std::string(reason) + "; no reply, waiting anyway"});
    if (options_.on_step) options_.on_step(report_.steps.back());
    if (!r.back) {
      report_.steps.push_back({"wait", r.wait_seconds, "no answer"});
      if (options_.on_step) options_.on_step(report_.steps.back());
      end(BoardUpdateOutcome::Infrastructure, r.problem);
      return false;
    }
    report_.reset_to_ready_seconds = r.reset_seconds + r.wait_seconds;
    report_.steps.push_back({"wait", r.wait_seconds, ""});
    if (options_.on_step) options_.on_step(report_.steps.back());
    return true;
  }

  void execute() {
    auto t = Clock::now();
    const BoardHealth health = check_board_health(client_);
    if (!health.healthy) {
      step("health", t, health.problem);
      end(BoardUpdateOutcome::Infrastructure, "board unhealthy before the update: " + health.problem);
      return;
    }
    const SlotState* running = health.state.slot(0);
    report_.from_version = running->version;
    const std::vector<std::uint8_t> old_hash = running->hash;
    step("health", t, "running " + running->version);
    if (running->hash == hash_ && running->confirmed) {
      end(BoardUpdateOutcome::Updated, "board already runs " + report_.to_version + " (confirmed)");
      return;
    }

    t = Clock::now();
    auto up = client_.upload(image_, health.params.buf_size);
    if (!up) {
      step("upload", t, up.error().message);
      failed("upload", up.error(), BoardUpdateOutcome::InstallFailed);
      return;
    }
    report_.upload = up.value();
    report_.upload_seconds = since(t);
    step("upload", t,
         std::to_string(image_.size()) + " bytes in " + std::to_string(up.value().requests) + " requests of ≤ " +
             std::to_string(up.value().chunk_bytes) + " data bytes" + (up.value().resumed ? ", resumed" : ""));

    t = Clock::now();
    auto state = client_.state_read();
    if (!state) {
      failed("state read after upload", state.error(), BoardUpdateOutcome::InstallFailed);
      return;
    }
    const SlotState* slot1 = state.value().slot(1);
    if (!slot1 || slot1->hash != hash_) {
      step("verify", t, "slot 1 hash mismatch");
      end(BoardUpdateOutcome::InstallFailed,
          "slot 1 holds " + (slot1 ? "hash " + hex_prefix(slot1->hash) : std::string("no image")) +
              ", the image's SHA-256 TLV is " + hex_prefix(hash_));
      return;
    }
    step("verify", t, "slot 1 hash " + hex_prefix(hash_) + " matches the image's SHA-256 TLV");

    t = Clock::now();
    auto tested = client_.test(hash_);
    if (!tested) {
      failed("test", tested.error(), BoardUpdateOutcome::InstallFailed);
      return;
    }
    if (const SlotState* s = tested.value().slot(1); !s || !s->pending) {
      end(BoardUpdateOutcome::InstallFailed, "test: slot 1 is not pending after the test request");
      return;
    }
    step("test", t, "slot 1 pending");

    if (!reset_and_wait("swap to the new image")) return;

    t = Clock::now();
    state = client_.state_read();
    // Slot 1 still pending: the board never reset (the request was lost). Each reset is lost
    // independently, so a few more make it all but certain on a lossy link (0.2^6 ≈ 6e-5).
    constexpr int kMoreResets = 5;
    for (int again = 0; again < kMoreResets && state && still_pending(state.value()); ++again) {
      step("state", t, "slot 1 still pending: the reset did not happen");
      if (!reset_and_wait("swap to the new image, again")) return;
      t = Clock::now();
      state = client_.state_read();
    }
    if (!state) {
      failed("state read after reset", state.error(), BoardUpdateOutcome::Infrastructure);
      return;
    }
    const SlotState* now_running = state.value().slot(0);
    if (!now_running || now_running->hash != hash_) {
      step("state", t, "running " + (now_running ? now_running->version : std::string("nothing")));
      end(BoardUpdateOutcome::RolledBack,
          "MCUboot reverted to " + (now_running ? now_running->version : std::string("?")) + ": " +
              report_.to_version + " did not come up after the reset");
      return;
    }
    step("state", t, "running " + now_running->version + (now_running->confirmed ? "" : " (unconfirmed)"));

    t = Clock::now();
    auto probe = client_.echo("fleetsim-probe");
    if (!probe || probe.value() != "fleetsim-probe") {
      step("probe", t, probe ? "wrong echo" : probe.error().message);
      // Leave it unconfirmed and reset: MCUboot brings the old image back.
      const bool back = reset_and_wait("revert the unhealthy image");
      end(BoardUpdateOutcome::RolledBack, report_.to_version + " failed the health probe (" +
                                              (probe ? "wrong echo" : probe.error().message) + ")" +
                                              (back ? "; reset to revert" : "; board did not come back"));
      return;
    }
    step("probe", t, "echo answered");

    t = Clock::now();
    auto confirmed = client_.confirm();
    if (!confirmed) {
      failed("confirm", confirmed.error(), BoardUpdateOutcome::InstallFailed);
      return;
    }
    const SlotState* after = confirmed.value().slot(0);
    if (after && after->hash == hash_ && after->confirmed) {
      step("confirm", t, "slot 0 confirmed");
      end(BoardUpdateOutcome::Updated, "updated " + report_.from_version + " → " + report_.to_version);
      return;
    }
    step("confirm", t, "acknowledged but slot 0 is not confirmed");
    // An unconfirmed image does not survive the next reset; show it rather than assume it.
    if (!reset_and_wait("check whether the unconfirmed image stays")) return;
    t = Clock::now();
    state = client_.state_read();
    if (!state) {
      failed("state read after the check reset", state.error(), BoardUpdateOutcome::Infrastructure);
      return;
    }
    const SlotState* finally = state.value().slot(0);
    step("state", t, "running " + (finally ? finally->version : std::string("nothing")));
    if (finally && finally->hash == old_hash) {
      end(BoardUpdateOutcome::RolledBack, "confirm of " + report_.to_version +
                                              " did not persist; MCUboot reverted to " + finally->version +
                                              " on the next reset");
    } else {
      end(BoardUpdateOutcome::InstallFailed, "confirm of " + report_.to_version + " did not persist");
    }
  }

  SmpClient& client_;
  std::span<const std::uint8_t> image_;
  const BoardUpdateOptions& options_;
  std::vector<std::uint8_t> hash_;
  BoardUpdateReport report_;
};

}  // namespace

const char* to_string(BoardUpdateOutcome outcome) {
  switch (outcome) {
    case BoardUpdateOutcome::Updated: return "updated";
    case BoardUpdateOutcome::RolledBack: return "rolled_back";
    case BoardUpdateOutcome::InstallFailed: return "install_failed";
    case BoardUpdateOutcome::Infrastructure: return "infrastructure";
  }
  return "?";
}

std::string format_steps(const std::vector<BoardUpdateStep>& steps) {
  std::string out;
  char buf[64];
  for (const auto& s : steps) {
    std::snprintf(buf, sizeof buf, "%-8s %8.3f s", s.name.c_str(), s.seconds);
    out += buf;
    if (!s.note.empty()) out += "  " + s.note;
    out += "\n";
  }
  return out;
}

std::string BoardUpdateReport::detail() const {
  std::string out = format_steps(steps);
  char buf[64];
  std::snprintf(buf, sizeof buf, "total    %8.3f s", seconds);
  return out + buf + "\n";
}

double BoardUpdateReport::step_seconds(const std::string& name) const {
  double sum = 0;
  for (const auto& s : steps)
    if (s.name == name) sum += s.seconds;
  return sum;
}

BoardUpdateReport update_board(SmpClient& client, std::span<const std::uint8_t> image, const McubootImageInfo& info,
                               const BoardUpdateOptions& options) {
  return UpdateRun(client, image, info, options).run();
}

ResetWait reset_board(SmpClient& client, const BoardUpdateOptions& options) {
  ResetWait r;
  auto t = Clock::now();
  // One copy only: if just the reply was lost, a retransmission would reach the board after it
  // came back and reset it again, reverting an unconfirmed test image. A lost request shows
  // afterwards as a board that never reset, and the caller sends the reset again.
  const TransportTiming saved = client.transport().timing();
  client.transport().set_timing(TransportTiming{saved.response_timeout, 1});
  auto reset = client.reset();
  client.transport().set_timing(saved);
  if (!reset && reset.error().kind != SmpClientError::Kind::Transport) {
    r.problem = reset.error().message;
    return r;
  }
  // A lost reset reply is not fatal: the board may already be rebooting.
  r.sent = true;
  r.replied = bool(reset);
  r.reset_seconds = since(t);
  t = Clock::now();
  const auto stopped = [&] { return options.stop && options.stop(); };
  double back = wait_for_board(client, options.reboot_timeout, options.probe_timeout, options.stop);
  if (back < 0 && !stopped() && options.recover && options.recover()) {
    back = wait_for_board(client, options.reboot_timeout, options.probe_timeout, options.stop);
  }
  r.wait_seconds = since(t);
  r.back = back >= 0;
  if (!r.back && stopped()) {
    r.problem = "interrupted while waiting for the board after the reset";
  } else if (!r.back) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "board did not answer within %.3f s after reset",
                  double(options.reboot_timeout.count()) / 1000.0);
    r.problem = buf;
  }
  return r;
}

double wait_for_board(SmpClient& client, std::chrono::milliseconds timeout, std::chrono::milliseconds probe_timeout,
                      const std::function<bool()>& stop) {
  const TransportTiming saved = client.transport().timing();
  client.transport().set_timing(TransportTiming{probe_timeout, 1});
  const auto start = Clock::now();
  double result = -1;
  while (Clock::now() - start < timeout && !(stop && stop())) {
    // mcumgr params, not echo: echo is the health probe, and an app that fails it is still up.
    auto r = client.params();
    if (r) {
      result = since(start);
      break;
    }
    if (r.error().kind != SmpClientError::Kind::Transport) {  // it answered, with an error: it is up
      result = since(start);
      break;
    }
    if (r.error().transport.kind == TransportError::Kind::Io) {
      // e.g. a pty whose other end is gone: do not spin; the next poll may succeed.
      std::this_thread::sleep_for(probe_timeout);
    }
  }
  client.transport().set_timing(saved);
  return result;
}

}  // namespace fleetsim::hil
