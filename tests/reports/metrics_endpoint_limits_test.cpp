// The --metrics-listen endpoint is a network surface: clients that connect and send nothing, or
// half a request header (slowloris), must not keep scrapes from being answered. Real sockets
// against the real endpoint (LiveMetrics, served by prometheus-cpp's civetweb) on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <string>
#include <vector>

#include "reports/live_metrics.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/reports/shipped_runs.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {

struct NoSamples : SampleSource {
  std::vector<TimeseriesRow> rows;
  std::vector<std::string> names{"1.0"};
  const std::vector<TimeseriesRow>& samples() const override { return rows; }
  const std::vector<std::string>& versions() const override { return names; }
};

int connect_to(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};  // a hung endpoint fails the test instead of hanging it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Seconds until a GET /metrics is answered with 200 and the whole body, or -1.
double timed_scrape(int port) {
  const auto start = std::chrono::steady_clock::now();
  const int fd = connect_to(port);
  if (fd < 0) return -1;
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string response;
  if (send(fd, request.data(), request.size(), 0) == ssize_t(request.size())) {
    char buf[65536];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, size_t(n));
  }
  close(fd);
  if (response.rfind("HTTP/1.1 200", 0) != 0 || response.find("fleetsim_run_finished") == std::string::npos) return -1;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("Idle and half-header connections to the metrics endpoint neither delay scrapes nor stay open",
          "[reports][prometheus]") {
  // Before: one idle connection delayed every scrape by 30 s (civetweb's default request timeout,
  // one worker thread); 20 half-header connections made scrapes time out.
  const LoadResult loaded = load_scenario_file(shipped_scenario("quickstart.json"));
  REQUIRE(loaded.scenario);
  NoSamples samples;
  LiveMetrics live("127.0.0.1:0", *loaded.scenario, samples);
  const int port = live.port();
  REQUIRE(port > 0);
  REQUIRE(timed_scrape(port) >= 0);

  constexpr int kEach = 20;
  std::vector<int> idle, half;
  for (int i = 0; i < kEach; ++i) {
    idle.push_back(connect_to(port));
    half.push_back(connect_to(port));
    const std::string part = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    REQUIRE(half.back() >= 0);
    REQUIRE(send(half.back(), part.data(), part.size(), 0) == ssize_t(part.size()));
  }
  // While all 40 wait to be dropped, scrapes are answered within 2 s (workers: 32, request
  // timeout 0.5 s: the scrape waits for at most two rounds of timeouts).
  for (int i = 0; i < 3; ++i) {
    const double took = timed_scrape(port);
    INFO("scrape " << i << " took " << took << " s");
    CHECK(took >= 0);
    CHECK(took < 2.0);
  }
  // The server has closed them all: each reads end-of-file (or a reset) instead of blocking for
  // the 10 s receive timeout.
  const auto start = std::chrono::steady_clock::now();
  int closed = 0;
  for (int fd : idle) half.push_back(fd);
  for (int fd : half) {
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
    }  // civetweb may answer 408 or 400 before closing
    closed += n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    close(fd);
  }
  CHECK(closed == 2 * kEach);
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 5.0);
}
