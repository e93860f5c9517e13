#include "sim/rollout/rollout_order.hpp"

#include <algorithm>

#include "sim/core/random_stream.hpp"

namespace fleetsim {

RolloutOrder::RolloutOrder(const Scenario& scenario, const std::vector<int64_t>& cohort_first,
                           const std::vector<bool>& targeted, uint64_t seed)
    : random_(scenario.rollout.order == Order::Random), seed_(seed) {
  std::vector<size_t> cohorts;
  for (size_t c = 0; c < scenario.cohorts.size(); ++c)
    if (targeted[c]) cohorts.push_back(c);
  if (scenario.rollout.order == Order::Region) {
    std::stable_sort(cohorts.begin(), cohorts.end(), [&](size_t a, size_t b) {
      return scenario.region_index(scenario.cohorts[a].region) < scenario.region_index(scenario.cohorts[b].region);
    });
  }
  for (size_t c : cohorts) {
    ranges_.push_back({size_, cohort_first[c], scenario.cohorts[c].count});
    size_ += scenario.cohorts[c].count;
  }
  while ((uint64_t(1) << (2 * half_bits_)) < uint64_t(std::max<int64_t>(size_, 2))) ++half_bits_;
}

uint64_t RolloutOrder::permute(uint64_t x) const {
  // Balanced Feistel network on 2·half_bits_ bits; cycle-walk until the image is in range.
  const uint64_t mask = (uint64_t(1) << half_bits_) - 1;
  do {
    uint64_t left = x >> half_bits_, right = x & mask;
    for (uint32_t round = 0; round < 4; ++round) {
      uint64_t f = random_bits(seed_, round, Stream::Order, right) & mask;
      uint64_t next = left ^ f;
      left = right;
      right = next;
    }
    x = (left << half_bits_) | right;
  } while (x >= uint64_t(size_));
  return x;
}

uint32_t RolloutOrder::device_at(int64_t position) const {
  int64_t p = random_ ? int64_t(permute(uint64_t(position))) : position;
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), p,
                             [](int64_t v, const Range& r) { return v < r.start_position; });
  const Range& r = *(it - 1);
  return uint32_t(r.first_device + (p - r.start_position));
}

}  // namespace fleetsim
