#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include "sim/core/distribution.hpp"
#include "sim/core/random_stream.hpp"

using fleetsim::Distribution;

namespace {

constexpr double kZ95 = 1.6448536269514722;  // Phi^-1(0.95)
constexpr int kDraws = 200000;
// Allowed deviation of a sample statistic from its expectation, in standard errors. With
// kDraws this large the statistics are close to normal, so |z| > 5 has probability ~6e-7;
// the draws are seeded, so a pass is also reproducible.
constexpr double kSigmas = 5.0;

// kDraws samples, each from two independent uniforms (different counters of one stream).
std::vector<double> draw(const Distribution& d, uint64_t seed) {
  std::vector<double> xs;
  xs.reserve(kDraws);
  for (int i = 0; i < kDraws; ++i) {
    double u1 = fleetsim::uniform01(seed, 0, fleetsim::Stream::PhaseDurations, 2 * uint64_t(i));
    double u2 = fleetsim::uniform01(seed, 0, fleetsim::Stream::PhaseDurations, 2 * uint64_t(i) + 1);
    xs.push_back(d.sample(u1, u2));
  }
  return xs;
}

struct Moments {
  double mean;
  double variance;  // unbiased
};

Moments moments(const std::vector<double>& xs) {
  double n = double(xs.size());
  double sum = 0.0;
  for (double x : xs) sum += x;
  double m = sum / n;
  double ss = 0.0;
  for (double x : xs) ss += (x - m) * (x - m);
  return {m, ss / (n - 1)};
}

// Checks the sample mean and variance against the closed forms. Standard errors:
//   mean:     sqrt(var / n)
//   variance: sqrt((mu4 - var^2) / n), mu4 the fourth central moment.
void check_moments(const Distribution& d, double mu4, uint64_t seed) {
  Moments s = moments(draw(d, seed));
  double n = kDraws;
  double se_mean = std::sqrt(d.variance() / n);
  double se_var = std::sqrt((mu4 - d.variance() * d.variance()) / n);
  INFO(d.describe() << ": sample mean " << s.mean << " vs " << d.mean() << " (se " << se_mean
                    << "), sample variance " << s.variance << " vs " << d.variance() << " (se "
                    << se_var << ")");
  CHECK(std::abs(s.mean - d.mean()) <= kSigmas * se_mean);
  CHECK(std::abs(s.variance - d.variance()) <= kSigmas * se_var);
}

// Empirical p-quantile (order statistic at floor(p n)).
double quantile(std::vector<double> xs, double p) {
  auto k = static_cast<size_t>(p * double(xs.size()));
  std::nth_element(xs.begin(), xs.begin() + long(k), xs.end());
  return xs[k];
}

}  // namespace

// ---- closed forms, by hand -------------------------------------------------------------------

TEST_CASE("a fixed distribution always yields its value and has no variance") {
  auto d = Distribution::fixed(7.5);
  CHECK(d.sample(0.1, 0.9) == 7.5);
  CHECK(d.sample(0.9, 0.1) == 7.5);
  CHECK(d.mean() == 7.5);
  CHECK(d.variance() == 0.0);
  CHECK(d.is_fixed());
}

TEST_CASE("uniform sampling maps u linearly onto [min, max]") {
  // Inverse CDF of U(2, 6): x = 2 + 4u.
  auto d = Distribution::uniform(2.0, 6.0);
  CHECK(d.sample(0.25, 0.5) == Approx(3.0));
  CHECK(d.sample(0.75, 0.5) == Approx(5.0));
  CHECK_FALSE(d.is_fixed());
}

TEST_CASE("exponential sampling is the inverse of its CDF") {
  // F(x) = 1 - exp(-x/mean), mean 2: F^-1(1/2) = 2 ln 2 (the median) and F^-1(1 - 1/e) = 2.
  auto d = Distribution::exponential(2.0);
  CHECK(d.sample(0.5, 0.5) == Approx(2.0 * std::log(2.0)));
  CHECK(d.sample(1.0 - std::exp(-1.0), 0.5) == Approx(2.0));
}

TEST_CASE("closed-form mean and variance of each kind") {
  // U(2, 6): mean (2+6)/2 = 4, variance 4^2/12 = 4/3.
  CHECK(Distribution::uniform(2, 6).mean() == Approx(4.0));
  CHECK(Distribution::uniform(2, 6).variance() == Approx(4.0 / 3.0));
  // N(3, 2^2).
  CHECK(Distribution::normal(3, 2).mean() == Approx(3.0));
  CHECK(Distribution::normal(3, 2).variance() == Approx(4.0));
  // Exponential with mean 2: variance mean^2 = 4.
  CHECK(Distribution::exponential(2).mean() == Approx(2.0));
  CHECK(Distribution::exponential(2).variance() == Approx(4.0));
  // Lognormal mu = 0, sigma = 1: mean e^(1/2) = 1.64872, variance (e - 1) e = 4.67077.
  Distribution ln{Distribution::Kind::LogNormal, 0.0, 1.0};
  CHECK(ln.mean() == Approx(1.6487212707));
  CHECK(ln.variance() == Approx(4.6707742705));
}

