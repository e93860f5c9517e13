#include "sim/kernel/native/max_min_link.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace fleetsim {

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
// complete_until's tolerance: finish times computed through F carry rounding of this order.
constexpr double kFinishTolerance = 1e-12;
}  // namespace

MaxMinLink::MaxMinLink(BytesPerSecond capacity) : capacity_(capacity) {
  assert(capacity.value >= 0.0);
}

// ---- indexed heaps -------------------------------------------------------------------------
// Ties break by slot so that every order (and hence every completion order) is deterministic.

template <int H>
bool MaxMinLink::before(Slot a, Slot b) const {
  const Transfer& x = slots_[a];
  const Transfer& y = slots_[b];
  if constexpr (H == kCappedByCap) {
    return x.cap > y.cap || (x.cap == y.cap && a < b);
  } else if constexpr (H == kSharingByCap) {
    return x.cap < y.cap || (x.cap == y.cap && a < b);
  } else {
    return x.when < y.when || (x.when == y.when && a < b);
  }
}

template <int H>
uint32_t& MaxMinLink::pos(Slot s) {
  if constexpr (H == kCappedByCap || H == kSharingByCap) {
    return slots_[s].pos_cap;
  } else {
    return slots_[s].pos_when;
  }
}

template <int H>
void MaxMinLink::sift_up(uint32_t i, Slot s) {
  std::vector<Slot>& h = heaps_[H];
  while (i > 0) {
    const uint32_t parent = (i - 1) / 2;
    if (!before<H>(s, h[parent])) break;
    h[i] = h[parent];
    pos<H>(h[i]) = i;
    i = parent;
  }
  h[i] = s;
  pos<H>(s) = i;
}

template <int H>
void MaxMinLink::sift_down(uint32_t i, Slot s) {
  std::vector<Slot>& h = heaps_[H];
  const uint32_t n = static_cast<uint32_t>(h.size());
  for (;;) {
    uint32_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && before<H>(h[child + 1], h[child])) ++child;
    if (!before<H>(h[child], s)) break;
    h[i] = h[child];
    pos<H>(h[i]) = i;
    i = child;
  }
  h[i] = s;
  pos<H>(s) = i;
}

template <int H>
void MaxMinLink::heap_push(Slot s) {
  heaps_[H].push_back(s);
  sift_up<H>(static_cast<uint32_t>(heaps_[H].size() - 1), s);
}

template <int H>
void MaxMinLink::heap_erase(Slot s) {
  std::vector<Slot>& h = heaps_[H];
  const uint32_t i = pos<H>(s);
  const Slot last = h.back();
  h.pop_back();
  if (last == s) return;
  // The former last element fills the hole; it may belong above or below it.
  if (i > 0 && before<H>(last, h[(i - 1) / 2])) {
    sift_up<H>(i, last);
  } else {
    sift_down<H>(i, last);
  }
}

// ---- groups --------------------------------------------------------------------------------

void MaxMinLink::add_capped_sum(double x) {
  const double t = capped_sum_ + x;
  if (std::abs(capped_sum_) >= std::abs(x)) {
    capped_err_ += (capped_sum_ - t) + x;
  } else {
    capped_err_ += (x - t) + capped_sum_;
  }
  capped_sum_ = t;
}

void MaxMinLink::advance(double now) {
  if (now <= now_) return;
  if (!heaps_[kSharingByKey].empty()) integral_ += level_ * (now - now_);
  now_ = now;
}

double MaxMinLink::remaining_now(const Transfer& t) const {
  const double r = t.group == Group::kCapped ? (t.when - now_) * t.cap : t.when - integral_;
  return std::max(r, 0.0);  // overdue or rounded below zero: nothing is left
}

double MaxMinLink::sharing_finish_time(Slot s) const {
  if (level_ <= 0.0) return kInf;  // outage: F is frozen
  return now_ + std::max(slots_[s].when - integral_, 0.0) / level_;
}

void MaxMinLink::insert_capped(Slot s, double remaining) {
  Transfer& t = slots_[s];
  t.group = Group::kCapped;
  t.when = now_ + remaining / t.cap;
  add_capped_sum(t.cap);
  heap_push<kCappedByCap>(s);
  heap_push<kCappedByFinish>(s);
}

void MaxMinLink::insert_sharing(Slot s, double remaining) {
  Transfer& t = slots_[s];
  t.group = Group::kSharing;
  t.when = integral_ + remaining;
  heap_push<kSharingByCap>(s);
  heap_push<kSharingByKey>(s);
}

void MaxMinLink::detach(Slot s) {
  Transfer& t = slots_[s];
  if (t.group == Group::kCapped) {
    heap_erase<kCappedByCap>(s);
    heap_erase<kCappedByFinish>(s);
    if (heaps_[kCappedByCap].empty()) {
      capped_sum_ = capped_err_ = 0.0;  // drop accumulated rounding
    } else {
      add_capped_sum(-t.cap);
    }
  } else {
    heap_erase<kSharingByCap>(s);
    heap_erase<kSharingByKey>(s);
  }
  t.group = Group::kFree;
}

void MaxMinLink::release(Slot s) {
  slots_[s].group = Group::kFree;
  free_.push_back(s);
}

