// User-space impairment of a serial board's link (README "Hardware in the loop", Impairment): a
// relay between the bridge and the board's tty. It opens a new pseudo-terminal whose path the
// bridge's serial client opens instead of the board's tty, and passes each console line
// (hil/protocol/serial_framing.hpp) through an ImpairedQueue (delay, loss, outage windows,
// Gilbert–Elliott drop or stall; hil/transport/link_impairment.hpp) in both directions.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "hil/transport/link_impairment.hpp"

namespace fleetsim::hil {

class ImpairedSerialLink final : public ImpairedLink {
 public:
  // Opens `board_tty` as the serial client would (raw, `baud`) and a new pseudo-terminal for the
  // bridge; throws std::runtime_error.
  ImpairedSerialLink(const std::string& board_tty, std::uint32_t baud, LinkImpairment impairment);
  ~ImpairedSerialLink() override;
  ImpairedSerialLink(const ImpairedSerialLink&) = delete;
  ImpairedSerialLink& operator=(const ImpairedSerialLink&) = delete;

  // The tty the bridge opens instead of the board's.
  const std::string& path() const { return path_; }

  LinkStats stats() const override { return queue_.stats(); }
  const char* unit() const override { return "lines"; }

 private:
  void run();

  ImpairedQueue queue_;
  int board_ = -1;                     // the board's tty
  int master_ = -1, subsidiary_ = -1;  // the bridge's pseudo-terminal
  std::string path_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fleetsim::hil
