// Divides a fleet-wide platform limit (CDN connections, update-service requests/s, broker
// connects/s) among regions, once per controller epoch: half in proportion to each region's
// demand in the previous epoch, half by a fixed prior (devices per region), so a quiet region
// keeps a floor (README "Scenario format"). Between epochs each region only sees its own share, so a
// region shard can enforce the limit without talking to the others, and a single-process run
// applies the very same rule — results do not depend on how the fleet is partitioned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fleetsim {

class EpochQuota {
 public:
  // `prior` weights the first epoch (e.g. devices per region); all zero means equal shares.
  EpochQuota(double total, std::vector<double> prior);

  void add_demand(int region, double amount) { demand_[size_t(region)] += amount; }
  // At an epoch: new shares, ½ demand seen since the last one + ½ prior (unchanged when there was
  // no demand), then the demand is reset.
  void rebalance();

  double total() const { return total_; }
  double share(int region) const { return shares_[size_t(region)]; }
  double amount(int region) const { return total_ * shares_[size_t(region)]; }
  // Whole units per region (largest remainder), summing exactly to the total.
  int64_t whole(int region) const { return whole_[size_t(region)]; }

 private:
  void set_shares(const std::vector<double>& weights);
  static std::vector<double> normalised(const std::vector<double>& w);

  double total_;
  std::vector<double> prior_;  // normalised
  std::vector<double> demand_;
  std::vector<double> shares_;
  std::vector<int64_t> whole_;
};

}  // namespace fleetsim
