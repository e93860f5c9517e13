// What an impaired board link does with each unit it carries (README "Hardware in the loop",
// Impairment: user space, no root, no netem): the parameters, and the decisions the UDP relay
// (datagrams) and the serial relay (console lines) share — random loss, outage windows and a
// two-state Gilbert–Elliott process (the device model's flakiness) in whose bad state units are
// dropped ("drop") or held until the link is good again ("stall"), then a delay. Outages and the
// Gilbert–Elliott process run on a clock the caller gives — the bridge passes the board's virtual
// time, so scenario outages and model sojourn times mean the same as for virtual devices; the delay
// is in wall time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

namespace fleetsim::hil {

struct LinkImpairment {
  std::chrono::microseconds delay{0};  // added to every unit, each direction (wall time)
  double loss = 0;                     // probability each unit is lost, independently
  double mean_good = 0;                // Gilbert–Elliott mean sojourns in clock seconds; 0: never bad
  double mean_bad = 0;
  bool stall = false;                  // bad state holds units instead of dropping them
  std::vector<std::pair<double, double>> outages;  // [from, to) in clock seconds: everything dropped
  std::function<double()> clock;       // seconds; wall seconds since the link started when empty
  std::uint64_t seed = 1;
};

struct LinkStats {
  std::size_t forwarded = 0, dropped = 0, held = 0;
};

// A relay between the bridge and a board that impairs the link; the bridge keeps it alive for as
// long as it talks to the board and reports its counts.
class ImpairedLink {
 public:
  virtual ~ImpairedLink() = default;
  virtual LinkStats stats() const = 0;
  // What one counted unit is, for reports ("datagrams", "lines").
  virtual const char* unit() const = 0;
};

// The queue of a relay's units in flight: admits each arriving unit (or drops it) and gives back
// those due. Used by the relay's one thread; stats() may be read from any thread.
class ImpairedQueue {
 public:
  struct Unit {
    std::chrono::steady_clock::time_point release;
    bool to_board;
    std::vector<std::uint8_t> bytes;
  };

  explicit ImpairedQueue(LinkImpairment impairment);

  // A unit arrived from the bridge (to_board) or from the board: lost, dropped in an outage or in
  // the bad state, or queued for release after the delay (held while a stalling link is bad).
  void arrive(bool to_board, std::vector<std::uint8_t> bytes);
  // The units due now, in arrival order; counted as forwarded before they are sent, so whoever
  // receives one sees the count.
  std::vector<Unit> take_due();
  // How long a relay may wait for input before a unit falls due (at most 20 ms, so a stall ends
  // in time when the clock moves on).
  int poll_timeout_ms() const;
  LinkStats stats() const;

 private:
  double clock_now() const;
  bool link_bad(double now);  // advances the Gilbert–Elliott state to `now`
  double draw_uniform();      // [0, 1)
  double draw_exponential(double mean);

  LinkImpairment impairment_;
  std::deque<Unit> in_flight_;
  std::uint64_t rng_;
  bool bad_ = false;
  double next_flip_ = -1;
  bool holding_ = false;  // the last take_due found a stalling link bad
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex stats_mu_;
  LinkStats stats_;
};

}  // namespace fleetsim::hil
