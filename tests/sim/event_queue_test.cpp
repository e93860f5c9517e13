// EventQueue: the native kernel's pending-event set. Pops come out in (time, owner, seq)
// order, and a popped record carries its payload (tag, kind, aux) unchanged.
//
// Expected orders come from std::sort / std::set using plain tuple comparison. They never use
// event_before, so a wrong comparator and a wrong heap are both caught.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "sim/event_queue.hpp"

using fleetsim::EventQueue;
using fleetsim::EventRecord;

namespace {

using Row = std::tuple<double, uint32_t, uint32_t, uint32_t, uint16_t, uint16_t>;

// Every field, with the ordering key first, so tuple order is (time, owner, seq) order
// whenever keys are unique.
Row row(const EventRecord& e) { return {e.time, e.owner, e.seq, e.tag, e.kind, e.aux}; }

EventRecord make(double time, uint32_t owner, uint32_t seq, uint32_t tag = 0) {
  EventRecord e{};
  e.time = time;
  e.owner = owner;
  e.seq = seq;
  e.tag = tag;
  e.kind = static_cast<uint16_t>(tag % 7);
  e.aux = static_cast<uint16_t>(tag % 13);
  return e;
}

std::vector<Row> drain(EventQueue& q) {
  std::vector<Row> out;
  while (!q.empty()) out.push_back(row(q.pop()));
  return out;
}

}  // namespace

TEST_CASE("a new queue is empty") {
  EventQueue q;
  CHECK(q.empty());
  CHECK(q.size() == 0);
}

TEST_CASE("size counts pushes minus pops, and the queue is empty again once drained") {
  EventQueue q;
  q.push(make(5.0, 1, 0));
  q.push(make(3.0, 2, 0));
  q.push(make(4.0, 3, 0));
  CHECK(q.size() == 3);  // 3 pushes
  CHECK_FALSE(q.empty());
  q.pop();
  CHECK(q.size() == 2);  // 3 pushes - 1 pop
  q.pop();
  q.pop();
  CHECK(q.size() == 0);
  CHECK(q.empty());
}

TEST_CASE("top shows the earliest event without removing it") {
  EventQueue q;
  q.push(make(7.0, 1, 0, 70));
  q.push(make(2.0, 2, 0, 20));
  q.push(make(9.0, 3, 0, 90));
  // Earliest time is 2.0 (owner 2, tag 20).
  CHECK(row(q.top()) == row(make(2.0, 2, 0, 20)));
  CHECK(q.size() == 3);
  CHECK(row(q.pop()) == row(make(2.0, 2, 0, 20)));
}

TEST_CASE("reserve adds no events") {
  EventQueue q;
  q.reserve(1000);
  CHECK(q.empty());
  CHECK(q.size() == 0);
}

TEST_CASE("clear empties the queue and it can be used again") {
  EventQueue q;
  for (uint32_t i = 0; i < 10; ++i) q.push(make(double(i), i, 0));
  q.clear();
  CHECK(q.empty());
  CHECK(q.size() == 0);
  q.push(make(8.0, 1, 0));
  q.push(make(6.0, 2, 0));
  // Only the two new events remain, earliest first; none of the cleared ten (times 0..9) reappear.
  CHECK(drain(q) == std::vector<Row>{row(make(6.0, 2, 0)), row(make(8.0, 1, 0))});
}

TEST_CASE("an earlier time comes first even when its owner and seq are larger") {
  EventQueue q;
  q.push(make(10.0, 0, 0));
  q.push(make(9.5, 99, 99));
  CHECK(q.pop().owner == 99);  // 9.5 < 10.0 decides; owner/seq only break time ties
  CHECK(q.pop().owner == 0);
}

TEST_CASE("events at the same time come out by owner, then by seq, whatever the insertion order") {
  const std::vector<EventRecord> events = {make(10.0, 3, 1), make(10.0, 1, 2), make(10.0, 3, 0),
                                           make(10.0, 1, 7), make(10.0, 2, 5)};
  // Written out by hand: owner 1 (seq 2, 7), owner 2 (seq 5), owner 3 (seq 0, 1).
  const std::vector<Row> expected = {row(make(10.0, 1, 2)), row(make(10.0, 1, 7)),
                                     row(make(10.0, 2, 5)), row(make(10.0, 3, 0)),
                                     row(make(10.0, 3, 1))};
  std::vector<int> order = {0, 1, 2, 3, 4};
  int permutations = 0;
  do {  // all 5! = 120 insertion orders
    EventQueue q;
    for (int k : order) q.push(events[k]);
    INFO("insertion order " << order[0] << order[1] << order[2] << order[3] << order[4]);
    REQUIRE(drain(q) == expected);
    ++permutations;
  } while (std::next_permutation(order.begin(), order.end()));
  CHECK(permutations == 120);
}

