// A platform service with a request capacity per second (the update service's check-ins, the
// broker's connects), as a token bucket: tokens accrue continuously at what the analytic
// background load (idle polls, reconnect storms) leaves of the capacity, up to one second's
// worth (at least one token), so rates below 1/s work too. A request without a token is
// throttled: the device backs off and retries. Whether a limit applies at all is the caller's
// business; a capacity of 0 admits nothing.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "sim/core/quantity.hpp"

namespace fleetsim {

class RateLimitedService {
 public:
  explicit RateLimitedService(PerSecond capacity = PerSecond(0)) : capacity_(capacity) {}

  void set_capacity(PerSecond capacity) { capacity_ = capacity; }
  double capacity_now() const { return capacity_.value; }

  // One request at `now` on top of `background` requests/s. Returns false when throttled.
  bool admit(Seconds now, double background) {
    ++offered_;
    ++epoch_offered_;
    const double rate = std::max(0.0, capacity_.value - background);
    const double burst = rate > 0 ? std::max(1.0, rate) : 0.0;  // no capacity, no token
    tokens_ = last_ < 0 ? burst : std::min(burst, tokens_ + rate * (now.value - last_));
    last_ = now.value;
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    ++throttled_;
    return false;
  }

  int64_t offered() const { return offered_; }
  // Requests offered since the last call (the demand that sets the next epoch's share).
  int64_t take_epoch_offered() {
    int64_t n = epoch_offered_;
    epoch_offered_ = 0;
    return n;
  }
  int64_t throttled() const { return throttled_; }

 private:
  PerSecond capacity_;
  double last_ = -1.0;
  double tokens_ = 0.0;
  int64_t offered_ = 0;
  int64_t epoch_offered_ = 0;
  int64_t throttled_ = 0;
};

}  // namespace fleetsim
