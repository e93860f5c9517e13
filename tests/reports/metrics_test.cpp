// Prometheus: the live endpoint of a run, scraped over a real socket and checked by the real
// `promtool check metrics`, and the OpenMetrics file backfilled by the real
// `promtool tsdb create-blocks-from openmetrics`.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/cli_runner.hpp"
#include "tests/reports/shipped_runs.hpp"
#include "tests/reports/text_between.hpp"

extern char** environ;

using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

const std::string kQuickstart = shipped_scenario("quickstart.json");
// 1 000 000 devices: a run long enough (seconds) to be scraped while it simulates.
const std::string kMillion = shipped_scenario("bench/million.json");

// fleetsim started in the background with its stderr in a file; killed if still running at the end.
struct Background {
  pid_t pid = -1;
  Background(std::vector<std::string> args, const std::string& stderr_file) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    args.insert(args.begin(), FLEETSIM_BIN);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid, FLEETSIM_BIN, &actions, nullptr, argv.data(), environ) != 0) pid = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  // Exit code, or -1 if it did not end within `timeout`.
  int wait(std::chrono::seconds timeout) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        pid = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(20ms);
    }
    return -1;
  }
  ~Background() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// GET http://127.0.0.1:PORT/metrics; the whole response (status line, headers, body), or "".
std::string get_metrics(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  timeval tv{10, 0};  // a hung endpoint fails the test instead of hanging it
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(uint16_t(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (send(fd, request.data(), request.size(), 0) == ssize_t(request.size())) {
      char buf[65536];
      for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, size_t(n));
    }
  }
  close(fd);
  return response;
}

// GET http://127.0.0.1:PORT/metrics; the response body, or "" when the request failed.
std::string scrape(int port) {
  const std::string response = get_metrics(port);
  const size_t body = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.1 200", 0) != 0 && response.rfind("HTTP/1.0 200", 0) != 0) return "";
  return body == std::string::npos ? "" : response.substr(body + 4);
}

// Sample values by series ("name{labels}"), from the Prometheus text format.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    out[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
  return out;
}

}  // namespace

