#include "sim/core/distribution.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace fleetsim {

namespace {

// Standard normal 95th percentile, Phi^-1(0.95).
constexpr double kZ95 = 1.6448536269514722;

// Box–Muller: two independent uniforms in (0,1) -> one standard normal. u1 is never 0, so
// the logarithm is finite.
double standard_normal(double u1, double u2) {
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::string format(const char* fmt, double x, double y = 0.0) {
  char buf[128];
  int n = std::snprintf(buf, sizeof buf, fmt, x, y);
  if (n < 0) return {};
  return std::string(buf, std::min<size_t>(size_t(n), sizeof buf - 1));
}

}  // namespace

Distribution Distribution::lognormal_median_p95(double median, double p95) {
  // ln X ~ N(mu, sigma^2): the median of X is e^mu and its p95 is e^(mu + z95 sigma).
  double mu = std::log(median);
  double sigma = (std::log(p95) - mu) / kZ95;
  return {Kind::LogNormal, mu, sigma};
}

double Distribution::sample(double u1, double u2) const {
  switch (kind) {
    case Kind::Fixed:
      return a;
    case Kind::Uniform:
      return a + (b - a) * u1;
    case Kind::Normal:
      return a + b * standard_normal(u1, u2);
    case Kind::LogNormal:
      return std::exp(a + b * standard_normal(u1, u2));
    case Kind::Exponential:
      // Inverse CDF of F(x) = 1 - e^(-x/mean); log1p keeps precision for small u1.
      return -a * std::log1p(-u1);
  }
  return a;
}

double Distribution::mean() const {
  switch (kind) {
    case Kind::Fixed:
      return a;
    case Kind::Uniform:
      return 0.5 * (a + b);
    case Kind::Normal:
      return a;
    case Kind::LogNormal:
      return std::exp(a + 0.5 * b * b);
    case Kind::Exponential:
      return a;
  }
  return a;
}

double Distribution::variance() const {
  switch (kind) {
    case Kind::Fixed:
      return 0.0;
    case Kind::Uniform:
      return (b - a) * (b - a) / 12.0;
    case Kind::Normal:
      return b * b;
    case Kind::LogNormal:
      return std::expm1(b * b) * std::exp(2.0 * a + b * b);
    case Kind::Exponential:
      return a * a;
  }
  return 0.0;
}

std::string Distribution::describe() const {
  switch (kind) {
    case Kind::Fixed:
      return format("%g", a);
    case Kind::Uniform:
      return format("uniform(min=%g, max=%g)", a, b);
    case Kind::Normal:
      return format("normal(mean=%g, stddev=%g)", a, b);
    case Kind::LogNormal:
      // Quoted the way it is specified, not by mu/sigma.
      return format("lognormal(median=%g, p95=%g)", std::exp(a), std::exp(a + kZ95 * b));
    case Kind::Exponential:
      return format("exponential(mean=%g)", a);
  }
  return "?";
}

}  // namespace fleetsim