void MaxMinLink::recompute_level() {
  const size_t n = heaps_[kSharingByKey].size();
  const double c = capacity_.value;
  if (n == 0) {
    // Over-subscribed caps with nobody sharing: −∞ forces the largest cap into the sharing group.
    level_ = capped_sum() <= c ? kInf : -kInf;
  } else {
    level_ = std::max((c - capped_sum()) / static_cast<double>(n), 0.0);
  }
}

// Both loops only raise f (moving a cap > f into sharing, or a cap ≤ f out of it, lifts the
// average), so the first loop's result stays valid while the second runs, and each slot moves
// at most once.
void MaxMinLink::rebalance() {
  recompute_level();
  std::vector<Slot>& capped = heaps_[kCappedByCap];
  while (!capped.empty() && slots_[capped.front()].cap > level_) {
    const Slot s = capped.front();
    const double r = remaining_now(slots_[s]);
    detach(s);
    insert_sharing(s, r);
    recompute_level();
  }
  std::vector<Slot>& sharing = heaps_[kSharingByCap];
  while (!sharing.empty() && slots_[sharing.front()].cap <= level_) {
    const Slot s = sharing.front();
    const double r = remaining_now(slots_[s]);
    detach(s);
    insert_capped(s, r);
    recompute_level();
  }
  if (sharing.empty()) integral_ = 0.0;  // no keys refer to F any more
}

// ---- public API ----------------------------------------------------------------------------

MaxMinLink::Slot MaxMinLink::add(Seconds now, Bytes size, BytesPerSecond cap, uint64_t cookie) {
  assert(cap.value > 0.0 && std::isfinite(cap.value));
  assert(size.value >= 0.0);
  advance(now.value);
  Slot s;
  if (free_.empty()) {
    s = static_cast<Slot>(slots_.size());
    slots_.emplace_back();
  } else {
    s = free_.back();
    free_.pop_back();
  }
  Transfer& t = slots_[s];
  t.size = size.value;
  t.cap = cap.value;
  t.cookie = cookie;
  // Start in the group it most likely belongs to, so a large cap never enters the capped sum.
  if (cap.value <= level_) {
    insert_capped(s, size.value);
  } else {
    insert_sharing(s, size.value);
  }
  rebalance();
  return s;
}

Bytes MaxMinLink::remove(Seconds now, Slot slot) {
  assert(slot < slots_.size() && slots_[slot].group != Group::kFree);
  advance(now.value);
  const Transfer& t = slots_[slot];
  const double done = std::clamp(t.size - remaining_now(t), 0.0, t.size);
  detach(slot);
  release(slot);
  rebalance();
  return Bytes(done);
}

void MaxMinLink::set_capacity(Seconds now, BytesPerSecond capacity) {
  assert(capacity.value >= 0.0);
  advance(now.value);
  capacity_ = capacity;
  rebalance();
}

Seconds MaxMinLink::next_finish() const {
  double t = kInf;
  if (!heaps_[kCappedByFinish].empty()) t = slots_[heaps_[kCappedByFinish].front()].when;
  if (!heaps_[kSharingByKey].empty()) t = std::min(t, sharing_finish_time(heaps_[kSharingByKey].front()));
  return Seconds(std::max(t, now_));  // an overdue transfer finishes at the next call
}

bool MaxMinLink::pop_due(Seconds now, uint64_t& cookie, Slot& slot) {
  Slot best = kNoSlot;
  double best_time = kInf;
  if (!heaps_[kCappedByFinish].empty()) {
    best = heaps_[kCappedByFinish].front();
    best_time = slots_[best].when;
  }
  if (!heaps_[kSharingByKey].empty()) {
    const Slot s = heaps_[kSharingByKey].front();
    const double ts = sharing_finish_time(s);
    if (ts < best_time || (ts == best_time && s < best)) {
      best = s;
      best_time = ts;
    }
  }
  if (best == kNoSlot || best_time > now.value + kFinishTolerance * std::abs(now.value)) return false;
  // Apply the finish at its own time (never past `now`, never backwards).
  advance(std::min(best_time, now.value));
  cookie = slots_[best].cookie;
  slot = best;
  detach(best);
  release(best);
  rebalance();
  return true;
}

Bytes MaxMinLink::bytes_done(Seconds now, Slot slot) const {
  assert(slot < slots_.size() && slots_[slot].group != Group::kFree);
  const Transfer& t = slots_[slot];
  double remaining;
  if (t.group == Group::kCapped) {
    remaining = (t.when - now.value) * t.cap;
  } else {
    const double f_now = integral_ + level_ * std::max(now.value - now_, 0.0);
    remaining = t.when - f_now;
  }
  return Bytes(std::clamp(t.size - remaining, 0.0, t.size));
}

BytesPerSecond MaxMinLink::rate(Slot slot) const {
  assert(slot < slots_.size() && slots_[slot].group != Group::kFree);
  const Transfer& t = slots_[slot];
  return BytesPerSecond(t.group == Group::kCapped ? t.cap : level_);
}

BytesPerSecond MaxMinLink::throughput() const {
  const size_t n = heaps_[kSharingByKey].size();
  return BytesPerSecond(capped_sum() + (n == 0 ? 0.0 : static_cast<double>(n) * level_));
}

size_t MaxMinLink::active() const {
  return heaps_[kCappedByCap].size() + heaps_[kSharingByKey].size();
}

double MaxMinLink::level() const { return level_; }

}  // namespace fleetsim
