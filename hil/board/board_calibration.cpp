#include "hil/board/board_calibration.hpp"

#include <cmath>
#include <cstdio>

#include "hil/board/board_health.hpp"
#include "hil/board/board_update.hpp"

namespace fleetsim::hil {

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  double mean = 0, stddev = 0;
};

Stats stats_of(const std::vector<double>& xs) {
  Stats s;
  if (xs.empty()) return s;
  for (double x : xs) s.mean += x;
  s.mean /= double(xs.size());
  if (xs.size() < 2) return s;
  double ss = 0;
  for (double x : xs) ss += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(ss / double(xs.size() - 1));  // sample standard deviation
  return s;
}

std::string rate_text(double bytes_per_second) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.0fB/s", bytes_per_second);
  return buf;
}

std::string duration_text(double seconds) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.0fms", std::max(1.0, seconds * 1000.0));
  return buf;
}

nlohmann::ordered_json distribution(const Stats& s, std::string (*text)(double)) {
  if (s.stddev <= 0 || text(s.stddev) == text(0)) return text(s.mean);
  return {{"dist", "normal"}, {"mean", text(s.mean)}, {"stddev", text(s.stddev)}};
}

}  // namespace

Calibration calibrate_board(SmpClient& client, std::span<const std::uint8_t> image, int rounds,
                            std::chrono::milliseconds reboot_timeout) {
  Calibration c;
  for (int i = 0; i < rounds; ++i) {
    CalibrationRound r;
    const BoardHealth health = check_board_health(client);
    if (!health.healthy) {
      c.problem = "round " + std::to_string(i + 1) + ": board unhealthy: " + health.problem;
      c.infrastructure = true;
      return c;
    }
    r.health_check_seconds = health.seconds;
    const auto t = Clock::now();
    auto up = client.upload(image, health.params.buf_size);
    if (!up) {
      c.problem = "round " + std::to_string(i + 1) + ": upload: " + up.error().message;
      c.infrastructure = up.error().kind == SmpClientError::Kind::Transport;
      return c;
    }
    c.chunk_bytes = std::max(c.chunk_bytes, up.value().chunk_bytes);
    r.upload_bytes_per_second = double(image.size()) / std::chrono::duration<double>(Clock::now() - t).count();
    const auto reset_at = Clock::now();
    auto reset = client.reset();
    if (!reset && reset.error().kind != SmpClientError::Kind::Transport) {
      c.problem = "round " + std::to_string(i + 1) + ": reset: " + reset.error().message;
      return c;
    }
    if (wait_for_board(client, reboot_timeout, std::chrono::milliseconds(100)) < 0) {
      c.problem = "round " + std::to_string(i + 1) + ": board did not answer within " +
                  std::to_string(reboot_timeout.count()) + " ms after reset";
      c.infrastructure = true;
      return c;
    }
    r.reset_to_ready_seconds = std::chrono::duration<double>(Clock::now() - reset_at).count();
    c.rounds.push_back(r);
  }
  return c;
}

nlohmann::ordered_json calibration_parameters(const Calibration& calibration, const std::string& source) {
  std::vector<double> upload, reboot, health;
  for (const auto& r : calibration.rounds) {
    upload.push_back(r.upload_bytes_per_second);
    reboot.push_back(r.reset_to_ready_seconds);
    health.push_back(r.health_check_seconds);
  }
  const std::string n = std::to_string(calibration.rounds.size()) + " round(s)";
  nlohmann::ordered_json out;
  out["link"]["downlink"] = distribution(stats_of(upload), rate_text);
  out["phases"]["reboot"] = distribution(stats_of(reboot), duration_text);
  out["phases"]["health_check"] = distribution(stats_of(health), duration_text);
  out["sources"]["link.downlink"] = "fleetsim hil calibrate: SMP image upload throughput to " + source + ", " + n;
  out["sources"]["phases.reboot"] = "fleetsim hil calibrate: SMP reset to first answer of " + source + ", " + n;
  out["sources"]["phases.health_check"] =
      "fleetsim hil calibrate: echo + mcumgr params + image state read on " + source + ", " + n;
  return out;
}

}  // namespace fleetsim::hil
