// The order in which the rollout releases devices: a bijection from positions [0, M) onto the
// devices of the targeted cohorts. "cohort" rings follow the scenario's cohort order, "region"
// rings the region order, "random" is a keyed pseudo-random permutation (a Feistel network
// with cycle walking), so no per-device permutation array is stored.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/scenario/scenario.hpp"

namespace fleetsim {

class RolloutOrder {
 public:
  // `cohort_first[c]` is the first device id of cohort c; only cohorts with `targeted[c]` count.
  RolloutOrder(const Scenario& scenario, const std::vector<int64_t>& cohort_first,
               const std::vector<bool>& targeted, uint64_t seed);
  int64_t size() const { return size_; }
  uint32_t device_at(int64_t position) const;

 private:
  uint64_t permute(uint64_t x) const;

  struct Range {
    int64_t start_position;
    int64_t first_device;
    int64_t count;
  };
  std::vector<Range> ranges_;
  int64_t size_ = 0;
  bool random_ = false;
  uint64_t seed_ = 0;
  int half_bits_ = 1;
};

}  // namespace fleetsim
