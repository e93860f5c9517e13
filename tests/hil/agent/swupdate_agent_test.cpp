// The real SWUpdate agent (Debian's swupdate 2022.12, suricatta's hawkBit backend) against
// fleetsim's DDI server, in the sandbox of hil/agent/swupdate_sandbox.sh, with signed images
// built by hil/agent/make_swu.sh from keys made at test time. Every wait is bounded; the server
// listens on a free port of 127.0.0.1. Expected outcomes are the DDI feedback the agent sends
// and the files its handler wrote (or did not), compared with the bytes put into the image.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "hil/agent/ddi_server.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/free_port.hpp"
#include "tests/hil/agent/swupdate_board.hpp"

using namespace fleetsim;
using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

constexpr auto kFirstPoll = 15s;  // the agent polls 0.15 s after start-up on this machine
constexpr auto kCycle = 60s;      // an update cycle takes 3 s here; 20 times that before failing

bool closed(const DdiControllerStatus& s) {
  return s.phase == DdiPhase::kSucceeded || s.phase == DdiPhase::kFailed || s.phase == DdiPhase::kCanceled;
}

struct SwupdateBench {
  std::filesystem::path dir;
  std::string payload_text;
  DdiServer server;

  explicit SwupdateBench(const std::string& name, DdiServerOptions options = {})
      : dir(std::filesystem::temp_directory_path() / ("fleetsim-swupdate-" + name + "-" + std::to_string(::getpid()))),
        server(options) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    REQUIRE(std::system((kAgentScripts + "make_swu.sh keys " + (dir / "keys").string()).c_str()) == 0);
    server.add_controller("gw-1", "token-gw-1");
  }
  ~SwupdateBench() { std::filesystem::remove_all(dir); }

  // A signed image whose payload is `bytes` (written to a file first), with make_swu.sh's `flags`.
  std::filesystem::path image(const std::string& name, const std::string& bytes, const std::string& flags = "") {
    const auto payload = dir / (name + ".payload");
    std::ofstream(payload, std::ios::binary) << bytes;
    const auto out = dir / (name + ".swu");
    const std::string cmd = kAgentScripts + "make_swu.sh image --out " + out.string() + " --keys " + (dir / "keys").string() +
                            " --version 1.1.0 --payload " + payload.string() + " " + flags;
    REQUIRE(std::system(cmd.c_str()) == 0);
    return out;
  }

  std::vector<std::string> board_args(const std::string& token = "token-gw-1") const {
    return {"--url", server.base_url(), "--id", "gw-1", "--cert", (dir / "keys/cert.pem").string(), "--token", token};
  }

  void wait_first_poll() {
    REQUIRE(server.wait_until("gw-1", [](const DdiControllerStatus& s) { return s.polls > 0; }, kFirstPoll));
  }

  DdiControllerStatus run_to_close(const std::filesystem::path& swu, DdiHandling update = DdiHandling::kForced) {
    DdiDeployment d;
    d.chunk_version = "1.1.0";
    d.update = update;
    d.artifacts = {swu};
    server.offer("gw-1", d);
    const bool done = server.wait_until("gw-1", closed, kCycle);
    const DdiControllerStatus s = server.status("gw-1");
    INFO(s.transcript);
    REQUIRE(done);
    return s;
  }
};

// `fleetsim hil flash gw-1 IMAGE` with an agent board in boards.json, the board a sandbox
// started first (it retries until fleetsim listens).
Cli hil_flash_agent_board(const SwupdateBench& b, const std::filesystem::path& swu, const std::vector<std::string>& board_flags) {
  const std::uint16_t port = free_port();
  std::ofstream(b.dir / "boards.json")
      << R"({"boards": [{"id": "gw-1", "agent": "swupdate", "stands_for": "eth-gateway", "token": "token-gw-1"}]})";
  std::vector<std::string> args{"--url", "http://127.0.0.1:" + std::to_string(port), "--id", "gw-1", "--cert",
                                (b.dir / "keys/cert.pem").string(), "--token", "token-gw-1"};
  args.insert(args.end(), board_flags.begin(), board_flags.end());
  SwupdateBoard board(b.dir / "cli-board", args);
  return run_fleetsim("hil flash gw-1 " + shell_quote(swu) + " --boards " + shell_quote(b.dir / "boards.json") +
                      " --listen 127.0.0.1:" + std::to_string(port) + " --poll-timeout 30 --update-timeout 60 --transcript " +
                      shell_quote(b.dir / "transcript.txt"));
}

