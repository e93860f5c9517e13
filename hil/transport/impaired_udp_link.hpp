// User-space impairment of a UDP board's link (README "Hardware in the loop", Impairment): a relay
// on 127.0.0.1 between the bridge and the board that passes each datagram through an ImpairedQueue
// (delay, loss, outage windows, Gilbert–Elliott drop or stall; hil/transport/link_impairment.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "hil/transport/link_impairment.hpp"

namespace fleetsim::hil {

class ImpairedUdpLink final : public ImpairedLink {
 public:
  // Binds 127.0.0.1:0 for the bridge and a socket connected to the board; throws
  // std::runtime_error.
  ImpairedUdpLink(const std::string& board_host, std::uint16_t board_port, LinkImpairment impairment);
  ~ImpairedUdpLink() override;
  ImpairedUdpLink(const ImpairedUdpLink&) = delete;
  ImpairedUdpLink& operator=(const ImpairedUdpLink&) = delete;

  // Where the bridge sends instead of the board.
  std::uint16_t port() const { return port_; }

  LinkStats stats() const override { return queue_.stats(); }
  const char* unit() const override { return "datagrams"; }

 private:
  void run();

  ImpairedQueue queue_;
  int front_ = -1, back_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace fleetsim::hil
