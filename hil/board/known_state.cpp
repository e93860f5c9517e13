#include "hil/board/known_state.hpp"

#include <chrono>
#include <cstdio>

namespace fleetsim::hil {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// "1.0.0" and "1.0.0+0" are the same version; texts that are no image version compare as text.
bool same_version(const std::string& a, const std::string& b) {
  const auto va = ImageVersion::parse(a), vb = ImageVersion::parse(b);
  if (va && vb) return *va == *vb;
  return a == b;
}

class KnownStateRun {
 public:
  KnownStateRun(SmpClient& client, const std::string& version, const std::optional<BaselineImage>& baseline,
                const BoardUpdateOptions& options)
      : client_(client), version_(version), baseline_(baseline), options_(options) {}

  KnownStateReport run() {
    constexpr int kMaxActions = 8;
    for (int action = 0; action <= kMaxActions; ++action) {
      if (options_.stop && options_.stop()) return fail("interrupted");
      auto t = Clock::now();
      auto state = client_.state_read();
      if (!state) return fail("image state read: " + state.error().message);
      const SlotState* running = state.value().slot(0);
      report_.running_version = running ? running->version : "";
      const BoardCondition condition = classify_board(state.value(), version_);
      last_ = condition;
      step("state", t, std::string(to_string(condition)) + (running ? ", running " + running->version : ""));
      if (condition == BoardCondition::Known) {
        report_.ready = true;
        if (report_.message.empty()) report_.message = "already on " + report_.running_version + ", confirmed";
        else report_.message += "; now on " + report_.running_version + ", confirmed";
        return report_;
      }
      if (action == kMaxActions) break;
      if (!act(condition, state.value())) return report_;
    }
    return fail("still " + std::string(to_string(last_)) + " after " +
                std::to_string(kMaxActions) + " recovery actions");
  }

 private:
  void step(const std::string& name, Clock::time_point started, std::string note) {
    report_.steps.push_back({name, since(started), std::move(note)});
    if (options_.on_step) options_.on_step(report_.steps.back());
  }
  KnownStateReport fail(std::string message) {
    report_.ready = false;
    report_.message = std::move(message);
    return report_;
  }
  void did(const std::string& what) { report_.message += (report_.message.empty() ? "" : "; ") + what; }

  bool reset(const std::string& why) {
    const ResetWait r = reset_board(client_, options_);
    report_.steps.push_back({"reset", r.reset_seconds + r.wait_seconds, why});
    if (options_.on_step) options_.on_step(report_.steps.back());
    if (!r.sent || !r.back) {
      fail("reset (" + why + "): " + r.problem);
      return false;
    }
    did("reset (" + why + ")");
    return true;
  }

  // The one action `condition` calls for; false (report set) when it failed.
  bool act(BoardCondition condition, const ImageState& state) {
    const auto t = Clock::now();
    switch (condition) {
      case BoardCondition::Known: return true;
      case BoardCondition::NoImage: fail("no active image in slot 0"); return false;
      case BoardCondition::RunningUnconfirmed: {
        if (version_.empty() || !same_version(state.slot(0)->version, version_))
          return reset("revert the unconfirmed " + state.slot(0)->version);
        auto r = client_.confirm();
        step("confirm", t, r ? "slot 0 " + state.slot(0)->version : r.error().message);
        if (!r) {
          fail("confirm " + state.slot(0)->version + ": " + r.error().message);
          return false;
        }
        did("confirmed the running " + state.slot(0)->version);
        return true;
      }
      case BoardCondition::Slot1Pending:
      case BoardCondition::Slot1InUse: {
        auto r = client_.erase();
        step("erase", t, r ? "slot 1 erased" : r.error().message);
        if (r) {
          did("erased slot 1 (" + std::string(to_string(condition)) + ")");
          return true;
        }
        if (!r.error().board_state()) {
          fail("erase slot 1: " + r.error().message);
          return false;
        }
        // Zephyr refuses to erase a pending slot (unless CONFIG_MCUMGR_GRP_IMG_ALLOW_ERASE_PENDING):
        // a reset boots the test image unconfirmed, and the next round reverts it.
        return reset("boot the pending image so that it can be reverted");
      }
      case BoardCondition::OtherVersion: {
        if (!baseline_) {
          report_.wrong_version = true;
          fail("runs " + state.slot(0)->version + ", not " + version_ + ", and the scenario names no hil.baseline");
          return false;
        }
        const BoardUpdateReport r = update_board(client_, baseline_->image, baseline_->info, options_);
        step("baseline", t, std::string(to_string(r.outcome)) + ": " + r.message);
        if (r.outcome != BoardUpdateOutcome::Updated) {
          fail("flashing the baseline " + baseline_->info.version.text() + ": " + to_string(r.outcome) + ": " +
               r.message);
          return false;
        }
        did("flashed the baseline " + baseline_->info.version.text() + " over " + state.slot(0)->version);
        return true;
      }
    }
    return false;
  }

