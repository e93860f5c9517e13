// The hawkBit DDI v1 server (hil/agent/ddi_server) against raw HTTP requests on 127.0.0.1: the
// resources, links and fields the DDI API documents (https://eclipse.dev/hawkbit/apis/ddi_api/),
// the per-controller state machine, authentication and bad requests. The announced hashes are
// checked against sha1sum, md5sum and sha256sum (coreutils), computed independently of OpenSSL.
#include "hil/agent/ddi_server.hpp"

#include <unistd.h>

#include <array>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/hil/agent/http_exchange.hpp"

using namespace fleetsim;
using namespace fleetsim::hil;
using namespace fleetsim::testing;
using nlohmann::json;

namespace {

std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("fleetsim-ddi-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// The first word of `command`'s output (a coreutils *sum prints "HEX  FILE").
std::string first_word_of(const std::string& command) {
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen(command.c_str(), "r"), pclose);
  std::array<char, 256> buf{};
  std::string out;
  if (pipe && fgets(buf.data(), buf.size(), pipe.get())) out = buf.data();
  return out.substr(0, out.find(' '));
}

const std::map<std::string, std::string> kAuth{{"Authorization", "TargetToken secret-1"}};
const std::string kController = "/DEFAULT/controller/v1/gw-1";

struct Bench {
  std::filesystem::path dir;
  std::filesystem::path image;
  DdiServer server{DdiServerOptions{}};
  explicit Bench(const std::string& name) : dir(scratch_dir(name)), image(dir / "release.swu") {
    std::ofstream(image, std::ios::binary) << std::string(3000, 'x') << "end";
    server.add_controller("gw-1", "secret-1");
  }
  ~Bench() { std::filesystem::remove_all(dir); }
  HttpReply get(const std::string& path, const std::string& method = "GET",
                const std::map<std::string, std::string>& extra = {}) {
    auto headers = kAuth;
    headers.insert(extra.begin(), extra.end());
    return http_exchange(server.port(), method, path, headers);
  }
  HttpReply post(const std::string& path, const std::string& body, const std::string& method = "POST") {
    return http_exchange(server.port(), method, path, kAuth, body);
  }
};

std::string feedback(const std::string& execution, const std::string& finished) {
  return json{{"id", "1"},
              {"time", "20260101T000000"},
              {"status", {{"execution", execution}, {"result", {{"finished", finished}, {"progress", {{"cnt", 1}, {"of", 2}}}}},
                          {"details", {"step " + execution}}}}}
      .dump();
}

}  // namespace

TEST_CASE("DDI server: a poll gives the sleep and, once offered, the deploymentBase link with hashes of the artifact") {
  Bench b("poll");
  HttpReply idle = b.get(kController);
  REQUIRE(idle.status == 200);
  json body = json::parse(idle.body);
  CHECK(body["config"]["polling"]["sleep"] == "00:00:01");  // the default polling_sleep, 1 s
  CHECK_FALSE(body["_links"].contains("deploymentBase"));
  CHECK(body["_links"]["configData"]["href"] == b.server.base_url() + kController + "/configData");

  DdiDeployment d;
  d.chunk_version = "1.1.0";
  d.update = DdiHandling::kAttempt;
  d.maintenance_window = DdiMaintenanceWindow::kAvailable;
  d.artifacts = {b.image};
  const std::string action = b.server.offer("gw-1", d);
  body = json::parse(b.get(kController).body);
  const std::string href = body["_links"]["deploymentBase"]["href"];
  CHECK(href.rfind(b.server.base_url() + kController + "/deploymentBase/" + action, 0) == 0);

  HttpReply base = b.get(href.substr(b.server.base_url().size()));
  REQUIRE(base.status == 200);
  const json deployment = json::parse(base.body);
  CHECK(deployment["id"] == action);
  CHECK(deployment["deployment"]["update"] == "attempt");
  CHECK(deployment["deployment"]["download"] == "forced");
  CHECK(deployment["deployment"]["maintenanceWindow"] == "available");
  const json chunk = deployment["deployment"]["chunks"][0];
  CHECK(chunk["version"] == "1.1.0");
  const json artifact = chunk["artifacts"][0];
  CHECK(artifact["filename"] == "release.swu");
  CHECK(artifact["size"] == 3003);  // 3000 'x' and "end"
  const std::string file = b.image.string();
  CHECK(artifact["hashes"]["sha1"] == first_word_of("sha1sum " + file));
  CHECK(artifact["hashes"]["md5"] == first_word_of("md5sum " + file));
  CHECK(artifact["hashes"]["sha256"] == first_word_of("sha256sum " + file));

  const DdiControllerStatus s = b.server.status("gw-1");
  CHECK(s.phase == DdiPhase::kOffered);
  CHECK(s.polls == 2);
  CHECK(s.deployment_fetches == 1);
  CHECK(s.link_polled_at.has_value());
}

