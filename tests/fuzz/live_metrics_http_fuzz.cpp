// Fuzzes the HTTP request parsing of the live metrics endpoint (`fleetsim run --metrics-listen`,
// reports/live_metrics): civetweb inside prometheus-cpp parses the requests, so the target starts
// the real endpoint on 127.0.0.1 (a free port) once and sends each input over a new TCP
// connection, then half-closes and reads the answer. Every wait is bounded (1 s per socket call).
// The endpoint must keep serving: every 64 inputs, and after one it did not answer, a plain
// GET /metrics must get "200" within 5 tries (a niced fuzzer on a busy machine can miss one
// 1 s bound without anything being wrong). Civetweb is Debian's uninstrumented build, so
// libFuzzer sees no coverage inside it: this target mutates blindly, finding crashes and hangs.
// The input's text is also tried as a --metrics-listen value (LiveMetrics::parse_listen).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "reports/live_metrics.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace {

class NoSamples : public fleetsim::SampleSource {
 public:
  const std::vector<fleetsim::TimeseriesRow>& samples() const override { return rows_; }
  const std::vector<std::string>& versions() const override { return versions_; }

 private:
  std::vector<fleetsim::TimeseriesRow> rows_;
  std::vector<std::string> versions_{"1.0.0", "1.1.0"};
};

struct Endpoint {
  fleetsim::Scenario scenario;
  NoSamples samples;
  std::unique_ptr<fleetsim::LiveMetrics> live;
  int port = 0;
};

Endpoint& endpoint() {
  static Endpoint* e = [] {
    auto* ep = new Endpoint;
    const fleetsim::LoadResult r = fleetsim::load_scenario_file(FLEETSIM_SOURCE_DIR "/scenarios/quickstart.json");
    if (!r.scenario) {
      std::fprintf(stderr, "%s", r.format("quickstart.json").c_str());
      std::abort();
    }
    ep->scenario = *r.scenario;
    // Without the per-client request limit: every input reaches the request handling, not a 429.
    ep->live = std::make_unique<fleetsim::LiveMetrics>("127.0.0.1:0", ep->scenario, ep->samples,
                                                       fleetsim::RequestRateLimit{0, 0});
    ep->port = ep->live->port();
    return ep;
  }();
  return *e;
}

// Sends `request`, half-closes, and returns what the endpoint answered before closing or
// going quiet for a second.
std::string exchange(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  const timeval bound{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string answer;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    for (std::size_t sent = 0; sent < request.size();) {
      const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    char buf[4096];
    for (ssize_t n; answer.size() < (1u << 20) && (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
      answer.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return answer;
}

bool serves_metrics(int port) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::string answer =
        exchange(port, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    if (answer.rfind("HTTP/1.1 200", 0) == 0 && answer.find("fleetsim_run_finished") != std::string::npos) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static std::uint64_t runs = 0;
  Endpoint& ep = endpoint();
  const std::string input(reinterpret_cast<const char*>(data), size);
  std::string error;
  (void)fleetsim::LiveMetrics::parse_listen(input, error);
  const std::string answer = exchange(ep.port, input);
  if ((answer.empty() || ++runs % 64 == 0) && !serves_metrics(ep.port)) {
    std::fprintf(stderr, "live metrics endpoint stopped serving GET /metrics after this input\n");
    __builtin_trap();
  }
  return 0;
}
