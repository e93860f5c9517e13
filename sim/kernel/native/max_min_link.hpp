// One shared link (a region's CDN edge / backhaul bottleneck) carrying transfers that share its
// capacity max-min fairly, each transfer capped by its own rate (the device's link rate).
//
// With capacity C and active caps c_i, transfer i gets min(c_i, f) where the level f solves
// Σ min(c_i, f) = C (f = ∞ when Σ c_i ≤ C). This is what SimGrid's flow model computes for a
// single bottleneck link with per-flow bounds.
//
// Cost: add / remove / capacity change are O(log n) plus O(k log n) for the k transfers whose cap
// lies between the old and new level (they switch between the "capped" group, rate c_i, and the
// "sharing" group, rate f). Capped transfers have fixed finish times; sharing transfers finish
// when the integral F(t) = ∫ f dt reaches their key. No per-operation heap allocation once the
// slot arrays have grown.
//
// Time is passed into every call and must never decrease.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/core/quantity.hpp"

namespace fleetsim {

class MaxMinLink {
 public:
  using Slot = uint32_t;
  static constexpr Slot kNoSlot = 0xFFFFFFFFu;

  explicit MaxMinLink(BytesPerSecond capacity = BytesPerSecond(0));

  // Starts a transfer of `size` bytes at `now` with rate cap `cap` (> 0). `cookie` is returned
  // when it finishes. Returns the slot, valid until the transfer finishes or is removed.
  Slot add(Seconds now, Bytes size, BytesPerSecond cap, uint64_t cookie);
  // Removes an unfinished transfer; returns the bytes it had transferred.
  Bytes remove(Seconds now, Slot slot);
  void set_capacity(Seconds now, BytesPerSecond capacity);

  // Time at which the earliest active transfer finishes (+∞ when none can finish).
  Seconds next_finish() const;
  // Completes every transfer whose finish time is ≤ now (with a relative tolerance of 1e-12),
  // calling on_finish(cookie, slot) for each, in finish-time order (ties by slot). Each finish is
  // applied at its own time, so the rates in between are right. on_finish must not call back
  // into this link (it would move time to `now` before later finishes are applied); queue the
  // follow-up work instead. The slot is already free when on_finish runs.
  template <class F>
  void complete_until(Seconds now, F&& on_finish);

  Bytes bytes_done(Seconds now, Slot slot) const;
  BytesPerSecond rate(Slot slot) const;
  BytesPerSecond capacity() const { return capacity_; }
  BytesPerSecond throughput() const;  // Σ rates right now
  size_t active() const;
  // The current fair-share level f (+∞ when every transfer runs at its cap).
  double level() const;

 private:
  enum class Group : uint8_t { kFree, kCapped, kSharing };
  struct Transfer {
    double size = 0.0;  // bytes
    double cap = 0.0;   // bytes/s
    // kCapped: absolute finish time (s). kSharing: the value of F at which it finishes (bytes).
    double when = 0.0;
    uint64_t cookie = 0;
    uint32_t pos_cap = 0;   // index in its group's by-cap heap
    uint32_t pos_when = 0;  // index in its group's by-finish / by-key heap
    Group group = Group::kFree;
  };
  // Indexed binary heaps of slots; the front of each is the one rebalancing / completion needs.
  enum HeapId : int { kCappedByCap, kCappedByFinish, kSharingByCap, kSharingByKey, kHeapCount };

  // Removes the earliest transfer finishing by `now` (see complete_until); false if none.
  bool pop_due(Seconds now, uint64_t& cookie, Slot& slot);
  void advance(double now);
  double sharing_finish_time(Slot s) const;
  double remaining_now(const Transfer& t) const;  // bytes left at now_
  double capped_sum() const { return capped_sum_ + capped_err_; }
  void add_capped_sum(double x);
  void recompute_level();
  void rebalance();
  void insert_capped(Slot s, double remaining);
  void insert_sharing(Slot s, double remaining);
  void detach(Slot s);
  void release(Slot s);

  template <int H> bool before(Slot a, Slot b) const;
  template <int H> uint32_t& pos(Slot s);
  template <int H> void heap_push(Slot s);
  template <int H> void heap_erase(Slot s);
  template <int H> void sift_up(uint32_t i, Slot s);
  template <int H> void sift_down(uint32_t i, Slot s);

  BytesPerSecond capacity_;
  std::vector<Transfer> slots_;
  std::vector<Slot> free_;
  std::vector<Slot> heaps_[kHeapCount];
  double now_ = 0.0;  // time of the latest call
  // F = ∫ f dt, restarted at 0 whenever the sharing group empties (keeps keys small).
  double integral_ = 0.0;
  double level_ = std::numeric_limits<double>::infinity();  // f
  // Σ caps of the capped group, Neumaier-compensated: f = (C − Σ)/n cancels when Σ ≈ C.
  double capped_sum_ = 0.0;
  double capped_err_ = 0.0;
};

template <class F>
void MaxMinLink::complete_until(Seconds now, F&& on_finish) {
  uint64_t cookie = 0;
  Slot slot = kNoSlot;
  while (pop_due(now, cookie, slot)) on_finish(cookie, slot);
  advance(now.value);
}

}  // namespace fleetsim
