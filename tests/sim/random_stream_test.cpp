#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <functional>
#include <vector>

#include "sim/core/random_stream.hpp"

using namespace fleetsim;

namespace {

constexpr int kN = 100000;
// Bounds below are 5 standard errors: a false failure has probability < 1e-5 per check, and the
// inputs are fixed, so a pass is reproducible.
constexpr double kSigmas = 5.0;

std::vector<double> sequence(std::function<double(uint64_t)> f) {
  std::vector<double> xs(kN);
  for (int i = 0; i < kN; ++i) xs[i] = f(uint64_t(i));
  return xs;
}

// Pearson correlation of two equally long sequences.
double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double n = double(x.size()), mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) mx += x[i], my += y[i];
  mx /= n;
  my /= n;
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

// The sample correlation of n independent pairs has standard error ~ 1/sqrt(n).
void check_uncorrelated(const std::vector<double>& x, const std::vector<double>& y) {
  double r = correlation(x, y);
  INFO("correlation " << r << ", bound " << kSigmas / std::sqrt(double(kN)));
  CHECK(std::abs(r) <= kSigmas / std::sqrt(double(kN)));
}

}  // namespace

TEST_CASE("mix64 reproduces the SplitMix64 reference outputs") {
  // SplitMix64 (Vigna's splitmix64.c) seeded with 0 returns mix(0), then mix(0x9E3779B97F4A7C15)
  // where mix is this finaliser: 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4.
  STATIC_REQUIRE(mix64(0) == 0xE220A8397B1DCDAFULL);
  STATIC_REQUIRE(mix64(0x9E3779B97F4A7C15ULL) == 0x6E789E6AA1B965F4ULL);
}

TEST_CASE("the same seed, entity, stream and counter always give the same draw") {
  // Draw in two different orders; a pure function must agree element by element.
  std::vector<double> forward, backward(100);
  for (uint64_t c = 0; c < 100; ++c) forward.push_back(uniform01(42, 7, Stream::LinkRate, c));
  for (uint64_t c = 100; c-- > 0;) {
    (void)uniform01(42, 8, Stream::LinkRate, c);  // interleave another entity's draws
    backward[c] = uniform01(42, 7, Stream::LinkRate, c);
  }
  CHECK(forward == backward);
}

TEST_CASE("a uniform draw is the top 53 bits of the raw bits, offset by half a step") {
  // (k + 1/2) / 2^53 for k in [0, 2^53): never 0 or 1.
  for (uint64_t c = 0; c < 1000; ++c) {
    uint64_t bits = random_bits(9, 3, Stream::Backoff, c);
    CHECK(uniform01(9, 3, Stream::Backoff, c) == (double(bits >> 11) + 0.5) / 9007199254740992.0);
  }
}

TEST_CASE("draws lie strictly between 0 and 1") {
  int outside = 0;
  for (uint64_t c = 0; c < kN; ++c) {
    double u = uniform01(1, 1, Stream::PollPhase, c);
    if (!(u > 0.0 && u < 1.0)) ++outside;
  }
  CHECK(outside == 0);
}

TEST_CASE("draws have mean one half") {
  // U(0,1) has variance 1/12, so the mean of n draws has standard error sqrt(1/(12 n)).
  auto xs = sequence([](uint64_t c) { return uniform01(3, 11, Stream::PollJitter, c); });
  double mean = 0;
  for (double x : xs) mean += x;
  mean /= kN;
  CHECK(std::abs(mean - 0.5) <= kSigmas * std::sqrt(1.0 / (12.0 * kN)));
}

TEST_CASE("draws fill equal-width bins evenly (chi-square)") {
  // 100 bins, n = 1e5 draws -> 1000 expected per bin. The statistic is chi-square with 99
  // degrees of freedom: mean 99, sd sqrt(2 * 99) ~ 14.1. Too large means uneven; too small
  // means suspiciously even (not random). Bounds are mean +- 5 sd (a chi-square upper tail
  // is heavier than normal, so the upper bound is ~1e-5 likely to be exceeded by chance).
  constexpr int kBins = 100;
  std::array<int, kBins> counts{};
  for (uint64_t c = 0; c < kN; ++c) ++counts[size_t(uniform01(5, 2, Stream::LinkState, c) * kBins)];
  double expected = double(kN) / kBins, chi2 = 0;
  for (int k : counts) chi2 += (k - expected) * (k - expected) / expected;
  const double df = kBins - 1;
  INFO("chi-square " << chi2);
  CHECK(chi2 < df + kSigmas * std::sqrt(2 * df));
  CHECK(chi2 > df - kSigmas * std::sqrt(2 * df));
}

TEST_CASE("different entities give uncorrelated sequences") {
  auto a = sequence([](uint64_t c) { return uniform01(1, 100, Stream::LinkRate, c); });
  auto b = sequence([](uint64_t c) { return uniform01(1, 101, Stream::LinkRate, c); });
  check_uncorrelated(a, b);
}

TEST_CASE("different streams of one entity give uncorrelated sequences") {
  auto a = sequence([](uint64_t c) { return uniform01(1, 100, Stream::LinkRate, c); });
  auto b = sequence([](uint64_t c) { return uniform01(1, 100, Stream::LinkRtt, c); });
  check_uncorrelated(a, b);
}

TEST_CASE("successive counters give uncorrelated draws") {
  // Lag-1 autocorrelation: pair draw c with draw c + 1.
  auto a = sequence([](uint64_t c) { return uniform01(1, 100, Stream::LinkRate, c); });
  auto b = sequence([](uint64_t c) { return uniform01(1, 100, Stream::LinkRate, c + 1); });
  check_uncorrelated(a, b);
}

TEST_CASE("different seeds give uncorrelated sequences") {
  auto a = sequence([](uint64_t c) { return uniform01(1, 100, Stream::LinkRate, c); });
  auto b = sequence([](uint64_t c) { return uniform01(2, 100, Stream::LinkRate, c); });
  check_uncorrelated(a, b);
}

TEST_CASE("entity and stream are not interchangeable") {
  // (entity 1, stream 2) and (entity 2, stream 1) must be distinct streams, not a symmetric mix.
  auto a = sequence([](uint64_t c) { return uniform01(1, 1, Stream(2), c); });
  auto b = sequence([](uint64_t c) { return uniform01(1, 2, Stream(1), c); });
  check_uncorrelated(a, b);
}

TEST_CASE("a stream cursor draws consecutive counters and advances its counter") {
  uint32_t counter = 5;
  StreamCursor cur{77, 4, Stream::Order, counter};
  double first = cur.next();
  double second = cur.next();
  CHECK(first == uniform01(77, 4, Stream::Order, 5));
  CHECK(second == uniform01(77, 4, Stream::Order, 6));
  CHECK(counter == 7);
}
