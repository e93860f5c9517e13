#include "hil/emulator/board_link_faults.hpp"

namespace fleetsim::hil {

namespace {

// A uniform draw in [0, 1) from the top 53 bits: the same on every platform, unlike the
// standard distributions, whose algorithms the library chooses.
bool happens(std::mt19937_64& draws, double rate) {
  return static_cast<double>(draws() >> 11) * 0x1.0p-53 < rate;
}

}  // namespace

BoardLinkFaults::BoardLinkFaults(double drop_rate, double corrupt_rate, std::uint64_t seed)
    : drop_rate_(drop_rate),
      corrupt_rate_(corrupt_rate),
      drop_draws_(seed),
      corrupt_draws_(seed ^ 0x9E3779B97F4A7C15ULL) {}

bool BoardLinkFaults::drop_request() { return drop_rate_ > 0 && happens(drop_draws_, drop_rate_); }

bool BoardLinkFaults::corrupt_reply() {
  return corrupt_rate_ > 0 && happens(corrupt_draws_, corrupt_rate_);
}

}  // namespace fleetsim::hil
