// A board's virtual time while its operation runs, readable from any thread: the co-simulation
// clock (README "Hardware in the loop"): t_issue + (wall_now − wall_issue) × pace. The bridge restarts it when it
// hands the board an update; the impaired link reads it to apply outages and the model's
// flakiness in the board's virtual time.
#pragma once

#include <atomic>
#include <chrono>

namespace fleetsim::hil {

class BoardClock {
 public:
  explicit BoardClock(double pace) : pace_(pace), wall_issue_(ticks()) {}

  void start(double t_issue, std::chrono::steady_clock::time_point wall_issue) {
    t_issue_.store(t_issue);
    wall_issue_.store(wall_issue.time_since_epoch().count());
  }
  double now() const {
    const std::chrono::steady_clock::duration elapsed(ticks() - wall_issue_.load());
    return t_issue_.load() + std::chrono::duration<double>(elapsed).count() * pace_;
  }

 private:
  static std::chrono::steady_clock::rep ticks() { return std::chrono::steady_clock::now().time_since_epoch().count(); }

  double pace_;
  std::atomic<double> t_issue_{0};
  std::atomic<std::chrono::steady_clock::rep> wall_issue_;
};

}  // namespace fleetsim::hil
