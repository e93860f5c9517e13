#include "reports/live_metrics.hpp"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "reports/metric_names.hpp"
#include "reports/openmetrics_writer.hpp"
#include "sim/core/exit_codes.hpp"

namespace fleetsim {

namespace {

using prometheus::Counter;
using prometheus::Gauge;

prometheus::Family<Gauge>& gauges(prometheus::Registry& r, const metric::Name& m) {
  return prometheus::BuildGauge().Name(m.name).Help(m.help).Register(r);
}
prometheus::Family<Gauge>& gauges(prometheus::Registry& r, const char* name, const char* help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(r);
}
Counter& counter(prometheus::Registry& r, const metric::Name& m) {
  return prometheus::BuildCounter().Name(std::string(m.name) + "_total").Help(m.help).Register(r).Add({});
}

// civetweb serves each connection on a worker thread from the moment it is accepted, so a
// client that connects and sends nothing (or half a request) holds a worker until the request
// timeout. Many workers and a short timeout keep scrapes answered while such clients wait to be
// dropped; without keep-alive a worker is free again after each scrape. A scrape's request is one
// small packet, so half a second is ample even across a network.
constexpr const char* kWorkerThreads = "32";
constexpr const char* kRequestTimeoutMs = "500";

std::vector<std::string> civetweb_options(const std::string& address) {
  return {"listening_ports",   address,           "num_threads",       kWorkerThreads,
          "request_timeout_ms", kRequestTimeoutMs, "enable_keep_alive", "no",
          "linger_timeout_ms", "0",               "max_request_size",  "16384"};
}

// Why `address` ("HOST:PORT") cannot be bound, in words with the fix, or "" when it can (then
// civetweb failed for another reason). civetweb itself only says "null context".
std::string bind_problem(const std::string& address) {
  const size_t colon = address.rfind(':');
  const std::string host = address.substr(0, colon), port = address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return "cannot resolve host \"" + host + "\": " + gai_strerror(rc) + " (expected an address of this machine, e.g. 127.0.0.1)";
  std::string problem;
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd >= 0) {
    const int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // as civetweb binds
    if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
      if (errno == EADDRINUSE)
        problem = "address " + address + " is in use: another process listens there (stop it, or choose another port; "
                  "port 0 picks a free one, e.g. --metrics-listen 127.0.0.1:0)";
      else if (errno == EADDRNOTAVAIL)
        problem = host + " is not an address of this machine (expected one of its addresses, e.g. 127.0.0.1)";
      else if (errno == EACCES)
        problem = "binding " + address + " is not permitted: ports below 1024 need privileges (choose a port from 1024)";
      else
        problem = "cannot bind " + address + ": " + std::strerror(errno);
    }
    close(fd);
  }
  freeaddrinfo(found);
  return problem;
}

// Each endpoint's per-client limit, by the port it listens on: civetweb's begin_request callback
// gets only the connection (CivetServer keeps the context's user data for itself), whose request
// info names the server port. Registered under the lock while the server starts, so that a
// request arriving meanwhile waits for its limit instead of passing unchecked.
std::mutex g_limits_mutex;
std::map<int, std::shared_ptr<ClientRateLimit>> g_limits;

// Before civetweb handles a request: over the client's limit it is answered 429 here and goes no
// further (returning the status tells civetweb the request is done).
int limit_request(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  std::shared_ptr<ClientRateLimit> limit;
  {
    std::lock_guard lock(g_limits_mutex);
    if (auto it = g_limits.find(info->server_port); it != g_limits.end()) limit = it->second;
  }
  if (!limit) return 0;  // the endpoint is shutting down
  const double wait = limit->admit(info->remote_addr, ClientRateLimit::Clock::now());
  if (wait <= 0) return 0;
  const long retry_after = std::max(1L, std::lround(std::ceil(wait)));  // whole seconds (RFC 9110)
  const std::string body = "too many requests from " + std::string(info->remote_addr) + ": retry after " +
                           std::to_string(retry_after) + " s\n";
  mg_printf(conn,
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: %ld\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
            retry_after, body.size(), body.c_str());
  return 429;
}

volatile std::sig_atomic_t g_stop = 0;
void on_stop_signal(int) { g_stop = 1; }

}  // namespace

struct LiveMetrics::Impl {
  const SampleSource& source;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<prometheus::Exposer> exposer;
  int port = 0;  // the key of this endpoint's limit in g_limits
  Gauge *simulated, *duration, *events_per_s, *wall, *finished;
  Counter *events, *requests, *throttled, *refused;
  std::vector<Gauge*> states, versions, transfers, egress, utilization, rollout_states;
  std::vector<double> capacity;  // bytes/s per region
  Gauge *connections, *released, *failed, *wave;
  size_t samples_seen = 0;
  double last_sample_t = 0;
  uint64_t events_seen = 0;

