// Fuzzes the unit parsers of sim/core/units.hpp (durations, sizes, rates, fractions, per-second
// rates), which read every quantity of a scenario, and the formatting of what they accept.
#include <cmath>
#include <cstdint>
#include <string_view>

#include "sim/core/units.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace u = fleetsim::units;
  if (const auto d = u::parse_duration(text)) (void)u::format_duration(*d);
  if (const auto b = u::parse_size(text)) (void)u::format_size(*b);
  if (const auto r = u::parse_rate(text)) (void)u::format_rate(*r);
  if (const auto f = u::parse_fraction(text))
    if (std::isnan(*f)) __builtin_trap();  // a fraction that compares false with every bound
  (void)u::parse_per_second(text);
  return 0;
}
