// Hold-model benchmark for the native kernel's pending-event set.
//
// The hold model is the steady state of a discrete-event simulator: N events are pending; each
// operation pops the earliest and schedules one new event at popped.time + increment. The
// increment mix imitates fleetsim's traffic: 70% exponential with mean 60 s (polls, retries),
// 25% uniform on [0, 3600) s (long phases, jittered schedules), 5% tiny uniform on [0.05, 0.2) s
// (protocol round trips). The rescheduled event keeps its owner and takes the owner's next seq.
//
// Structures compared behind the same push/pop interface:
//   EventQueue            the production queue (sim/event_queue.cpp)
//   std_priority_queue    std::priority_queue, a binary heap built on std::push_heap/pop_heap
//   DAry<D, bottom_up>    an inline implicit D-ary heap; bottom_up=true uses Floyd's pop
//                         (walk the hole to a leaf, then sift the last element up)
//
// Every run builds the queue, performs N untimed warm-up hold operations so the time
// distribution of the pending set reaches steady state, then times a fixed number of hold
// operations. Report: ns per hold operation (= one pop + one push).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <queue>
#include <random>
#include <vector>

#include "sim/event_queue.hpp"

namespace {

using fleetsim::EventQueue;
using fleetsim::EventRecord;
using fleetsim::event_before;

// Precomputed increments (512 KiB, read sequentially) keep RNG cost out of the timed loop.
constexpr size_t kIncrementCount = size_t{1} << 16;

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

template <int D, bool BottomUp>
class DAry {
 public:
  void reserve(size_t n) { h_.reserve(n); }
  size_t size() const { return h_.size(); }

  void push(const EventRecord& e) {
    const EventRecord v = e;
    h_.push_back(v);
    sift_up(h_.size() - 1, v);
  }

  EventRecord pop() {
    EventRecord* h = h_.data();
    const EventRecord result = h[0];
    const EventRecord last = h_.back();
    h_.pop_back();
    const size_t n = h_.size();
    if (n == 0) return result;
    size_t i = 0;
    for (;;) {
      const size_t first = D * i + 1;
      if (first >= n) break;
      const size_t end = std::min(first + D, n);
      size_t m = first;
      for (size_t c = first + 1; c < end; ++c)
        if (event_before(h[c], h[m])) m = c;
      if (!BottomUp && !event_before(h[m], last)) break;
      h[i] = h[m];
      i = m;
    }
    if (BottomUp)
      sift_up(i, last);
    else
      h[i] = last;
    return result;
  }

 private:
  void sift_up(size_t i, const EventRecord& v) {
    EventRecord* h = h_.data();
    while (i > 0) {
      const size_t parent = (i - 1) / D;
      if (!event_before(v, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = v;
  }

  std::vector<EventRecord> h_;
};

struct Later {
  bool operator()(const EventRecord& a, const EventRecord& b) const { return event_before(b, a); }
};

class StdPriorityQueue {
 public:
  void reserve(size_t n) {
    std::vector<EventRecord> storage;
    storage.reserve(n);
    q_ = Queue(Later{}, std::move(storage));
  }
  size_t size() const { return q_.size(); }
  void push(const EventRecord& e) { q_.push(e); }
  EventRecord pop() {
    EventRecord r = q_.top();
    q_.pop();
    return r;
  }

 private:
  using Queue = std::priority_queue<EventRecord, std::vector<EventRecord>, Later>;
  Queue q_;
};

template <class Q>
void BM_Hold(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const std::vector<double>& inc = increments();
  const size_t mask = kIncrementCount - 1;
  size_t j = 0;

  Q q;
  q.reserve(n + 1);
  for (size_t i = 0; i < n; ++i) {
    EventRecord e{};
    e.time = inc[j++ & mask];
    e.owner = static_cast<uint32_t>(i);
    q.push(e);
  }
  // Offset the table phase so steady-state increments do not replay the build order.
  j += 7919;
  auto hold = [&] {
    EventRecord e = q.pop();
    e.time += inc[j++ & mask];
    e.seq += 1;
    q.push(e);
  };
  for (size_t i = 0; i < n; ++i) hold();  // warm-up, untimed

  for (auto _ : state) hold();

  // Keep the result observable.
  EventRecord last = q.pop();
  benchmark::DoNotOptimize(last);
  state.SetItemsProcessed(state.iterations());
}

// Fixed iteration counts: each run pays for a build and an N-operation warm-up, so letting
// the library probe iteration counts would multiply that cost.
void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(10'000)->Iterations(20'000'000);
  b->Arg(1'000'000)->Iterations(10'000'000);
  b->Arg(10'000'000)->Iterations(10'000'000);
  b->Unit(benchmark::kNanosecond);
}

BENCHMARK_TEMPLATE(BM_Hold, EventQueue)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hold, StdPriorityQueue)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<2, false>)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<4, false>)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<4, true>)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<8, false>)->Apply(sizes);
BENCHMARK_TEMPLATE(BM_Hold, DAry<8, true>)->Apply(sizes);

}  // namespace

BENCHMARK_MAIN();
