// The known-state step (README "Hardware in the loop", known state): before a gate, a board is
// brought to the version its device slot starts on, confirmed, with slot 1 free, so that the gate
// sees the update from that version, and a board left half-updated by an interrupted run does not
// fail a good build. A small explicit strategy: read the slots, classify them (BoardCondition), take
// the one recovery action that condition calls for, read again; bounded. The recovery actions are
// the ones `fleetsim hil reset|confirm|erase` run: reset_board, SmpClient::confirm, SmpClient::erase,
// and update_board for the baseline image.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hil/board/board_update.hpp"

namespace fleetsim::hil {

enum class BoardCondition {
  Known,               // slot 0 confirmed on the wanted version (or any, when none is wanted), slot 1 free
  OtherVersion,        // slot 0 confirmed on another version, slot 1 free → flash the baseline
  Slot1Pending,        // a test image waits in slot 1 (an update stopped before its reset) → erase slot 1
  RunningUnconfirmed,  // slot 0 runs a test image nobody confirmed (stopped after its reset) → confirm
                       // it when it is the wanted version, else reset (MCUboot reverts)
  Slot1InUse,          // slot 1 still marked confirmed beside a confirmed slot 0 → erase slot 1
  NoImage,             // no active image in slot 0
};

// "known", "other version", … and the action the strategy takes, for messages.
const char* to_string(BoardCondition condition);
const char* recovery_action(BoardCondition condition);

// `wanted_version` empty: any confirmed version is known (`fleetsim hil flash`).
BoardCondition classify_board(const ImageState& state, const std::string& wanted_version);

// One line per slot, e.g. "  slot 1  2.0.0        pending,bootable", then what the state means.
std::string describe_slots(const ImageState& state);

struct BaselineImage {
  std::span<const std::uint8_t> image;
  McubootImageInfo info;
};

struct KnownStateReport {
  bool ready = false;
  // Confirmed on another version and no baseline to flash: the run refuses to start.
  bool wrong_version = false;
  std::string running_version;  // slot 0 at the end
  std::string message;          // why not ready, or what was done
  std::vector<BoardUpdateStep> steps;
  // One line per step with its time.
  std::string detail() const;
};

// Drives the board to `version` (empty: any), confirmed, slot 1 free; flashes `baseline` when it
// runs another version. At most 8 recovery actions.
KnownStateReport bring_to_known_state(SmpClient& client, const std::string& version,
                                      const std::optional<BaselineImage>& baseline, const BoardUpdateOptions& options);

}  // namespace fleetsim::hil
