#include "sim/kernel/simgrid/simgrid_kernel.hpp"

#include <simgrid/s4u.hpp>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <cmath>
#include <map>
#include <queue>
#include <set>
#include <stdexcept>

#include "sim/kernel/event_record.hpp"

namespace sg4 = simgrid::s4u;

namespace fleetsim {

namespace {

// Like the native kernel: link entities sort after every model entity at equal times.
constexpr EntityId kLinkOwnerBase = 0xFF000000u;
constexpr uint16_t kTransferJoin = 0xFFFE;  // max-min model: latency paid, the flow starts
constexpr uint16_t kTransferDone = 0xFFFF;  // a communication finished (owner = its link)

std::atomic<bool> engine_created{false};

struct QueuedEvent {
  EventRecord record;
  TransferId transfer;
};
struct Later {
  bool operator()(const QueuedEvent& a, const QueuedEvent& b) const { return event_before(b.record, a.record); }
};

}  // namespace

struct SimgridKernel::Impl {
  struct Transfer {
    LinkId link = 0;
    EntityId owner = 0;
    Bytes size{0};
    BytesPerSecond cap{0};
    Seconds latency{0};
    uint16_t generation = 0;
    bool live = false;
    sg4::CommPtr comm;  // null while paying latency (max-min) or after it ended
    double payload = 0;     // bytes of the current communication
    double base_done = 0;   // bytes delivered by earlier communications of this transfer
    double bound = 0;       // SimGrid's rate bound for it: min(cap, link bandwidth when it started)
    double done() const { return base_done + (comm ? payload - comm->get_remaining() : 0.0); }
  };
  struct Link {
    std::string name;
    BytesPerSecond capacity{0};
    sg4::Link* link = nullptr;
    sg4::Host* server = nullptr;
    uint32_t active = 0;
    bool stalled = false;  // capacity 0: its flows are suspended (SimGrid reads a bandwidth of 0 as unbounded)
    LinkStats stats;
  };

  std::string model;
  bool latency_in_network = false;  // CM02 / LV08: SimGrid pays the latency on the access link
  std::unique_ptr<sg4::Engine> engine;
  bool built = false;
  uint32_t entities = 0;
  std::vector<Link> links;
  std::vector<sg4::Host*> hosts;          // per entity
  std::vector<sg4::Link*> access;         // per entity
  std::vector<double> access_bandwidth;   // what each access link is set to
  std::vector<Transfer> transfers;
  std::vector<TransferId> free_transfers;
  std::map<const sg4::Activity*, TransferId> running;
  // Cancelled communications stay referenced until SimGrid has reported their end, and are
  // released only once the engine has handed control back.
  std::map<const sg4::Activity*, sg4::CommPtr> cancelled;
  std::vector<sg4::CommPtr> released;
  std::vector<TransferId> finished;       // completed during the last engine run, in SimGrid's order
  std::set<sg4::Activity*> stop_requests; // non-empty: the engine hands control back after this round
  std::priority_queue<QueuedEvent, std::vector<QueuedEvent>, Later> queue;
  ExternalPacer* pacer = nullptr;
  double now = 0;
  uint64_t events = 0;

  void build();
  void start_comm(TransferId id);
  void push(double at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux, TransferId transfer = kNoTransfer) {
    queue.push(QueuedEvent{EventRecord{at, owner, (uint32_t(kind) << 16) | aux, tag, kind, aux}, transfer});
  }
  void advance_network(double target);

