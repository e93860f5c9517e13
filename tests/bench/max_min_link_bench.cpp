// Steady-state cost of MaxMinLink with N concurrent transfers.
//
// Each operation is what the kernel does per transfer: an event at next_finish(), a
// complete_until at that time (one finish, then a rebalance), and a new transfer added at the
// same time to keep N constant. Caps are log-uniform on [0.1, 10] B/s and C = N/4 B/s. Slow
// transfers live longer, so the steady population's mean cap is ≈ 1/E[1/c] ≈ 0.47 B/s and the
// link is contended: both the capped and the sharing groups are large, and every finish or add
// moves the level a little, shifting the few transfers whose caps lie in between.
// Sizes are uniform on [1, 1000] B. Report: ns per finish + add; O(log n) predicts a slow rise.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "sim/kernel/native/max_min_link.hpp"

namespace {

using fleetsim::Bytes;
using fleetsim::BytesPerSecond;
using fleetsim::MaxMinLink;
using fleetsim::Seconds;

// Precomputed draws keep RNG cost out of the timed loop.
constexpr size_t kDrawCount = size_t{1} << 16;

struct Draw {
  double size;
  double cap;
};

const std::vector<Draw>& draws() {
  static const std::vector<Draw> table = [] {
    std::mt19937_64 rng(20240612);
    std::uniform_real_distribution<double> u01(0.0, 1.0);
    std::vector<Draw> t(kDrawCount);
    for (Draw& d : t) {
      d.size = 1.0 + 999.0 * u01(rng);
      d.cap = 0.1 * std::pow(100.0, u01(rng));
    }
    return t;
  }();
  return table;
}

void BM_FinishAndAdd(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<Draw>& d = draws();
  const size_t mask = kDrawCount - 1;
  size_t j = 0;
  uint64_t cookie = 0;

  MaxMinLink link{BytesPerSecond(static_cast<double>(n) / 4)};
  for (size_t i = 0; i < n; ++i, ++j) {
    link.add(Seconds(0), Bytes(d[j & mask].size), BytesPerSecond(d[j & mask].cap), cookie++);
  }
  size_t finished = 0;
  auto cycle = [&] {
    const Seconds t = link.next_finish();
    size_t k = 0;
    link.complete_until(t, [&](uint64_t, MaxMinLink::Slot) { ++k; });
    for (size_t i = 0; i < k; ++i, ++j) {
      link.add(t, Bytes(d[j & mask].size), BytesPerSecond(d[j & mask].cap), cookie++);
    }
    finished += k;
  };
  // Warm-up, untimed: replaces the synchronous start with a steady mix of ages.
  for (size_t i = 0; i < 2 * n; ++i) cycle();

  finished = 0;
  for (auto _ : state) cycle();

  benchmark::DoNotOptimize(link.throughput());
  state.SetItemsProcessed(static_cast<int64_t>(finished));
  state.counters["level"] = link.level();  // finite: the link is contended
}

BENCHMARK(BM_FinishAndAdd)
    ->Arg(1'000)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Iterations(2'000'000)
    ->Unit(benchmark::kNanosecond);

}  // namespace

BENCHMARK_MAIN();