bool has_detail(const DdiControllerStatus& s, const std::string& text) {
  for (const auto& d : s.details)
    if (d.find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("SWUpdate agent: a good image installs, the reboot confirms it and the agent reports closed/success") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("good");
  const std::string bytes = "release 1.1.0 for gw-1\n";
  const auto swu = b.image("good", bytes);
  SwupdateBoard board(b.dir / "board", b.board_args());
  b.wait_first_poll();
  const DdiControllerStatus s = b.run_to_close(swu);
  INFO(s.transcript << board.board_log());
  CHECK(s.phase == DdiPhase::kSucceeded);
  CHECK(s.last_execution == "closed");
  CHECK(s.last_finished == "success");
  CHECK(s.artifact_heads >= 1);  // HEAD, then the streamed GET
  CHECK(s.artifact_gets >= 1);
  CHECK(has_detail(s, "All Chunks Installed."));
  // closed/success only after the reboot: the board log shows the confirmed boot.
  CHECK(board.board_log().find("passes its health check: commit, confirm success") != std::string::npos);
  CHECK(read_text(board.payload()) == bytes);
  CHECK(s.link_polled_at <= s.deployment_fetched_at);
  CHECK(s.deployment_fetched_at <= s.download_started_at);
  CHECK(s.download_started_at <= s.closed_at);
}

TEST_CASE("SWUpdate agent: a failing post-install script is reported as closed/failure with the script's error") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("fail-install");
  const auto swu = b.image("bad", "payload\n", "--fail-install");
  SwupdateBoard board(b.dir / "board", b.board_args());
  b.wait_first_poll();
  const DdiControllerStatus s = b.run_to_close(swu);
  INFO(s.transcript);
  CHECK(s.phase == DdiPhase::kFailed);
  CHECK(s.last_finished == "failure");
  CHECK(has_detail(s, "post-install script fails on purpose"));  // make_swu.sh's script, in proceeding feedback
  CHECK(board.board_log().find("reboot requested") == std::string::npos);  // no reboot after a failed install
}

TEST_CASE("SWUpdate agent: a wrong sha256 in sw-description fails the install and nothing is written") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("wrong-sha");
  const auto swu = b.image("badsha", "payload\n", "--wrong-sha256");
  SwupdateBoard board(b.dir / "board", b.board_args());
  b.wait_first_poll();
  const DdiControllerStatus s = b.run_to_close(swu);
  INFO(s.transcript);
  CHECK(s.phase == DdiPhase::kFailed);
  CHECK(has_detail(s, "HASH mismatch"));
  CHECK_FALSE(std::filesystem::exists(board.payload()));
}

TEST_CASE("SWUpdate agent: an image that fails its health check after the reboot is reverted and reported as failure") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("fail-health");
  const auto swu = b.image("unhealthy", "unhealthy release\n");
  auto args = b.board_args();
  args.push_back("--fail-health");
  SwupdateBoard board(b.dir / "board", args);
  b.wait_first_poll();
  const DdiControllerStatus s = b.run_to_close(swu);
  INFO(s.transcript << board.board_log());
  CHECK(s.phase == DdiPhase::kFailed);
  CHECK(has_detail(s, "All Chunks Installed."));  // it did install: a revert, not an install failure
  CHECK(board.board_log().find("fails its health check: revert") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(board.payload()));  // the board had no payload before
}

TEST_CASE("SWUpdate agent: update skip closes with success and downloads nothing") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("skip");
  const auto swu = b.image("skip", "payload\n");
  SwupdateBoard board(b.dir / "board", b.board_args());
  b.wait_first_poll();
  const DdiControllerStatus s = b.run_to_close(swu, DdiHandling::kSkip);
  INFO(s.transcript);
  CHECK(s.phase == DdiPhase::kSucceeded);
  CHECK(s.artifact_heads == 0);
  CHECK(s.artifact_gets == 0);
  CHECK_FALSE(std::filesystem::exists(board.payload()));
}

