// A parameter that is either a fixed value or a probability distribution. Values are in the
// parameter's base unit (seconds, bytes, bytes/s, or a plain fraction).
#pragma once

#include <cstdint>
#include <string>

namespace fleetsim {

struct Distribution {
  enum class Kind : uint8_t { Fixed, Uniform, Normal, LogNormal, Exponential };
  Kind kind = Kind::Fixed;
  // Fixed: a = value. Uniform: a = min, b = max. Normal: a = mean, b = stddev.
  // LogNormal: a = mu, b = sigma of the underlying normal. Exponential: a = mean.
  double a = 0.0;
  double b = 0.0;

  static Distribution fixed(double v) { return {Kind::Fixed, v, 0.0}; }
  static Distribution uniform(double lo, double hi) { return {Kind::Uniform, lo, hi}; }
  static Distribution normal(double mean, double sd) { return {Kind::Normal, mean, sd}; }
  static Distribution exponential(double mean) { return {Kind::Exponential, mean, 0.0}; }
  // Log-normal from its median and 95th percentile (the way vendors quote link rates).
  static Distribution lognormal_median_p95(double median, double p95);

  // Draw from two independent uniforms in (0,1); u2 is used only by Normal/LogNormal
  // (Box–Muller). Normal draws may be negative: callers clamp physical quantities.
  double sample(double u1, double u2) const;
  double mean() const;
  double variance() const;
  bool is_fixed() const { return kind == Kind::Fixed; }
  std::string describe() const;
};

}  // namespace fleetsim