  Impl(const Scenario& s, const SampleSource& w) : source(w) {
    prometheus::Registry& r = *registry;
    simulated = &gauges(r, "fleetsim_simulated_seconds", "Simulated time reached.").Add({});
    duration = &gauges(r, "fleetsim_simulated_duration_seconds", "Simulated time the run covers.").Add({});
    duration->Set(s.duration.value);
    events = &counter(r, {"fleetsim_events", "Simulation events processed."});
    events_per_s = &gauges(r, "fleetsim_events_per_second", "Events processed per wall-clock second.").Add({});
    wall = &gauges(r, "fleetsim_run_elapsed_seconds", "Wall-clock time since the run started.").Add({});
    finished = &gauges(r, "fleetsim_run_finished", "1 once the run is over (the endpoint lingers).").Add({});

    auto& state_family = gauges(r, metric::kDevicesInState);
    for (const char* name : kDeviceStateNames) states.push_back(&state_family.Add({{"state", name}}));
    auto& version_family = gauges(r, metric::kDevicesOnVersion);
    for (const std::string& v : w.versions()) versions.push_back(&version_family.Add({{"version", v}}));
    auto& region_devices = gauges(r, "fleetsim_region_devices", "Devices per region.");
    auto& transfer_family = gauges(r, metric::kActiveTransfers);
    auto& egress_family = gauges(r, metric::kEgress);
    auto& capacity_family = gauges(r, metric::kEgressCapacity);
    auto& utilization_family =
        gauges(r, "fleetsim_region_egress_utilization_ratio", "CDN egress / capacity per region.");
    for (const Region& region : s.regions) {
      int64_t devices = 0;
      for (const Cohort& c : s.cohorts) devices += c.region == region.name ? c.count : 0;
      region_devices.Add({{"region", region.name}}).Set(double(devices));
      transfers.push_back(&transfer_family.Add({{"region", region.name}}));
      egress.push_back(&egress_family.Add({{"region", region.name}}));
      utilization.push_back(&utilization_family.Add({{"region", region.name}}));
      auto cap = s.platform.cdn_egress.find(region.name);
      capacity.push_back(cap == s.platform.cdn_egress.end() ? 0.0 : cap->second.value);
      capacity_family.Add({{"region", region.name}}).Set(capacity.back());
    }
    connections = &gauges(r, metric::kCdnConnections).Add({});
    if (s.platform.cdn_max_connections > 0)
      gauges(r, metric::kCdnMaxConnections).Add({}).Set(double(s.platform.cdn_max_connections));
    if (s.platform.update_service_capacity.value > 0)
      gauges(r, metric::kUpdateCapacity).Add({}).Set(s.platform.update_service_capacity.value);
    requests = &counter(r, metric::kUpdateRequests);
    throttled = &counter(r, metric::kThrottled);
    refused = &counter(r, metric::kRefused);
    released = &gauges(r, metric::kReleased).Add({});
    failed = &gauges(r, metric::kFailed).Add({});
    wave = &gauges(r, metric::kWave).Add({});
    wave->Set(-1);
    auto& rollout_family = gauges(r, metric::kRolloutState);
    for (const char* state : kRolloutStates) rollout_states.push_back(&rollout_family.Add({{"state", state}}));
  }

  void take_samples() {
    const std::vector<TimeseriesRow>& rows = source.samples();
    for (; samples_seen < rows.size(); ++samples_seen) {
      const TimeseriesRow& row = rows[samples_seen];
      requests->Increment(row.requests_per_s * (row.t - last_sample_t));
      throttled->Increment(double(row.throttled));
      refused->Increment(double(row.refused));
      last_sample_t = row.t;
    }
    if (rows.empty()) return;
    const TimeseriesRow& row = rows.back();
    for (size_t i = 0; i < states.size(); ++i) states[i]->Set(double(row.states[i]));
    for (size_t i = 0; i < versions.size() && i < row.versions.size(); ++i) versions[i]->Set(double(row.versions[i]));
    for (size_t i = 0; i < transfers.size() && i < row.active_transfers.size(); ++i) {
      transfers[i]->Set(row.active_transfers[i]);
      egress[i]->Set(row.egress_bps[i] / 8.0);
      utilization[i]->Set(capacity[i] > 0 ? row.egress_bps[i] / 8.0 / capacity[i] : 0.0);
    }
    connections->Set(double(row.cdn_connections));
    released->Set(double(row.released));
    failed->Set(double(row.failures));
    wave->Set(row.wave);
    for (size_t i = 0; i < rollout_states.size(); ++i)
      rollout_states[i]->Set(row.rollout_state == kRolloutStates[i] ? 1.0 : 0.0);
  }
};