  SmpClient& client_;
  const std::string& version_;
  const std::optional<BaselineImage>& baseline_;
  const BoardUpdateOptions& options_;
  KnownStateReport report_;
  BoardCondition last_ = BoardCondition::Known;
};

}  // namespace

const char* to_string(BoardCondition condition) {
  switch (condition) {
    case BoardCondition::Known: return "known state";
    case BoardCondition::OtherVersion: return "on another version";
    case BoardCondition::Slot1Pending: return "a test image pending in slot 1";
    case BoardCondition::RunningUnconfirmed: return "running an unconfirmed test image";
    case BoardCondition::Slot1InUse: return "slot 1 in use";
    case BoardCondition::NoImage: return "no active image";
  }
  return "?";
}

const char* recovery_action(BoardCondition condition) {
  switch (condition) {
    case BoardCondition::Known: return "nothing to do";
    case BoardCondition::OtherVersion: return "flash the baseline image (hil.baseline, or `fleetsim hil flash`)";
    case BoardCondition::Slot1Pending:
      return "erase slot 1 (`fleetsim hil erase`); if the board refuses, reset it twice (`fleetsim hil reset`)";
    case BoardCondition::RunningUnconfirmed:
      return "reset to revert (`fleetsim hil reset`), or confirm to keep it (`fleetsim hil confirm`)";
    case BoardCondition::Slot1InUse: return "erase slot 1 (`fleetsim hil erase`)";
    case BoardCondition::NoImage: return "flash an image with a debugger or the bootloader's serial recovery";
  }
  return "?";
}

BoardCondition classify_board(const ImageState& state, const std::string& wanted_version) {
  const SlotState* running = state.slot(0);
  const SlotState* other = state.slot(1);
  if (!running || !running->active) return BoardCondition::NoImage;
  if (!running->confirmed) return BoardCondition::RunningUnconfirmed;
  if (other && other->pending) return BoardCondition::Slot1Pending;
  if (other && other->confirmed) return BoardCondition::Slot1InUse;
  if (!wanted_version.empty() && !same_version(running->version, wanted_version)) return BoardCondition::OtherVersion;
  return BoardCondition::Known;
}

std::string describe_slots(const ImageState& state) {
  std::string out;
  char line[160];
  for (const auto& s : state.slots) {
    std::string flags;
    for (auto [on, name] : {std::pair{s.active, "active"}, {s.confirmed, "confirmed"}, {s.pending, "pending"},
                            {s.permanent, "permanent"}, {s.bootable, "bootable"}})
      if (on) flags += std::string(flags.empty() ? "" : ",") + name;
    std::snprintf(line, sizeof line, "  slot %d  %-12s %s\n", s.slot, s.version.c_str(), flags.c_str());
    out += line;
  }
  if (!state.slot(1)) out += "  slot 1  empty\n";
  const BoardCondition c = classify_board(state, "");
  out += std::string("  state: ") + to_string(c);
  if (c != BoardCondition::Known) out += std::string(" (to recover: ") + recovery_action(c) + ")";
  return out + "\n";
}

std::string KnownStateReport::detail() const { return format_steps(steps); }

KnownStateReport bring_to_known_state(SmpClient& client, const std::string& version,
                                      const std::optional<BaselineImage>& baseline, const BoardUpdateOptions& options) {
  return KnownStateRun(client, version, baseline, options).run();
}

}  // namespace fleetsim::hil
