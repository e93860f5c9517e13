#include "sim/kernel/native/native_kernel.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <stdexcept>

namespace fleetsim {

namespace {
// Link entities sort after every model entity at equal times, in link order.
constexpr EntityId kLinkOwnerBase = 0xFF000000u;
}  // namespace

void NativeKernel::configure(uint32_t entity_count) {
  if (entity_count >= kLinkOwnerBase) throw std::length_error("too many entities for the native kernel");
  entity_count_ = entity_count;
}

void NativeKernel::push(double at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux) {
  // Ties at equal times are broken by the owner, then by the event's own content (kind, aux,
  // tag): a key derived from the owning entity alone, so it does not depend on insertion order
  // or partitioning. Two events equal in all of these are indistinguishable, so their order
  // cannot change a result. No per-entity counter is needed (no extra cache miss per event).
  queue_.push(EventRecord{at, owner, (uint32_t(kind) << 16) | aux, tag, kind, aux});
}

void NativeKernel::schedule(Seconds at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux) {
  assert(owner < entity_count_);
  assert(at.value >= now_);
  push(at.value, owner, kind, tag, aux);
}

LinkId NativeKernel::add_link(const std::string& name, BytesPerSecond capacity) {
  links_.push_back(Link{name, MaxMinLink(capacity), 0, -1, {}});
  return LinkId(links_.size() - 1);
}

void NativeKernel::set_link_capacity(LinkId link, BytesPerSecond capacity) {
  links_[link].shares.set_capacity(Seconds(now_), capacity);
  link_changed(link);
}

TransferId NativeKernel::allocate_transfer() {
  if (!free_transfers_.empty()) {
    TransferId id = free_transfers_.back();
    free_transfers_.pop_back();
    return id;
  }
  transfers_.push_back(Transfer{0, 0, MaxMinLink::kNoSlot, 0, false, Bytes(0), BytesPerSecond(0)});
  return TransferId(transfers_.size() - 1);
}

TransferId NativeKernel::start_transfer(LinkId link, EntityId owner, Bytes size, BytesPerSecond cap,
                                        Seconds latency) {
  TransferId id = allocate_transfer();
  Transfer& t = transfers_[id];
  t.link = link;
  t.owner = owner;
  t.slot = MaxMinLink::kNoSlot;
  t.generation = uint16_t(t.generation + 1);
  t.live = true;
  t.size = size;
  t.cap = cap;
  push(now_ + latency.value, owner, kTransferJoin, id, t.generation);
  return id;
}

Bytes NativeKernel::cancel_transfer(TransferId id) {
  Transfer& t = transfers_[id];
  assert(t.live);
  Bytes done(0);
  if (t.slot != MaxMinLink::kNoSlot) {
    done = links_[t.link].shares.remove(Seconds(now_), t.slot);
    links_[t.link].stats.delivered += done;
    link_changed(t.link);
  }
  t.live = false;
  t.slot = MaxMinLink::kNoSlot;
  free_transfers_.push_back(id);  // a pending join for it is recognised as stale by generation
  return done;
}

void NativeKernel::link_changed(LinkId link) {
  Link& l = links_[link];
  BytesPerSecond tp = l.shares.throughput();
  if (tp > l.stats.peak_throughput) l.stats.peak_throughput = tp;
  uint32_t active = uint32_t(l.shares.active());
  if (active > l.stats.peak_active) l.stats.peak_active = active;
  double next = l.shares.next_finish().value;
  if (next == l.scheduled_finish) return;
  l.scheduled_finish = next;
  ++l.finish_generation;
  if (std::isfinite(next)) push(std::max(next, now_), kLinkOwnerBase + link, kLinkFinish, l.finish_generation, 0);
}

BytesPerSecond NativeKernel::link_throughput(LinkId link) const { return links_[link].shares.throughput(); }
uint32_t NativeKernel::link_active_transfers(LinkId link) const { return uint32_t(links_[link].shares.active()); }
LinkStats NativeKernel::link_stats(LinkId link) const { return links_[link].stats; }

void NativeKernel::run_until(KernelClient& client, Seconds until) {
  queue_.set_prefetch_hint(
      [](void* c, uint32_t owner) {
        if (owner < kLinkOwnerBase) static_cast<KernelClient*>(c)->prefetch(owner);
      },
      &client);
  for (;;) {
    if (pacer_) {
      // The clock is about to move to the next event (or to `until`): the pacer may hold it
      // there and may schedule events that arrived from outside in the meantime.
      const double next = queue_.empty() ? until.value : std::min(queue_.top().time, until.value);
      pacer_->advance_to(Seconds(next));
      if (!queue_.empty() && queue_.top().time < next) continue;
    }
    if (queue_.empty() || queue_.top().time > until.value) break;
    const EventRecord ev = queue_.pop();
    now_ = ev.time;
    if (ev.kind == kLinkFinish) {
      LinkId link = ev.owner - kLinkOwnerBase;
      Link& l = links_[link];
      if (ev.tag != l.finish_generation) continue;  // superseded by a later change
      l.scheduled_finish = -1;
      ++events_;
      // Collect first: the model may start or cancel transfers on this link from its callback.
      completed_.clear();
      l.shares.complete_until(Seconds(now_), [&](uint64_t cookie, MaxMinLink::Slot) {
        Transfer& t = transfers_[TransferId(cookie)];
        t.live = false;
        t.slot = MaxMinLink::kNoSlot;
        l.stats.delivered += t.size;
        completed_.push_back(TransferId(cookie));
      });
      link_changed(link);
      // Simultaneous completions reach the model in owner order, as on the SimGrid kernel.
      if (completed_.size() > 1)
        std::sort(completed_.begin(), completed_.end(),
                  [&](TransferId a, TransferId b) { return transfers_[a].owner < transfers_[b].owner; });
      for (TransferId id : completed_) {
        free_transfers_.push_back(id);
        client.on_transfer_complete(transfers_[id].owner, id, transfers_[id].size);
      }
      continue;
    }
    if (ev.kind == kTransferJoin) {
      Transfer& t = transfers_[ev.tag];
      if (!t.live || t.generation != ev.aux || t.slot != MaxMinLink::kNoSlot) continue;
      ++events_;
      t.slot = links_[t.link].shares.add(Seconds(now_), t.size, t.cap, ev.tag);
      link_changed(t.link);
      continue;
    }
    ++events_;
    client.on_timer(ev.owner, ev.kind, ev.tag, ev.aux);
  }
  if (until.value > now_) now_ = until.value;
}

}  // namespace fleetsim
