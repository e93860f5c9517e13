// The live Prometheus endpoint of a run (`fleetsim run --metrics-listen HOST:PORT`), served by
// prometheus-cpp while the simulation runs: progress (simulated seconds, events, events/s), the
// fleet by state, version and region, platform load against capacity, and the rollout's state.
// Fleet values come from the run's latest time-series sample (a SampleSource), so they match metrics.om.
#pragma once

#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "reports/client_rate_limit.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/results/results.hpp"

namespace fleetsim {

class LiveMetrics {
 public:
  // Starts the endpoint for `fleetsim run --metrics-listen VALUE` and says where it serves (unless
  // `quiet`). On failure prints why and returns nullptr with `code` exit_code::kBadInput (a
  // malformed address) or exit_code::kInfrastructure (cannot bind).
  static std::unique_ptr<LiveMetrics> start(const std::string& value, const RequestRateLimit& limit,
                                            const Scenario& scenario, const SampleSource& samples, bool quiet,
                                            int& code);

  // Checks a --metrics-listen value: "HOST:PORT", or ":PORT" / "PORT" for 127.0.0.1. Returns the
  // address to bind, or nullopt (and sets `error`) when it is malformed.
  static std::optional<std::string> parse_listen(const std::string& value, std::string& error);

  // Starts serving /metrics on `address` (from parse_listen); port 0 picks a free port. Each client
  // address may send requests within `limit` (client_rate_limit.hpp); beyond it they are answered
  // 429 Too Many Requests with Retry-After. Throws std::runtime_error naming the address when it
  // cannot be bound.
  LiveMetrics(const std::string& address, const Scenario& scenario, const SampleSource& samples,
              const RequestRateLimit& limit = {});
  ~LiveMetrics();

  int port() const;
  // Called between run chunks: progress and the samples taken since the last call.
  void update(double simulated_seconds, uint64_t events, double wall_seconds);
  // The run is over; fleetsim_run_finished becomes 1.
  void finish();
  // Keeps serving for `seconds` or until SIGINT / SIGTERM or `stopped()`, whichever comes first (a
  // signal the process inherited as ignored stays ignored). `stopped` reports a signal noted before
  // (the run's own handler).
  static void linger(double seconds, const std::function<bool()>& stopped = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace fleetsim