TEST_CASE("DDI server: artifact HEAD and Range, then feedback moves the action to succeeded and later feedback is 410") {
  Bench b("flow");
  DdiDeployment d;
  d.artifacts = {b.image};
  const std::string action = b.server.offer("gw-1", d);
  const std::string artifact = kController + "/softwaremodules/" + action + "/artifacts/release.swu";
  HttpReply head = b.get(artifact, "HEAD");
  CHECK(head.status == 200);
  CHECK(head.headers["content-length"] == "3003");
  CHECK(b.server.status("gw-1").phase == DdiPhase::kDownloading);
  // bytes=3000- is the last three bytes, "end".
  HttpReply tail = b.get(artifact, "GET", {{"Range", "bytes=3000-"}});
  CHECK(tail.status == 206);
  CHECK(tail.body == "end");
  CHECK(b.get(kController + "/softwaremodules/" + action + "/artifacts/other.swu").status == 404);

  const std::string fb = kController + "/deploymentBase/" + action + "/feedback";
  CHECK(b.post(fb, feedback("proceeding", "none")).status == 200);
  CHECK(b.server.status("gw-1").phase == DdiPhase::kDownloading);
  CHECK(b.post(fb, feedback("closed", "success")).status == 200);
  const DdiControllerStatus s = b.server.status("gw-1");
  CHECK(s.phase == DdiPhase::kSucceeded);
  CHECK(s.progress_cnt == 1);
  CHECK(s.progress_of == 2);
  CHECK(s.details == std::vector<std::string>{"step proceeding", "step closed"});
  CHECK(s.artifact_heads == 1);
  CHECK(s.artifact_ranges == std::vector<std::string>{"bytes=3000-"});
  // The transcript has the statuses the agent received (206 for the range), not the handler's 200.
  // It is logged once the file went out, so wait (bounded) for it.
  CHECK(b.server.wait_until(
      "gw-1", [](const DdiControllerStatus& c) { return c.transcript.find("< 206 <file release.swu>") != std::string::npos; },
      std::chrono::seconds(5)));
  const std::string transcript = b.server.status("gw-1").transcript;
  INFO(transcript);
  CHECK(transcript.find("< 200 <file release.swu>") != std::string::npos);  // the HEAD
  CHECK(b.post(fb, feedback("closed", "failure")).status == 410);  // the action is over
  CHECK(b.server.status("gw-1").phase == DdiPhase::kSucceeded);
  // The poll no longer links the deployment.
  CHECK_FALSE(json::parse(b.get(kController).body)["_links"].contains("deploymentBase"));
}

TEST_CASE("DDI server: cancel links cancelAction with the stopId and its closed/success feedback cancels the action") {
  Bench b("cancel");
  DdiDeployment d;
  d.artifacts = {b.image};
  const std::string action = b.server.offer("gw-1", d);
  REQUIRE(b.server.cancel("gw-1"));
  const json poll = json::parse(b.get(kController).body);
  CHECK_FALSE(poll["_links"].contains("deploymentBase"));
  const std::string href = poll["_links"]["cancelAction"]["href"];
  const std::string path = href.substr(b.server.base_url().size());
  const json cancel = json::parse(b.get(path).body);
  CHECK(cancel["cancelAction"]["stopId"] == action);
  CHECK(b.server.status("gw-1").phase == DdiPhase::kCancelling);
  CHECK(b.post(path + "/feedback", feedback("closed", "success")).status == 200);
  CHECK(b.server.status("gw-1").phase == DdiPhase::kCanceled);
  CHECK_FALSE(b.server.cancel("gw-1"));  // nothing open any more
}

TEST_CASE("DDI server: an agent that refuses the cancellation keeps its action going") {
  Bench b("cancel-refused");
  DdiDeployment d;
  d.artifacts = {b.image};
  b.server.offer("gw-1", d);
  b.get(kController + "/softwaremodules/1/artifacts/release.swu", "HEAD");
  REQUIRE(b.server.cancel("gw-1"));
  const std::string href = json::parse(b.get(kController).body)["_links"]["cancelAction"]["href"];
  CHECK(b.post(href.substr(b.server.base_url().size()) + "/feedback", feedback("rejected", "none")).status == 200);
  CHECK(b.server.status("gw-1").phase == DdiPhase::kDownloading);
}

TEST_CASE("DDI server: tokens are checked and 401 is counted") {
  Bench b("auth");
  CHECK(http_exchange(b.server.port(), "GET", kController).status == 401);
  CHECK(http_exchange(b.server.port(), "GET", kController, {{"Authorization", "TargetToken wrong"}}).status == 401);
  CHECK(http_exchange(b.server.port(), "GET", kController, {{"Authorization", "GatewayToken secret-1"}}).status == 401);
  const DdiControllerStatus s = b.server.status("gw-1");
  CHECK(s.unauthorized == 3);
  CHECK(s.polls == 0);  // refused requests are no polls

  DdiServerOptions gateway;
  gateway.gateway_token = "gw-secret";
  DdiServer g(gateway);
  g.add_controller("gw-2", "");
  CHECK(http_exchange(g.port(), "GET", "/DEFAULT/controller/v1/gw-2", {{"Authorization", "GatewayToken gw-secret"}}).status == 200);
  CHECK(http_exchange(g.port(), "GET", "/DEFAULT/controller/v1/gw-2").status == 401);
}