TEST_CASE("a lognormal built from median and p95 has that median and p95") {
  // The median of a lognormal is e^mu and its p95 is e^(mu + z95 sigma).
  auto d = Distribution::lognormal_median_p95(2.0, 8.0);
  REQUIRE(d.kind == Distribution::Kind::LogNormal);
  CHECK(std::exp(d.a) == Approx(2.0));
  CHECK(std::exp(d.a + kZ95 * d.b) == Approx(8.0));
}

TEST_CASE("a lognormal is described by its median and p95") {
  auto text = Distribution::lognormal_median_p95(2.0, 8.0).describe();
  CHECK(text.find("lognormal") != std::string::npos);
  CHECK(text.find("median=2") != std::string::npos);
  CHECK(text.find("p95=8") != std::string::npos);
}

// ---- sample moments against the closed forms -------------------------------------------------

TEST_CASE("uniform samples have the closed-form mean and variance") {
  // Fourth central moment of U(a, b): (b - a)^4 / 80.
  auto d = Distribution::uniform(10.0, 30.0);
  check_moments(d, std::pow(20.0, 4) / 80.0, 1);
}

TEST_CASE("normal samples have the closed-form mean and variance") {
  // Fourth central moment of N(m, s^2): 3 s^4.
  auto d = Distribution::normal(5.0, 2.0);
  check_moments(d, 3.0 * std::pow(2.0, 4), 2);
}

TEST_CASE("exponential samples have the closed-form mean and variance") {
  // Fourth central moment of an exponential with mean m: 9 m^4.
  auto d = Distribution::exponential(3.0);
  check_moments(d, 9.0 * std::pow(3.0, 4), 3);
}

TEST_CASE("lognormal samples have the closed-form mean and variance") {
  auto d = Distribution::lognormal_median_p95(100.0, 200.0);  // sigma = ln 2 / z95 ~ 0.42
  // Raw moments E[X^k] = exp(k mu + k^2 sigma^2 / 2); the fourth central moment is
  // E[X^4] - 4 m E[X^3] + 6 m^2 E[X^2] - 3 m^4 with m = E[X].
  auto raw = [&](double k) { return std::exp(k * d.a + k * k * d.b * d.b / 2.0); };
  double m = raw(1);
  double mu4 = raw(4) - 4 * m * raw(3) + 6 * m * m * raw(2) - 3 * std::pow(m, 4);
  check_moments(d, mu4, 4);
}

TEST_CASE("lognormal samples recover the median and p95 they were built from") {
  const double median = 100.0, p95 = 200.0;
  auto d = Distribution::lognormal_median_p95(median, p95);
  auto xs = draw(d, 5);
  // Standard error of the sample p-quantile: sqrt(p (1 - p) / n) / f(x_p), where the lognormal
  // density is f(x) = phi(z) / (x sigma) and phi the standard normal density at z = (ln x - mu) / sigma.
  double n = kDraws, sigma = d.b;
  auto phi = [](double z) { return std::exp(-z * z / 2.0) / std::sqrt(2.0 * std::numbers::pi); };
  double se_median = std::sqrt(0.5 * 0.5 / n) * median * sigma / phi(0.0);
  double se_p95 = std::sqrt(0.95 * 0.05 / n) * p95 * sigma / phi(kZ95);
  double q50 = quantile(xs, 0.5), q95 = quantile(xs, 0.95);
  INFO("median " << q50 << " (se " << se_median << "), p95 " << q95 << " (se " << se_p95 << ")");
  CHECK(std::abs(q50 - median) <= kSigmas * se_median);
  CHECK(std::abs(q95 - p95) <= kSigmas * se_p95);
}

TEST_CASE("normal draws are symmetric about the mean") {
  // P(X < mean) = 1/2; the count below the mean is Binomial(n, 1/2) with sd sqrt(n)/2.
  auto xs = draw(Distribution::normal(0.0, 1.0), 6);
  double below = double(std::count_if(xs.begin(), xs.end(), [](double x) { return x < 0.0; }));
  CHECK(std::abs(below - kDraws / 2.0) <= kSigmas * std::sqrt(double(kDraws)) / 2.0);
}
