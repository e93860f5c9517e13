// A value, or a distribution object over the same unit ({"dist": "lognormal", "median": …,
// "p95": …}), as device models give their link rates and phase durations (README "Device
// models"). Internal to sim/scenario.
#pragma once

#include <optional>

#include "sim/core/distribution.hpp"
#include "sim/core/json_reader.hpp"

namespace fleetsim {

// The unit every number of the distribution is in.
enum class Unit { Duration, Rate, Fraction };

std::optional<Distribution> distribution(const json_reader::Field& f, Unit u);

}  // namespace fleetsim