TEST_CASE(
    "The live metrics endpoint serves progress during the run and the results after it in a form promtool accepts",
    "[reports][prometheus]") {
  TempDir tmp;
  const std::string log = tmp / "stderr.txt";
  Background run({"run", kMillion, "--out", tmp / "out", "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "600"},
                 log);
  REQUIRE(run.pid > 0);

  // The bound port is announced on stderr.
  int port = 0;
  for (auto until = std::chrono::steady_clock::now() + 60s; port == 0 && std::chrono::steady_clock::now() < until;) {
    const auto ports = all_between(slurp(log), "serving live metrics on http://127.0.0.1:", "/metrics");
    if (!ports.empty())
      port = std::stoi(ports[0]);
    else
      std::this_thread::sleep_for(20ms);
  }
  INFO(slurp(log));
  REQUIRE(port > 0);

  // Scrape from the start until the run is over (it keeps serving: --metrics-linger).
  std::string first, body;
  std::map<std::string, double> values;
  for (auto until = std::chrono::steady_clock::now() + 300s; std::chrono::steady_clock::now() < until;) {
    body = scrape(port);
    values = samples(body);
    if (first.empty()) first = body;
    if (values["fleetsim_run_finished"] == 1) break;
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(values["fleetsim_run_finished"] == 1);

  for (const std::string& scraped : {first, body}) {
    std::ofstream(tmp / "scrape.txt") << scraped;
    const Cli lint = run_program("promtool", "check metrics < " + shell_quote(tmp / "scrape.txt"));
    INFO(lint.output);
    CHECK(lint.exit_code == 0);
  }

  // million: 300 000 + 150 000 + 50 000 + 300 000 + 150 000 + 50 000 devices over 6 days = 518 400 s.
  // The first scrape came within milliseconds of the announcement, seconds before the end.
  std::map<std::string, double> early = samples(first);
  CHECK(early["fleetsim_run_finished"] == 0);
  CHECK(early["fleetsim_simulated_seconds"] < 518400);
  CHECK(values["fleetsim_simulated_seconds"] == 518400);
  double devices = 0;
  for (const auto& [series, v] : values)
    if (series.rfind("fleetsim_devices_in_state{", 0) == 0) devices += v;
  CHECK(devices == 1000000);
  CHECK(values["fleetsim_region_devices{region=\"us-east\"}"] == 450000);
  // The final values are the run's results (summary.json is written before the endpoint lingers).
  const auto summary = nlohmann::json::parse(slurp(tmp / "out/summary.json"));
  CHECK(values["fleetsim_devices_in_state{state=\"updated\"}"] == summary["devices"]["by_state"]["updated"]);
  CHECK(values["fleetsim_devices_on_version{version=\"7.3.0\"}"] == summary["devices"]["by_version"]["7.3.0"]);
  CHECK(values["fleetsim_rollout_state{state=\"completed\"}"] == 1);
  CHECK(values["fleetsim_events_total"] > 0);

  // The Grafana dashboard shipped for these metrics queries only names the endpoint or metrics.om has.
  std::set<std::string> names;
  for (const std::string& text : {body, slurp(tmp / "out/metrics.om")})
    for (const auto& [series, v] : samples(text)) names.insert(series.substr(0, series.find_first_of("{ ")));
  const auto dashboard =
      nlohmann::json::parse(slurp(std::string(FLEETSIM_SOURCE_DIR) + "/reports/grafana-dashboard.json"));
  int queried = 0;
  for (const auto& panel : dashboard["panels"])
    for (const auto& target : panel["targets"]) {
      const std::string expr = target["expr"];
      for (size_t at = expr.find("fleetsim_"); at != std::string::npos; at = expr.find("fleetsim_", at + 1)) {
        const size_t end = expr.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", at);
        const std::string name = expr.substr(at, end - at);
        INFO(expr);
        CHECK(names.count(name) == 1);
        ++queried;
        at = end - 1;
      }
    }
  CHECK(queried > 0);

  // SIGTERM ends the lingering early; the exit code is still the run's verdict.
  kill(run.pid, SIGTERM);
  CHECK(run.wait(30s) == 0);
}

TEST_CASE("A malformed --metrics-listen address is a usage error", "[reports][prometheus]") {
  TempDir tmp;
  const Cli r = run_shipped("quickstart.json", tmp.path.string(), " --metrics-listen 127.0.0.1:99999");
  CHECK(r.exit_code == 2);
  CHECK(r.output.find("--metrics-listen \"127.0.0.1:99999\"") != std::string::npos);
}

TEST_CASE("metrics.om backfills into Prometheus blocks covering the simulated time", "[reports][prometheus]") {
  TempDir tmp;
  // A 6-day QA scenario with a small file (4 MB): backfilling is the slow part.
  REQUIRE(run_shipped("qa/corrupt-cdn-cache.json", tmp / "out").exit_code == 0);
  const Cli backfill =
      run_program("promtool", "tsdb create-blocks-from openmetrics " + shell_quote(tmp / "out/metrics.om") + " " +
                                  shell_quote(tmp / "tsdb"));
  INFO(backfill.output.substr(0, 4000));
  REQUIRE(backfill.exit_code == 0);

  int64_t samples_in_file = 0;
  std::istringstream om(slurp(tmp / "out/metrics.om"));
  for (std::string line; std::getline(om, line);) samples_in_file += !line.empty() && line[0] != '#';
  int64_t samples_in_blocks = 0, min_time = INT64_MAX, max_time = INT64_MIN;
  for (const auto& block : std::filesystem::directory_iterator(tmp.path / "tsdb")) {
    const auto meta = nlohmann::json::parse(slurp((block.path() / "meta.json").string()));
    samples_in_blocks += meta["stats"]["numSamples"].get<int64_t>();
    min_time = std::min(min_time, meta["minTime"].get<int64_t>());
    max_time = std::max(max_time, meta["maxTime"].get<int64_t>());
  }
  CHECK(samples_in_blocks == samples_in_file);
  // start 2026-12-01T00:00:00Z = (56·365 + 14 leap days + 334 days of 2026) · 86 400 s = 1 796 083 200 s;
  // samples from t = 0 to 6 d = 518 400 s, in ms (a block's maxTime is exclusive: +1 ms).
  CHECK(min_time == 1796083200000);
  CHECK(max_time == (1796083200 + 518400) * int64_t(1000) + 1);
}

TEST_CASE("fleetsim run --metrics-rate-limit sets the live endpoint's per-client request rate", "[reports][prometheus][cli]") {
  TempDir tmp;
  const std::string log = tmp / "stderr.txt";
  // Bursts of 2, then one request every 10 s.
  Background run({"run", kQuickstart, "--out", tmp / "out", "--metrics-listen", "127.0.0.1:0", "--metrics-linger",
                  "60", "--metrics-rate-limit", "0.1,2"},
                 log);
  REQUIRE(run.pid > 0);
  int port = 0;
  for (auto until = std::chrono::steady_clock::now() + 60s; port == 0 && std::chrono::steady_clock::now() < until;) {
    const auto ports = all_between(slurp(log), "serving live metrics on http://127.0.0.1:", "/metrics");
    if (!ports.empty())
      port = std::stoi(ports[0]);
    else
      std::this_thread::sleep_for(20ms);
  }
  INFO(slurp(log));
  REQUIRE(port > 0);
  CHECK_FALSE(scrape(port).empty());
  CHECK_FALSE(scrape(port).empty());
  // The third within a second: refused. The next token is (1 - 0.1 T) / 0.1 = 10 - T seconds away
  // (T < 1 s since the first): Retry-After rounds it up to 10.
  const std::string third = get_metrics(port);
  INFO(third);
  CHECK(third.rfind("HTTP/1.1 429 Too Many Requests", 0) == 0);
  CHECK(third.find("Retry-After: 10\r\n") != std::string::npos);
  // Once the run is over (its results written), SIGTERM ends the linger: exit 0.
  for (auto until = std::chrono::steady_clock::now() + 60s;
       !std::filesystem::exists(tmp / "out/manifest.json") && std::chrono::steady_clock::now() < until;)
    std::this_thread::sleep_for(50ms);
  kill(run.pid, SIGTERM);
  CHECK(run.wait(30s) == 0);
}
