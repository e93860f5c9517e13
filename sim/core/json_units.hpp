// Readers for strings with a unit (sim/core/units.hpp) in a JSON document: durations, sizes,
// rates, per-second rates and fractions. A bare number where a unit is needed is a problem of
// its own, since "30" could mean seconds or minutes.
#pragma once

#include <optional>

#include "sim/core/json_reader.hpp"
#include "sim/core/quantity.hpp"

namespace fleetsim::json_reader {

// Whether zero is allowed.
enum class Min { Zero, AboveZero };

std::optional<Seconds> duration(const Field& f, Min min = Min::Zero);
std::optional<Bytes> size(const Field& f);  // above zero
std::optional<BytesPerSecond> rate(const Field& f, Min min = Min::AboveZero);
std::optional<PerSecond> per_second(const Field& f);  // above zero

// A fraction in [0, 1]: "30%" or 0.3.
std::optional<double> fraction(const Field& f);
// A fraction without the [0,1] check ("150%" -> 1.5), so that callers can say "above 100%".
std::optional<double> unbounded_fraction(const Field& f);
// " (… did you mean \"50%\"?)" when `f` is a bare number in (1, 100], which reads as a fraction of
// 1 (50 = 5000%) though a percentage was surely meant; else "".
std::string percent_meant(const Field& f);

}  // namespace fleetsim::json_reader
