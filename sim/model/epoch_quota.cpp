#include "sim/model/epoch_quota.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fleetsim {

EpochQuota::EpochQuota(double total, std::vector<double> prior)
    : total_(total), prior_(normalised(prior)), demand_(prior.size(), 0.0), shares_(prior.size(), 0.0),
      whole_(prior.size(), 0) {
  set_shares(prior_);
}

std::vector<double> EpochQuota::normalised(const std::vector<double>& w) {
  double sum = std::accumulate(w.begin(), w.end(), 0.0);
  std::vector<double> out(w.size(), w.empty() ? 0.0 : 1.0 / double(w.size()));
  if (sum > 0)
    for (size_t r = 0; r < w.size(); ++r) out[r] = w[r] / sum;
  return out;
}

void EpochQuota::set_shares(const std::vector<double>& weights) {
  const size_t n = weights.size();
  if (n == 0) return;
  double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  for (size_t r = 0; r < n; ++r) shares_[r] = sum > 0 ? weights[r] / sum : 1.0 / double(n);
  // Largest remainder: floor everyone, then hand the leftover units to the largest fractions
  // (ties to the lower region index, so the split is deterministic).
  const int64_t units = int64_t(std::floor(total_));
  std::vector<double> remainder(n);
  int64_t given = 0;
  for (size_t r = 0; r < n; ++r) {
    double exact = double(units) * shares_[r];
    whole_[r] = int64_t(std::floor(exact));
    remainder[r] = exact - double(whole_[r]);
    given += whole_[r];
  }
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return remainder[a] > remainder[b]; });
  for (size_t i = 0; given < units; i = (i + 1) % n, ++given) ++whole_[order[i]];
}

void EpochQuota::rebalance() {
  if (std::accumulate(demand_.begin(), demand_.end(), 0.0) > 0) {
    // Half by last epoch's demand, half by the prior: a region that was quiet keeps a floor
    // (half its prior share) for a surge, and a busy region gets the rest.
    std::vector<double> demand = normalised(demand_), weights(demand.size());
    for (size_t r = 0; r < weights.size(); ++r) weights[r] = 0.5 * demand[r] + 0.5 * prior_[r];
    set_shares(weights);
  }
  std::fill(demand_.begin(), demand_.end(), 0.0);
}

}  // namespace fleetsim