  // Stops a transfer's communication. A cancelled flow keeps its share in SimGrid's sharing until
  // the engine reaps it at the end of its next step; suspended first, it gives the share back
  // at once. It stays referenced until SimGrid has reported its end.
  void drop_comm(Transfer& t) {
    running.erase(t.comm.get());
    if (!links[t.link].stalled) t.comm->suspend();
    t.comm->cancel();
    cancelled[t.comm.get()] = std::move(t.comm);
    t.comm = nullptr;
  }
};

SimgridKernel::SimgridKernel(const std::string& network_model) : impl_(std::make_unique<Impl>()) {
  const auto& models = simgrid_network_models();
  if (std::find(models.begin(), models.end(), network_model) == models.end())
    throw std::invalid_argument("unknown SimGrid network model \"" + network_model + "\" (expected max-min, CM02 or LV08)");
  if (engine_created.exchange(true))
    throw std::logic_error("SimGrid allows one engine per process: only one SimgridKernel can be created");
  Impl& m = *impl_;
  m.model = network_model;
  m.latency_in_network = network_model != "max-min";
  // SimGrid reads its options from argv; warnings and errors stay visible, chatter does not.
  static char arg0[] = "fleetsim";
  static char arg1[] = "--log=root.thresh:warning";
  static char* argv[] = {arg0, arg1, nullptr};
  static int argc = 2;
  m.engine = std::make_unique<sg4::Engine>(&argc, argv);
  if (network_model == "LV08") {
    m.engine->set_config("network/model:LV08");  // as shipped: factors, weight-S, TCP-gamma, cross traffic
  } else {
    m.engine->set_config("network/model:CM02");
    m.engine->set_config("network/latency-factor:1");
    m.engine->set_config("network/bandwidth-factor:1");
    m.engine->set_config("network/weight-S:0");
    m.engine->set_config("network/TCP-gamma:0");
    m.engine->set_config("network/crosstraffic:0");
  }
  m.engine->track_vetoed_activities(&m.stop_requests);
  sg4::Activity::on_completion_cb([&m](const sg4::Activity& a) {
    if (auto c = m.cancelled.find(&a); c != m.cancelled.end()) {
      m.released.push_back(std::move(c->second));
      m.cancelled.erase(c);
      return;
    }
    auto it = m.running.find(&a);
    if (it == m.running.end() || a.get_state() != sg4::Activity::State::FINISHED) return;
    m.finished.push_back(it->second);
    m.running.erase(it);
    m.stop_requests.insert(const_cast<sg4::Activity*>(&a));  // hand control back at this instant
  });
  // Called after each time step, before finished flows leave the link: the usage seen here is
  // what the link carried during the step.
  sg4::Engine::on_time_advance_cb([&m](double) {
    for (Impl::Link& l : m.links) {
      const double usage = l.link->get_usage();
      if (usage > l.stats.peak_throughput.value) l.stats.peak_throughput = BytesPerSecond(usage);
    }
  });
}

SimgridKernel::~SimgridKernel() {
  // Transfers still flowing when the run ends are cancelled: SimGrid reports a communication
  // released while running as a user error.
  for (Impl::Transfer& t : impl_->transfers)
    if (t.comm) t.comm->cancel();
}

const std::string& SimgridKernel::network_model() const { return impl_->model; }

void SimgridKernel::configure(uint32_t entity_count) {
  if (impl_->built) throw std::logic_error("SimgridKernel::configure after the platform was built");
  if (entity_count >= kLinkOwnerBase) throw std::length_error("too many entities for the SimGrid kernel");
  impl_->entities = entity_count;
}

Seconds SimgridKernel::now() const { return Seconds(impl_->now); }

void SimgridKernel::schedule(Seconds at, EntityId owner, uint16_t kind, uint32_t tag, uint16_t aux) {
  assert(owner < impl_->entities);
  assert(at.value >= impl_->now);
  impl_->push(at.value, owner, kind, tag, aux);
}

LinkId SimgridKernel::add_link(const std::string& name, BytesPerSecond capacity) {
  if (impl_->built) throw std::logic_error("SimgridKernel::add_link after the platform was built");
  impl_->links.push_back(Impl::Link{name, capacity, nullptr, nullptr, 0, capacity.value <= 0, {}});
  return LinkId(impl_->links.size() - 1);
}

void SimgridKernel::Impl::build() {
  if (built) return;
  built = true;
  sg4::NetZone* zone = sg4::create_star_zone("fleetsim");
  auto attach = [zone](sg4::Host* host, sg4::Link* link) {
    zone->add_route(host->get_netpoint(), nullptr, nullptr, nullptr, {sg4::LinkInRoute(link)}, true);
  };
  for (Link& l : links) {
    l.server = zone->create_host("cdn-" + l.name, 1.0);
    l.link = zone->create_link("edge-" + l.name, l.stalled ? 1.0 : l.capacity.value)->set_latency(0);
    attach(l.server, l.link);
  }
  hosts.resize(entities);
  access.resize(entities);
  access_bandwidth.assign(entities, 1e12);
  for (uint32_t i = 0; i < entities; ++i) {
    hosts[i] = zone->create_host("dev-" + std::to_string(i), 1.0);
    access[i] = zone->create_link("access-" + std::to_string(i), access_bandwidth[i])->set_latency(0);
    attach(hosts[i], access[i]);
  }
  zone->seal();
}

void SimgridKernel::set_link_capacity(LinkId link, BytesPerSecond capacity) {
  Impl& m = *impl_;
  Impl::Link& l = m.links[link];
  l.capacity = capacity;
  const bool stall = capacity.value <= 0;
  if (l.link && !stall) l.link->set_bandwidth(capacity.value);
  if (!stall && !m.latency_in_network) {
    // CM02 bounds each flow's rate by the smallest bandwidth on its route *when it starts*, and
    // never revisits that bound: a flow started while this link was degraded would stay below
    // its fair share after the capacity comes back. Such flows are re-issued with their
    // remaining bytes, which gives them a fresh bound. (The CM02 and LV08 models keep SimGrid's
    // behaviour: re-issuing there would pay the latency again.)
    for (size_t id = 0; id < m.transfers.size(); ++id) {
      Impl::Transfer& t = m.transfers[id];
      if (!t.live || !t.comm || t.link != link || t.bound >= std::min(t.cap.value, capacity.value)) continue;
      t.base_done = t.done();
      m.drop_comm(t);
      --l.active;
      m.start_comm(TransferId(id));
    }
  }
  if (stall == l.stalled) return;
  l.stalled = stall;
  for (Impl::Transfer& t : m.transfers) {
    if (!t.live || !t.comm || t.link != link) continue;
    if (stall) t.comm->suspend();
    else t.comm->resume();
  }
}

TransferId SimgridKernel::start_transfer(LinkId link, EntityId owner, Bytes size, BytesPerSecond cap,
                                         Seconds latency) {
  Impl& m = *impl_;
  m.build();
  TransferId id;
  if (!m.free_transfers.empty()) {
    id = m.free_transfers.back();
    m.free_transfers.pop_back();
  } else {
    id = TransferId(m.transfers.size());
    m.transfers.emplace_back();
  }
  Impl::Transfer& t = m.transfers[id];
  t.link = link;
  t.owner = owner;
  t.size = size;
  t.cap = cap;
  t.latency = latency;
  t.generation = uint16_t(t.generation + 1);
  t.live = true;
  t.comm = nullptr;
  t.base_done = 0;
  if (m.latency_in_network) m.start_comm(id);
  else m.push(m.now + latency.value, owner, kTransferJoin, id, t.generation);
  return id;
}

void SimgridKernel::Impl::start_comm(TransferId id) {
  Transfer& t = transfers[id];
  Link& l = links[t.link];
  // The device's own link: its bandwidth is the transfer's cap (one transfer per device at a
  // time, as the model does), its latency is paid by SimGrid in the CM02 and LV08 models.
  if (access_bandwidth[t.owner] != t.cap.value) {
    access_bandwidth[t.owner] = t.cap.value;
    access[t.owner]->set_bandwidth(t.cap.value);
  }
  if (latency_in_network) access[t.owner]->set_latency(t.latency.value);
  // Payload sizes are whole bytes in SimGrid; the model's sizes are whole bytes too (a re-issued
  // flow rounds its rest to the nearest byte: at most half a byte of difference).
  t.payload = double(std::llround(std::max(0.0, t.size.value - t.base_done)));
  t.bound = std::min(t.cap.value, l.link->get_bandwidth());
  t.comm = sg4::Comm::sendto_init(l.server, hosts[t.owner]);
  t.comm->set_payload_size(uint64_t(t.payload));
  running[t.comm.get()] = id;
  t.comm->start();
  if (l.stalled) t.comm->suspend();
  ++l.active;
  l.stats.peak_active = std::max(l.stats.peak_active, l.active);
}

Bytes SimgridKernel::cancel_transfer(TransferId id) {
  Impl& m = *impl_;
  Impl::Transfer& t = m.transfers[id];
  assert(t.live);
  Bytes done(0);
  if (t.comm) {
    done = Bytes(std::max(0.0, t.done()));
    m.drop_comm(t);
    Impl::Link& l = m.links[t.link];
    --l.active;
    l.stats.delivered += done;
  }
  t.live = false;
  m.free_transfers.push_back(id);  // a pending join for it is recognised as stale by generation
  return done;
}

// The rate the link carries now (SimGrid's last solved sharing; a change made at this very instant
// shows from the next step on).
BytesPerSecond SimgridKernel::link_throughput(LinkId link) const {
  const Impl::Link& l = impl_->links[link];
  return BytesPerSecond(l.link ? l.link->get_usage() : 0.0);
}
uint32_t SimgridKernel::link_active_transfers(LinkId link) const { return impl_->links[link].active; }
LinkStats SimgridKernel::link_stats(LinkId link) const { return impl_->links[link].stats; }
void SimgridKernel::set_pacer(ExternalPacer* pacer) { impl_->pacer = pacer; }
uint64_t SimgridKernel::events_processed() const { return impl_->events; }

// Runs SimGrid until `target`, or until communications finish before it; those become events at
// their completion time (after every model event of that instant, in owner order).
void SimgridKernel::Impl::advance_network(double target) {
  double clock = engine->get_clock();
  while (clock < target && finished.empty()) {
    stop_requests.clear();
    engine->run_until(target);
    released.clear();
    const double after = engine->get_clock();
    if (after <= clock && finished.empty() && running.empty()) break;  // nothing moves the engine
    clock = after;
  }
  stop_requests.clear();
  for (TransferId id : finished) {
    Transfer& t = transfers[id];
    push(clock, kLinkOwnerBase + t.link, kTransferDone, t.owner, 0, id);
  }
  finished.clear();
}

void SimgridKernel::run_until(KernelClient& client, Seconds until) {
  Impl& m = *impl_;
  m.build();
  for (;;) {
    const double next = m.queue.empty() ? until.value : std::min(m.queue.top().record.time, until.value);
    if (m.pacer) {
      m.pacer->advance_to(Seconds(next));
      if (!m.queue.empty() && m.queue.top().record.time < next) continue;
    }
    m.advance_network(next);
    if (m.queue.empty() || m.queue.top().record.time > until.value) break;
    const QueuedEvent qe = m.queue.top();
    m.queue.pop();
    const EventRecord& ev = qe.record;
    m.now = std::max(m.now, ev.time);
    if (ev.kind == kTransferJoin) {
      Impl::Transfer& t = m.transfers[ev.tag];
      if (!t.live || t.generation != ev.aux || t.comm) continue;
      ++m.events;
      m.start_comm(ev.tag);
      continue;
    }
    if (ev.kind == kTransferDone) {
      Impl::Transfer& t = m.transfers[qe.transfer];
      ++m.events;
      t.live = false;
      t.comm = nullptr;
      Impl::Link& l = m.links[t.link];
      --l.active;
      l.stats.delivered += t.size;
      m.free_transfers.push_back(qe.transfer);
      client.on_transfer_complete(t.owner, qe.transfer, t.size);
      continue;
    }
    ++m.events;
    client.on_timer(ev.owner, ev.kind, ev.tag, ev.aux);
  }
  if (until.value > m.now) m.now = until.value;
}

}  // namespace fleetsim
