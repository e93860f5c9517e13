// User-space impairment of a UDP board's link (DESIGN.md §6, no root, no netem): a relay on
// 127.0.0.1 between the bridge and the board that delays datagrams, loses some at random, drops
// them in outage windows
// and follows a two-state Gilbert–Elliott process (the device model's flakiness): in the bad
// state datagrams are dropped ("drop") or held until the link is good again ("stall"). Outages
// and the Gilbert–Elliott process run on a clock the caller gives — the bridge passes the
// board's virtual time, so scenario outages and model sojourn times mean the same as for virtual
// devices; the delay is in wall time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fleetsim::hil {

struct LinkImpairment {
  std::chrono::microseconds delay{0};  // added to every datagram, each direction (wall time)
  double loss = 0;                     // probability each datagram is lost, independently
  double mean_good = 0;                // Gilbert–Elliott mean sojourns in clock seconds; 0: never bad
  double mean_bad = 0;
  bool stall = false;                  // bad state holds datagrams instead of dropping them
  std::vector<std::pair<double, double>> outages;  // [from, to) in clock seconds: everything dropped
  std::function<double()> clock;       // seconds; wall seconds since the link started when empty
  std::uint64_t seed = 1;
};

class ImpairedUdpLink {
 public:
  // Binds 127.0.0.1:0 for the bridge and a socket connected to the board; throws
  // std::runtime_error.
  ImpairedUdpLink(const std::string& board_host, std::uint16_t board_port, LinkImpairment impairment);
  ~ImpairedUdpLink();
  ImpairedUdpLink(const ImpairedUdpLink&) = delete;
  ImpairedUdpLink& operator=(const ImpairedUdpLink&) = delete;

  // Where the bridge sends instead of the board.
  std::uint16_t port() const { return port_; }

  struct Stats {
    std::size_t forwarded = 0, dropped = 0, held = 0;
  };
  Stats stats() const;

 private:
  struct InFlight {
    std::chrono::steady_clock::time_point release;
    bool to_board;
    std::vector<std::uint8_t> bytes;
  };
  void run();
  bool link_bad(double now);  // advances the Gilbert–Elliott state to `now`
  double draw_uniform();  // [0, 1)
  double draw_exponential(double mean);

  LinkImpairment impairment_;
  int front_ = -1, back_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex stats_mu_;
  Stats stats_;
  std::uint64_t rng_;
  bool bad_ = false;
  double next_flip_ = -1;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace fleetsim::hil
