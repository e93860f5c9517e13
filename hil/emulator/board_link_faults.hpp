// The link faults fleetsim-board injects (--drop, --corrupt, --seed): which requests are lost
// before the board sees them and which replies leave it damaged. Seeded, so a test sees the
// same pattern on every run; drop and corrupt draw from separate streams, so turning one on
// does not change where the other strikes. How a reply is damaged depends on the transport.
#pragma once

#include <cstdint>
#include <random>

namespace fleetsim::hil {

class BoardLinkFaults {
 public:
  BoardLinkFaults() = default;  // no faults
  // Rates are fractions in [0, 1].
  BoardLinkFaults(double drop_rate, double corrupt_rate, std::uint64_t seed);

  // One draw per request that arrives: true → the request is lost (no reply).
  bool drop_request();
  // One draw per reply that leaves: true → the transport damages it.
  bool corrupt_reply();

 private:
  double drop_rate_ = 0;
  double corrupt_rate_ = 0;
  std::mt19937_64 drop_draws_;
  std::mt19937_64 corrupt_draws_;
};

}  // namespace fleetsim::hil
