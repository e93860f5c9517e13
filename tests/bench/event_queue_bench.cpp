// Hold-model benchmark for the native kernel's pending-event set (sim/kernel/native/radix_event_queue.hpp)
// against the d-ary heaps it was chosen over.
//
// The hold model is a discrete-event simulator's steady state: N events are pending, and each
// operation pops the earliest and schedules one new event at popped.time + increment. The mix
// of increments imitates fleetsim's traffic:
//   70% exponential, mean 60 s           (polls, retries)
//   25% uniform on [0, 3600) s           (long phases, jittered schedules)
//    5% uniform on [0.05, 0.2) s         (protocol round trips)
// The rescheduled event keeps its owner and takes the owner's next seq.
//
// Structures, all behind the same push/pop interface:
//   Radix               sim/kernel/native/radix_event_queue.hpp, the native kernel's queue (monotone radix heap)
//   StdPriorityQueue    std::priority_queue (binary heap via std::push_heap/pop_heap)
//   DAry<D, prefetch>   an implicit D-ary heap with branchy child selection and grandchild
//                       prefetch (the best heap found: DAry<4,true>); DAry<4,false> measures what
//                       prefetch gains
//
// Measured on this project's 2-core machine (median CPU ns per hold operation; 10k / 1M / 10M
// pending): Radix 58 / 91 / 99, DAry<4,true> 104 / 308 / 605, std::priority_queue 111 / 1103 /
// 1996 — the radix heap is 3-6x faster where a million devices have events pending, because each
// event moves a few times through sequential memory instead of sifting with a cache miss per level.
//
// The pending set starts in its equilibrium: each event's remaining time is drawn from the
// renewal residual-life distribution of the increment mix, i.e. choose an increment with
// probability proportional to its length, then a uniform point inside it. Starting the events at
// their raw increments instead would need ~7N operations (3600 s of simulated time) to wash
// out. min(N, 2M) untimed warm-up operations then settle the heap's shape and the caches.
//
// Build (standalone):
//   g++ -std=c++20 -O2 -I. tests/bench/event_queue_bench.cpp -o /tmp/event_queue_bench
//       -lbenchmark -lpthread        (one command line), or cmake -DFLEETSIM_BENCHMARKS=ON
// Run (the result is ns per hold operation = one pop + one push):
//   /tmp/event_queue_bench --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "sim/kernel/event_record.hpp"
#include "sim/kernel/native/radix_event_queue.hpp"

namespace {

using fleetsim::EventRecord;
using fleetsim::event_before;

// Precomputed increments (512 KiB, read in order) keep the RNG out of the timed loop.
constexpr std::size_t kIncrementCount = std::size_t{1} << 16;
constexpr std::size_t kIncrementMask = kIncrementCount - 1;

const std::vector<double>& increments() {
  static const std::vector<double> table = [] {
    std::mt19937_64 rng(20240611);
    std::uniform_real_distribution<double> pick(0.0, 1.0);
    std::exponential_distribution<double> exp60(1.0 / 60.0);
    std::uniform_real_distribution<double> long_phase(0.0, 3600.0);
    std::uniform_real_distribution<double> tiny(0.05, 0.2);
    std::vector<double> t(kIncrementCount);
    for (double& x : t) {
      const double u = pick(rng);
      x = u < 0.70 ? exp60(rng) : u < 0.95 ? long_phase(rng) : tiny(rng);
    }
    return t;
  }();
  return table;
}

// Equilibrium remaining times for n pending events (see the header comment).
std::vector<double> equilibrium_residuals(std::size_t n) {
  const std::vector<double>& inc = increments();
  std::vector<double> cumulative(kIncrementCount);
  double total = 0.0;
  for (std::size_t i = 0; i < kIncrementCount; ++i) cumulative[i] = (total += inc[i]);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> r(n);
  for (double& x : r) {
    const auto k = static_cast<std::size_t>(
        std::lower_bound(cumulative.begin(), cumulative.end(), u(rng) * total) -
        cumulative.begin());
    x = u(rng) * inc[std::min(k, kIncrementCount - 1)];
  }
  return r;
}

// The best binary-heap family found, generic in the arity. The child scan is unrolled by a fold so
// that GCC keeps it branchy. A rolled loop gets turned into cmov, which
// serialises the loads from one level to the next.
template <std::size_t D, bool Prefetch>
class DAry {
 public:
  void reserve(std::size_t n) { h_.reserve(n); }

