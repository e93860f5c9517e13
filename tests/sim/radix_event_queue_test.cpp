// The radix heap must pop exactly the order event_before defines for any monotone sequence of
// pushes, i.e. the order a sorted reference gives.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "sim/kernel/native/radix_event_queue.hpp"

using fleetsim::EventRecord;
using fleetsim::RadixEventQueue;

namespace {
// The queue's total order: time, owner, then the event's content (seq, tag).
bool before(const EventRecord& a, const EventRecord& b) {
  return std::tie(a.time, a.owner, a.seq, a.tag) < std::tie(b.time, b.owner, b.seq, b.tag);
}
struct Before {
  bool operator()(const EventRecord& a, const EventRecord& b) const { return before(a, b); }
};
}  // namespace

TEST_CASE("events pushed up front pop in time order with ties broken by owner then content", "[queue]") {
  std::mt19937_64 rng(1);
  std::vector<EventRecord> events;
  for (uint32_t i = 0; i < 5000; ++i) {
    // Few distinct times so that ties are common.
    double t = double(rng() % 50) * 0.25;
    events.push_back(EventRecord{t, uint32_t(rng() % 20), uint32_t(rng() % 3), uint32_t(i), 1, 0});
  }
  RadixEventQueue q;
  for (const auto& e : events) q.push(e);
  std::sort(events.begin(), events.end(), before);
  for (const auto& expected : events) {
    REQUIRE_FALSE(q.empty());
    EventRecord got = q.pop();
    REQUIRE(got.time == expected.time);
    REQUIRE(got.owner == expected.owner);
    REQUIRE(got.tag == expected.tag);
  }
  REQUIRE(q.empty());
}

TEST_CASE("a hold sequence pops the same order as a sorted reference set", "[queue]") {
  // Hold model: pop the minimum, push a new event at popped time + increment (increments of
  // seconds to hours, some zero so events land on the time just popped).
  std::mt19937_64 rng(7);
  std::exponential_distribution<double> expo(1.0 / 60.0);
  RadixEventQueue q;
  std::multiset<EventRecord, Before> reference;
  uint32_t tag = 0;
  for (int i = 0; i < 2000; ++i) {
    EventRecord e{expo(rng), uint32_t(rng() % 100), 0, tag++, 1, 0};
    q.push(e);
    reference.insert(e);
  }
  for (int step = 0; step < 100000; ++step) {
    EventRecord got = q.pop();
    auto it = reference.begin();
    REQUIRE(got.time == it->time);
    REQUIRE(got.owner == it->owner);
    REQUIRE(got.tag == it->tag);
    reference.erase(it);
    double inc = (rng() % 10 == 0) ? 0.0 : expo(rng);
    EventRecord e{got.time + inc, uint32_t(rng() % 100), uint32_t(rng() % 2), tag++, 1, 0};
    q.push(e);
    reference.insert(e);
  }
  REQUIRE(q.size() == reference.size());
}

TEST_CASE("an event injected earlier than the one just peeked still pops first", "[queue]") {
  // top() advances the reference key to 10; an injected event at 4 must come out before it.
  RadixEventQueue q;
  q.push(EventRecord{10.0, 1, 0, 0, 1, 0});
  q.push(EventRecord{20.0, 1, 0, 1, 1, 0});
  REQUIRE(q.top().time == 10.0);
  q.push(EventRecord{4.0, 2, 0, 2, 1, 0});
  REQUIRE(q.pop().time == 4.0);
  REQUIRE(q.pop().time == 10.0);
  REQUIRE(q.pop().time == 20.0);
  REQUIRE(q.empty());
}

TEST_CASE("time zero and very large times are ordered correctly", "[queue]") {
  RadixEventQueue q;
  q.push(EventRecord{1e12, 0, 0, 0, 1, 0});
  q.push(EventRecord{0.0, 5, 0, 1, 1, 0});
  q.push(EventRecord{1e-9, 0, 0, 2, 1, 0});
  q.push(EventRecord{0.0, 3, 0, 3, 1, 0});
  REQUIRE(q.pop().owner == 3);  // time 0, lower owner first
  REQUIRE(q.pop().owner == 5);
  REQUIRE(q.pop().time == 1e-9);
  REQUIRE(q.pop().time == 1e12);
}
