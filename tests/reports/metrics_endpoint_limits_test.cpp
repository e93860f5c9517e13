// The --metrics-listen endpoint is a network surface: clients that connect and send nothing, or
// half a request header (slowloris), must not keep scrapes from being answered. Real sockets
// against the real endpoint (LiveMetrics, served by prometheus-cpp's civetweb) on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdlib>
#include <chrono>
#include <string>
#include <thread>
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

// A connection to 127.0.0.1:port from `source` (another loopback address is another client).
int connect_to(int port, const char* source = "127.0.0.1") {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};  // a hung endpoint fails the test instead of hanging it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
    close(fd);
    return -1;
  }
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

// GET /metrics from `source`: the whole response ("" when the connection failed).
std::string get_metrics(int port, const char* source) {
  const int fd = connect_to(port, source);
  if (fd < 0) return "";
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  std::string response;
  if (send(fd, request.data(), request.size(), 0) == ssize_t(request.size())) {
    char buf[65536];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, size_t(n));
  }
  close(fd);
  return response;
}

int status_of(const std::string& response) {
  return response.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(response.c_str() + 9) : -1;
}

}  // namespace

TEST_CASE("Idle and half-header connections to the metrics endpoint neither delay scrapes nor stay open",
          "[reports][prometheus]") {
  // Before: one idle connection delayed every scrape by 30 s (civetweb's default request timeout,
  // one worker thread); 20 half-header connections made scrapes time out.
  const LoadResult loaded = load_scenario_file(shipped_scenario("quickstart.json"));
  REQUIRE(loaded.scenario);
  NoSamples samples;
  // Without the request-rate limit: the scrapes below come from one client faster than it allows.
  LiveMetrics live("127.0.0.1:0", *loaded.scenario, samples, RequestRateLimit{0, 0});
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

TEST_CASE("A client beyond the metrics endpoint's request rate gets 429 with Retry-After, is served again after "
          "waiting, and does not hold up another client",
          "[reports][prometheus]") {
  const LoadResult loaded = load_scenario_file(shipped_scenario("quickstart.json"));
  REQUIRE(loaded.scenario);
  NoSamples samples;
  const RequestRateLimit limit;  // the default: bursts of 10, then 5 a second per client address
  REQUIRE(limit.burst == 10);
  REQUIRE(limit.per_second == 5);
  LiveMetrics live("127.0.0.1:0", *loaded.scenario, samples, limit);
  const int port = live.port();
  REQUIRE(port > 0);

  // 30 requests back to back from 127.0.0.1 within T seconds: the bucket starts with 10 tokens and
  // gains 5 T, so 10 to 10 + floor(5 T) are served and the rest refused.
  constexpr int kBurst = 30;
  int served = 0, refused = 0;
  std::string refusal;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kBurst; ++i) {
    const std::string r = get_metrics(port, "127.0.0.1");
    if (status_of(r) == 200) ++served;
    if (status_of(r) == 429) {
      ++refused;
      refusal = r;
    }
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO("burst of " << kBurst << " in " << took << " s: " << served << " served, " << refused << " refused");
  CHECK(served + refused == kBurst);
  CHECK(served >= 10);
  CHECK(served <= 10 + int(5 * took));
  WARN("burst of " << kBurst << " requests in " << took << " s: " << served << " answered 200, " << refused
                   << " answered 429");
  // One token comes back after 1 / 5 s: Retry-After rounds up to whole seconds, 1.
  CHECK(refusal.find("Retry-After: 1\r\n") != std::string::npos);
  CHECK(refusal.find("too many requests from 127.0.0.1") != std::string::npos);

  // Another client address (127.0.0.2 is loopback too) has a bucket of its own: served at once.
  CHECK(status_of(get_metrics(port, "127.0.0.2")) == 200);
  // The first client, after waiting the Retry-After second (5 tokens back), is served again, 5
  // times in a row.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  for (int i = 0; i < 5; ++i) CHECK(status_of(get_metrics(port, "127.0.0.1")) == 200);
}

TEST_CASE("The request rate limit refills one token every 1 / rate seconds up to the burst", "[reports][prometheus]") {
  using Clock = ClientRateLimit::Clock;
  ClientRateLimit limit(RequestRateLimit{4, 3});  // bursts of 3, then 4 a second
  const Clock::time_point t0{};
  for (int i = 0; i < 3; ++i) CHECK(limit.admit("a", t0) == 0);
  // Empty: the next token comes 1 / 4 s later.
  CHECK(limit.admit("a", t0) == Approx(0.25));
  CHECK(limit.admit("b", t0) == 0);  // another client
  CHECK(limit.admit("a", t0 + std::chrono::milliseconds(100)) == Approx(0.15));
  CHECK(limit.admit("a", t0 + std::chrono::milliseconds(250)) == 0);
  // 10 s later the bucket holds 3 again, not 40.
  const Clock::time_point t1 = t0 + std::chrono::seconds(10);
  for (int i = 0; i < 3; ++i) CHECK(limit.admit("a", t1) == 0);
  CHECK(limit.admit("a", t1) > 0);
}

TEST_CASE("fleetsim run --metrics-rate-limit takes RATE,BURST or off and needs --metrics-listen", "[reports][prometheus][cli]") {
  std::string error;
  const auto parsed = RequestRateLimit::parse("2.5,7", error);
  REQUIRE(parsed);
  CHECK(parsed->per_second == 2.5);
  CHECK(parsed->burst == 7);
  CHECK(RequestRateLimit::parse("off", error)->off());
  for (const char* bad : {"", "5", "0,10", "-1,10", "5,0", "5,2.5", "5,x", "nan,10", "5,10,1"}) {
    INFO(bad);
    CHECK_FALSE(RequestRateLimit::parse(bad, error));
    CHECK(error.find("expected RATE,BURST") != std::string::npos);
  }
  TempDir tmp;
  const std::string run = "run " + shell_quote(shipped_scenario("quickstart.json")) + " --out " + shell_quote(tmp / "o");
  Cli r = run_fleetsim(run + " --metrics-listen 127.0.0.1:0 --metrics-rate-limit 0,10");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--metrics-rate-limit \"0,10\": expected RATE,BURST") != std::string::npos);
  r = run_fleetsim(run + " --metrics-rate-limit 5,10");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--metrics-rate-limit needs --metrics-listen") != std::string::npos);
}