std::optional<std::string> LiveMetrics::parse_listen(const std::string& value, std::string& error) {
  const size_t colon = value.rfind(':');
  std::string host = colon == std::string::npos ? "" : value.substr(0, colon);
  const std::string port = colon == std::string::npos ? value : value.substr(colon + 1);
  if (host.empty()) host = "127.0.0.1";
  bool digits = !port.empty() && port.size() <= 5;
  for (char c : port) digits = digits && c >= '0' && c <= '9';
  if (!digits || std::stoi(port) > 65535) {
    error = "--metrics-listen \"" + value + "\": expected HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:9100";
    return std::nullopt;
  }
  return host + ":" + port;
}

LiveMetrics::LiveMetrics(const std::string& address, const Scenario& scenario, const SampleSource& samples,
                         const RequestRateLimit& limit)
    : impl_(std::make_unique<Impl>(scenario, samples)) {
  CivetCallbacks callbacks;  // copied by CivetServer
  if (!limit.off()) callbacks.begin_request = limit_request;
  {
    std::lock_guard lock(g_limits_mutex);
    try {
      impl_->exposer = std::make_unique<prometheus::Exposer>(civetweb_options(address), &callbacks);
    } catch (const std::exception& e) {
      const std::string problem = bind_problem(address);
      throw std::runtime_error("cannot serve metrics on " + address + ": " + (problem.empty() ? e.what() : problem));
    }
    impl_->port = port();
    if (!limit.off()) g_limits[impl_->port] = std::make_shared<ClientRateLimit>(limit);
  }
  impl_->exposer->RegisterCollectable(impl_->registry);
}

LiveMetrics::~LiveMetrics() {
  {
    std::lock_guard lock(g_limits_mutex);
    g_limits.erase(impl_->port);
  }
  impl_.reset();  // stops the server: its workers finish the requests they serve
}

std::unique_ptr<LiveMetrics> LiveMetrics::start(const std::string& value, const RequestRateLimit& limit,
                                                const Scenario& scenario, const SampleSource& samples, bool quiet,
                                                int& code) {
  std::string error;
  const std::optional<std::string> address = parse_listen(value, error);
  if (!address) {
    std::cerr << "fleetsim: " << error << "\n";
    code = exit_code::kBadInput;
    return nullptr;
  }
  try {
    auto live = std::make_unique<LiveMetrics>(*address, scenario, samples, limit);
    if (!quiet)
      std::cerr << "fleetsim: serving live metrics on http://" << address->substr(0, address->rfind(':')) << ":"
                << live->port() << "/metrics\n";
    return live;
  } catch (const std::runtime_error& e) {
    std::cerr << "fleetsim: " << e.what() << "\n";
    code = exit_code::kInfrastructure;
    return nullptr;
  }
}

int LiveMetrics::port() const {
  const std::vector<int> ports = impl_->exposer->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

void LiveMetrics::update(double simulated_seconds, uint64_t events, double wall_seconds) {
  impl_->simulated->Set(simulated_seconds);
  impl_->events->Increment(double(events - impl_->events_seen));
  impl_->events_seen = events;
  impl_->wall->Set(wall_seconds);
  impl_->events_per_s->Set(wall_seconds > 0 ? double(events) / wall_seconds : 0.0);
  impl_->take_samples();
}

void LiveMetrics::finish() {
  impl_->take_samples();
  impl_->finished->Set(1);
}

void LiveMetrics::linger(double seconds, const std::function<bool()>& stopped) {
  struct sigaction stop {
  }, old_int{}, old_term{};
  stop.sa_handler = on_stop_signal;
  sigemptyset(&stop.sa_mask);
  g_stop = 0;
  // A signal the process runs with ignored (a background job's SIGINT) stays ignored.
  sigaction(SIGINT, nullptr, &old_int);
  sigaction(SIGTERM, nullptr, &old_term);
  if (old_int.sa_handler != SIG_IGN) sigaction(SIGINT, &stop, nullptr);
  if (old_term.sa_handler != SIG_IGN) sigaction(SIGTERM, &stop, nullptr);
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!g_stop && !(stopped && stopped()) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
}

}  // namespace fleetsim
