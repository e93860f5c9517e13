// A platform service with a request capacity per second (the update service's check-ins, the
// broker's connects). Capacity is handed out in one-second slots; requests the model sends
// individually draw from what the analytic background load (idle polls, reconnect storms) leaves
// over. An exhausted slot throttles the request: the device backs off and retries.
#pragma once

#include <cmath>
#include <cstdint>

#include "sim/quantity.hpp"

namespace fleetsim {

class RateLimitedService {
 public:
  explicit RateLimitedService(PerSecond capacity = PerSecond(0)) : capacity_(capacity) {}

  bool unlimited() const { return capacity_.value <= 0; }
  void set_capacity(PerSecond capacity) { capacity_ = capacity; }
  void set_factor(double factor) { factor_ = factor; }
  double capacity_now() const { return capacity_.value * factor_; }

  // One request at `now` on top of `background` requests/s. Returns false when throttled.
  bool admit(Seconds now, double background) {
    ++offered_;
    ++epoch_offered_;
    if (unlimited()) return true;
    int64_t slot = int64_t(std::floor(now.value));
    if (slot != slot_) {
      slot_ = slot;
      tokens_ = std::floor(std::max(0.0, capacity_now() - background));
    }
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
  double factor_ = 1.0;
  int64_t slot_ = INT64_MIN;
  double tokens_ = 0.0;
  int64_t offered_ = 0;
  int64_t epoch_offered_ = 0;
  int64_t throttled_ = 0;
};

}  // namespace fleetsim