TEST_CASE("random events pop in the order std::sort gives, payload included") {
  // Times are whole seconds in [0, 50) and owners are in [0, 16), so ties on time and on
  // (time, owner) are common. Each owner numbers its own events, so (owner, seq) and hence
  // (time, owner, seq) is unique, and the sorted order is fully determined.
  std::mt19937_64 rng(12345);
  std::uniform_int_distribution<int> time_s(0, 49);
  std::uniform_int_distribution<uint32_t> owner(0, 15);
  std::vector<uint32_t> next_seq(16, 0);
  std::vector<EventRecord> events;
  for (uint32_t i = 0; i < 5000; ++i) {
    const uint32_t o = owner(rng);
    events.push_back(make(double(time_s(rng)), o, next_seq[o]++, /*tag=*/i));
  }

  std::vector<Row> expected;
  for (const EventRecord& e : events) expected.push_back(row(e));
  std::sort(expected.begin(), expected.end());  // tuple order: time, owner, seq, then payload

  EventQueue q;
  for (const EventRecord& e : events) q.push(e);
  REQUIRE(q.size() == 5000);
  CHECK(drain(q) == expected);
}

TEST_CASE("an interleaved hold sequence pops the same events as a std::set reference") {
  // Discrete-event style: pop the earliest event, then usually reschedule its owner at
  // popped.time + increment. Increments are multiples of 0.25 s, zero included, so time ties
  // keep happening. Sometimes nothing is rescheduled, sometimes two events are, so the size
  // moves around and partial child groups at the bottom are exercised. The queue starts above
  // 16384 events so that deep levels exist as well.
  std::mt19937_64 rng(777);
  std::uniform_int_distribution<int> quarter_seconds(0, 40);
  std::uniform_int_distribution<uint32_t> owner(0, 63);
  std::uniform_int_distribution<int> action(0, 9);
  std::vector<uint32_t> next_seq(64, 0);
  uint32_t next_tag = 0;

  EventQueue q;
  std::set<Row> reference;
  auto schedule = [&](double time, uint32_t o) {
    const EventRecord e = make(time, o, next_seq[o]++, next_tag++);
    q.push(e);
    reference.insert(row(e));
  };
  for (int i = 0; i < 20000; ++i) schedule(0.25 * quarter_seconds(rng), owner(rng));

  int mismatches = 0;
  for (int step = 0; step < 60000 && !reference.empty(); ++step) {
    const EventRecord got = q.pop();
    const Row want = *reference.begin();
    reference.erase(reference.begin());
    if (row(got) != want) ++mismatches;

    const int a = action(rng);  // 0: no reschedule (shrink), 1: two (grow), else one (hold)
    if (a != 0) schedule(got.time + 0.25 * quarter_seconds(rng), got.owner);
    if (a == 1) schedule(got.time + 0.25 * quarter_seconds(rng), owner(rng));
    REQUIRE(q.size() == reference.size());
  }
  CHECK(mismatches == 0);
  CHECK(drain(q) == std::vector<Row>(reference.begin(), reference.end()));
}

TEST_CASE("pushing a copy of the queue's own top is safe while the storage grows") {
  // push() takes a reference that can point into the queue. Without reserve the storage
  // reallocates as it grows, and a push that read the argument after reallocating would read
  // freed memory (reported under FLEETSIM_SANITIZE).
  EventQueue q;
  q.push(make(1.0, 0, 0, 42));
  for (uint32_t i = 1; i < 100; ++i) q.push(q.top());
  REQUIRE(q.size() == 100);
  // 100 copies of the same record: (1.0, owner 0, seq 0, tag 42).
  CHECK(drain(q) == std::vector<Row>(100, row(make(1.0, 0, 0, 42))));
}