  void push(const EventRecord& e) {
    const EventRecord v = e;
    h_.push_back(v);
    EventRecord* h = h_.data();
    std::size_t i = h_.size() - 1;
    while (i > 0) {
      const std::size_t parent = (i - 1) / D;
      if (!event_before(v, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = v;
  }

  EventRecord pop() {
    EventRecord* h = h_.data();
    const EventRecord result = h[0];
    const EventRecord last = h_.back();
    h_.pop_back();
    const std::size_t n = h_.size();
    if (n == 0) return result;
    std::size_t i = 0;
    for (;;) {
      const std::size_t first = D * i + 1;
      std::size_t m = first;
      if (first + D <= n) {
        const std::size_t grand = D * first + 1;
        if (Prefetch && grand >= (std::size_t{1} << 14) && grand < n) {
          const char* g = reinterpret_cast<const char*>(h + grand);
          constexpr std::size_t bytes = D * D * sizeof(EventRecord);
          for (std::size_t off = 0; off < bytes; off += 64) __builtin_prefetch(g + off);
          __builtin_prefetch(g + bytes - 1);
        }
        m = min_child(h, first, std::make_index_sequence<D - 1>{});
      } else {
        if (first >= n) break;
        for (std::size_t c = first + 1; c < n; ++c)
          if (event_before(h[c], h[m])) m = c;
      }
      if (!event_before(h[m], last)) break;
      h[i] = h[m];
      i = m;
    }
    h[i] = last;
    return result;
  }

 private:
  template <std::size_t... K>
  static std::size_t min_child(const EventRecord* h, std::size_t first,
                               std::index_sequence<K...>) {
    std::size_t m = first;
    ((event_before(h[first + K + 1], h[m]) ? void(m = first + K + 1) : void()), ...);
    return m;
  }

  std::vector<EventRecord> h_;
};

struct Later {
  bool operator()(const EventRecord& a, const EventRecord& b) const { return event_before(b, a); }
};

class StdPriorityQueue {
 public:
  void reserve(std::size_t n) {
    std::vector<EventRecord> storage;
    storage.reserve(n);
    q_ = Queue(Later{}, std::move(storage));
  }
  void push(const EventRecord& e) { q_.push(e); }
  EventRecord pop() {
    const EventRecord r = q_.top();
    q_.pop();
    return r;
  }

 private:
  using Queue = std::priority_queue<EventRecord, std::vector<EventRecord>, Later>;
  Queue q_;
};

// The native kernel's queue (a monotone radix heap); it has no reserve.
class Radix {
 public:
  void reserve(std::size_t) {}
  void push(const EventRecord& e) { q_.push(e); }
  EventRecord pop() { return q_.pop(); }

 private:
  fleetsim::RadixEventQueue q_;
};

template <class Q>
void BM_Hold(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const std::vector<double>& inc = increments();
  std::size_t j = 0;

  Q q;
  q.reserve(n + 1);
  {
    const std::vector<double> remaining = equilibrium_residuals(n);
    for (std::size_t i = 0; i < n; ++i) {
      EventRecord e{};
      e.time = remaining[i];
      e.owner = static_cast<uint32_t>(i);
      q.push(e);
    }
  }
  auto hold = [&] {
    EventRecord e = q.pop();
    e.time += inc[j++ & kIncrementMask];
    e.seq += 1;
    q.push(e);
  };
  const std::size_t warm_up = std::min<std::size_t>(n, 2'000'000);
  for (std::size_t i = 0; i < warm_up; ++i) hold();

  for (auto _ : state) hold();

  EventRecord final_min = q.pop();
  benchmark::DoNotOptimize(final_min);
  state.SetItemsProcessed(state.iterations());
}

// A fixed iteration count: each run pays for a build and a warm-up, which would be repeated
// if the library searched for an iteration count. (Iterations() applies to every Arg.)
void hold_sizes(benchmark::internal::Benchmark* b) {
  b->Arg(10'000)->Arg(1'000'000)->Arg(10'000'000)->Iterations(2'000'000);
  b->Unit(benchmark::kNanosecond);
}

BENCHMARK_TEMPLATE(BM_Hold, Radix)->Apply(hold_sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<4, true>)->Apply(hold_sizes);
BENCHMARK_TEMPLATE(BM_Hold, StdPriorityQueue)->Apply(hold_sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<2, true>)->Apply(hold_sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<4, false>)->Apply(hold_sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<8, true>)->Apply(hold_sizes);

}  // namespace

BENCHMARK_MAIN();