TEST_CASE("DDI server: beyond loopback a controller without a token is refused at set-up") {
  DdiServerOptions open;
  open.listen = "0.0.0.0:0";
  DdiServer server(open);
  CHECK_THROWS_WITH(server.add_controller("gw-1", ""), Catch::Contains("give the board a \"token\" in boards.json"));
  CHECK_NOTHROW(server.add_controller("gw-2", "t"));
}

TEST_CASE("DDI server: bad requests get 4xx with a reason and change nothing") {
  Bench b("bad");
  DdiDeployment d;
  d.artifacts = {b.image};
  const std::string action = b.server.offer("gw-1", d);
  const std::string fb = kController + "/deploymentBase/" + action + "/feedback";
  CHECK(b.post(fb, "{not json").status == 400);
  CHECK(b.post(fb, R"({"status": {"execution": "exploded"}})").status == 400);
  CHECK(b.post(fb, R"({"status": {"execution": "closed", "result": {"finished": 7}}})").status == 400);
  CHECK(b.post(fb, "[]").status == 400);
  CHECK(b.post(kController + "/configData", R"({"data": 5})", "PUT").status == 400);
  CHECK(b.post(kController + "/deploymentBase/999/feedback", feedback("closed", "success")).status == 404);
  CHECK(b.get("/OTHER/controller/v1/gw-1").status == 404);
  CHECK(b.get("/DEFAULT/controller/v1/nobody").status == 404);
  CHECK(b.get("/DEFAULT/rootcontroller/v1/gw-1").status == 404);
  CHECK(b.post(kController, "{}").status == 405);
  CHECK(http_exchange(b.server.port(), "POST", fb, kAuth, std::string(70 * 1024, ' ')).status == 413);  // over 64 KiB
  const DdiControllerStatus s = b.server.status("gw-1");
  CHECK(s.phase == DdiPhase::kOffered);
  CHECK(s.feedbacks == 0);
  CHECK(b.post(kController + "/configData", R"({"mode": "merge", "data": {"hw": "1.0"}})", "PUT").status == 200);
  CHECK(b.server.status("gw-1").config_data == json{{"hw", "1.0"}});
  CHECK_THROWS_AS(b.server.offer("gw-1", d), std::logic_error);  // action 1 is still open
}

namespace {

// Sends raw bytes and returns what comes back (bounded by a 10 s receive timeout).
std::string raw_exchange(std::uint16_t port, const std::string& bytes) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, size_t(n));
  }
  close(fd);
  return out;
}

// Closed without an answer, or answered with a 4xx status (civetweb says HTTP/1.0 for requests it
// could not parse).
bool refused(const std::string& reply) {
  return reply.empty() || (reply.rfind("HTTP/1.", 0) == 0 && reply.size() > 9 && reply[9] == '4');
}

}  // namespace

TEST_CASE("DDI server: malformed HTTP, oversized headers and path tricks are refused and the server keeps serving") {
  Bench b("malformed");
  DdiDeployment d;
  d.artifacts = {b.image};
  const std::string action = b.server.offer("gw-1", d);
  // Not HTTP at all, and a request line without a version: civetweb answers 400 or closes.
  for (const std::string& junk : {std::string("\x16\x03\x01\x02\x00garbage\r\n\r\n"), std::string("GET /\r\n\r\n"),
                                  std::string("GET / HTTP/1.1\r\nContent-Length: -5\r\n\r\n")}) {
    const std::string reply = raw_exchange(b.server.port(), junk);
    INFO(reply.substr(0, 200));
    INFO(reply.substr(0, 200));
  CHECK(refused(reply));
  }
  // A header block over civetweb's 16 KiB request limit.
  const std::string huge = "GET " + kController + " HTTP/1.1\r\nX-Pad: " + std::string(20'000, 'a') + "\r\n\r\n";
  const std::string reply = raw_exchange(b.server.port(), huge);
  INFO(reply.substr(0, 200));
  CHECK(refused(reply));
  // A body announced beyond the limit is refused before it is sent.
  CHECK(http_exchange(b.server.port(), "POST", kController + "/deploymentBase/" + action + "/feedback",
                      {{"Authorization", "TargetToken secret-1"}, {"Content-Length", "999999999"}})
            .status == 413);
  // Only the offered artifact's own name is served: no path outside it.
  const std::string module = kController + "/softwaremodules/" + action + "/artifacts/";
  CHECK(b.get(module + "..%2F..%2F..%2Fetc%2Fpasswd").status == 404);
  CHECK(b.get(module + "../../../../etc/passwd").status == 404);
  // Still serving, and none of this counted as the controller's requests.
  CHECK(b.get(kController).status == 200);
  const DdiControllerStatus s = b.server.status("gw-1");
  CHECK(s.polls == 1);
  CHECK(s.feedbacks == 0);
  CHECK(s.artifact_gets == 0);
}