TEST_CASE("SWUpdate agent: a cancelled action mid-download is acknowledged on cancelAction") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  DdiServerOptions slow;
  slow.throttle_bytes_per_s = 40'000;  // a 200 KB image takes 5 s to stream
  SwupdateBench b("cancel", slow);
  const auto swu = b.image("big", std::string(200'000, 'c'));
  SwupdateBoard board(b.dir / "board", b.board_args());
  b.wait_first_poll();
  DdiDeployment d;
  d.artifacts = {swu};
  b.server.offer("gw-1", d);
  REQUIRE(b.server.wait_until("gw-1", [](const DdiControllerStatus& s) { return s.artifact_gets > 0; }, kCycle));
  REQUIRE(b.server.cancel("gw-1"));
  const bool done = b.server.wait_until("gw-1", closed, kCycle);
  const DdiControllerStatus s = b.server.status("gw-1");
  INFO(s.transcript);
  REQUIRE(done);
  CHECK(s.phase == DdiPhase::kCanceled);
  CHECK(has_detail(s, "cancellation acknowledged"));
  CHECK(s.transcript.find("/cancelAction/") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(board.payload()));
}

TEST_CASE("SWUpdate agent: killed mid-download, it resumes from its cache with a Range request and installs") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  DdiServerOptions slow;
  slow.throttle_bytes_per_s = 40'000;
  SwupdateBench b("resume", slow);
  std::string bytes;
  for (int i = 0; i < 200'000; ++i) bytes += char('a' + (i * 7) % 26);
  const auto swu = b.image("big", bytes);
  auto args = b.board_args();
  args.insert(args.end(), {"--die-after-bytes", "60000"});
  SwupdateBoard board(b.dir / "board", args);
  b.wait_first_poll();
  const DdiControllerStatus s = b.run_to_close(swu);
  INFO(s.transcript << board.board_log());
  CHECK(s.phase == DdiPhase::kSucceeded);
  REQUIRE(s.artifact_ranges.size() >= 2);
  CHECK(s.artifact_ranges.front().empty());  // the first download from the start
  // The resumed GET asks for the bytes after those the killed agent had streamed in.
  const std::string log = board.board_log();
  const std::string killed_at = "killed mid-download at ";
  const auto at = log.find(killed_at);
  REQUIRE(at != std::string::npos);
  const long streamed = std::stol(log.substr(at + killed_at.size()));
  CHECK(streamed >= 60000);
  CHECK(s.artifact_ranges.back() == "bytes=" + std::to_string(streamed) + "-");
  CHECK(read_text(board.payload()) == bytes);
}

TEST_CASE("SWUpdate agent: a wrong token gets 401 and never a deployment") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("token");
  SwupdateBoard board(b.dir / "board", b.board_args("not-the-token"));
  REQUIRE(b.server.wait_until("gw-1", [](const DdiControllerStatus& s) { return s.unauthorized >= 2; }, kFirstPoll));
  const DdiControllerStatus s = b.server.status("gw-1");
  CHECK(s.polls == 0);
  CHECK(s.transcript.find("< 401") != std::string::npos);
}

TEST_CASE("fleetsim hil flash of a swupdate agent board exits 0 after the confirmed update and writes the transcript") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("cli-good");
  const std::string bytes = "release via fleetsim hil flash\n";
  const Cli r = hil_flash_agent_board(b, b.image("good", bytes), {});
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("gw-1: updated with good.swu") != std::string::npos);
  CHECK(r.output.find("action 1 succeeded; poll with the link +") != std::string::npos);
  const std::string transcript = read_text(b.dir / "transcript.txt");
  CHECK(transcript.find("\"execution\": \"closed\"") != std::string::npos);
  CHECK(transcript.find("\"finished\": \"success\"") != std::string::npos);
  CHECK(read_text(b.dir / "cli-board/mnt/fleetsim/payload.bin") == bytes);
}

TEST_CASE("fleetsim hil flash of a swupdate agent board exits 1 when the board reverts the image") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("cli-revert");
  const Cli r = hil_flash_agent_board(b, b.image("unhealthy", "x\n"), {"--fail-health"});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("gw-1: update reverted: the new image failed after its reboot") != std::string::npos);
}

TEST_CASE("fleetsim hil flash of a swupdate agent board exits 1 when the install fails, not calling it a revert") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  SwupdateBench b("cli-fail");
  const Cli r = hil_flash_agent_board(b, b.image("bad", "x\n", "--fail-install"), {});
  INFO(r.output);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("gw-1: update failed (") != std::string::npos);
  CHECK(r.output.find("reverted") == std::string::npos);
}

TEST_CASE("fleetsim hil probe of an agent board that never polls exits 3 saying what to check") {
  TempDir dir;
  std::ofstream(dir / "boards.json") << R"({"boards": [{"id": "gw-1", "agent": "swupdate", "stands_for": "eth-gateway"}]})";
  const Cli r = run_fleetsim("hil probe gw-1 --boards " + shell_quote(dir / "boards.json") + " --listen 127.0.0.1:" +
                             std::to_string(free_port()) + " --poll-timeout 0.5");
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("board gw-1 did not poll within 0.5 s: no request from gw-1 at http://127.0.0.1:") != std::string::npos);
}

TEST_CASE("SWUpdate agent in a network namespace of its own reaches the server through socat and installs") {
  FLEETSIM_SKIP_WITHOUT_SWUPDATE();
  if (std::system("command -v socat >/dev/null 2>&1 && unshare -m -n true >/dev/null 2>&1") != 0) {
    WARN("SWUpdate --own-network test skipped: needs socat and unshare -n");
    return;
  }
  SwupdateBench b("own-network");
  const std::string bytes = "release in a network namespace\n";
  const auto swu = b.image("good", bytes);
  auto args = b.board_args();
  args.push_back("--own-network");
  SwupdateBoard board(b.dir / "board", args);
  b.wait_first_poll();
  const DdiControllerStatus s = b.run_to_close(swu);
  INFO(s.transcript << board.board_log() << board.agent_log());
  CHECK(s.phase == DdiPhase::kSucceeded);
  CHECK(read_text(board.payload()) == bytes);
  CHECK(std::filesystem::exists(b.dir / "board/net.sock"));  // the host's end of the forwarding
}
