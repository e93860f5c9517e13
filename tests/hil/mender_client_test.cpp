// The Mender device API against the real mender-client 3.4 (Debian's mender-client, daemon mode,
// single-file update module) in hil/mender/mender-sandbox, with artifacts built by the real
// mender-artifact: what the client reports and what it wrote are the evidence, not fleetsim's
// own view. Every wait is bounded; the server listens on a free port of 127.0.0.1.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "hil/mender/mender_device_api.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/mender_sandbox.hpp"

using namespace fleetsim;
using namespace fleetsim::hil::mender;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

constexpr const char* kDeviceType = "fleetsim-linux";
// Start-up to the first poll takes well under a second and a whole cycle about half a second on
// this machine; the bound only keeps a broken client from hanging the test.
constexpr auto kBound = 60s;

// A server with board gw-1 admitted under the identity the sandbox's identity script prints.
struct MenderBench {
  TempDir dir;
  MenderDeviceApi api{MenderApiOptions{}};
  MenderBench() { api.admit("gw-1", {{"fleetsim_board", "gw-1"}}); }
  MenderArtifact artifact(const std::string& name, const std::string& payload) {
    return {write_single_file_artifact(dir.path, name, kDeviceType, "app.conf", payload), name, {kDeviceType}};
  }
  bool finished(const std::string& id) const { return is_finished(api.deployment(id)->status); }
};

}  // namespace

TEST_CASE("mender-client in a sandbox installs a good artifact and reports success", "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  MenderBench bench;
  MenderSandbox board(bench.dir.path / "gw-1", bench.api.url(), "gw-1");
  // The client authenticates with a key it generated itself: only a correct signature gets a token.
  REQUIRE(wait_until([&] { return bench.api.authenticated("gw-1"); }, kBound));
  REQUIRE(wait_until([&] { return !bench.api.provides("gw-1").is_null(); }, kBound));
  CHECK(bench.api.provides("gw-1").value("artifact_name", "") == "fleetsim-initial");

  const std::string id = bench.api.deploy("gw-1", bench.artifact("release-2", "threshold=42\n"));
  const auto start = std::chrono::steady_clock::now();
  INFO(bench.api.transcript("gw-1"));
  const bool done = wait_until([&] { return bench.finished(id); }, kBound);
  INFO(board.log().substr(0, 20000));
  REQUIRE(done);
  const double cycle_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("deploy to success: " << cycle_s << " s\n" << bench.api.transcript("gw-1"));

  const MenderDeploymentView view = *bench.api.deployment(id);
  CHECK(view.status == DeploymentStatus::success);
  // mender-client 3.4's order for an update module that needs no reboot (app/state.go).
  CHECK(view.reported == std::vector<std::string>{"downloading", "installing", "success"});
  // The single-file module wrote the payload where the artifact's dest_dir says.
  CHECK(slurp((bench.dir.path / "gw-1/etc/fleetsim-target/app.conf").string()) == "threshold=42\n");
  // And the client itself now says it runs release-2 (its next poll's device_provides).
  CHECK(wait_until([&] { return bench.api.provides("gw-1").value("artifact_name", "") == "release-2"; }, kBound));
  const std::string transcript = bench.api.transcript("gw-1");
  CHECK(transcript.find("POST /api/devices/v1/authentication/auth_requests → 200") != std::string::npos);
  CHECK(transcript.find("GET /fleetsim/artifacts/") != std::string::npos);

  // A restarted sandbox (the board's "reboot") keeps its key and what it installed.
  board.stop();
  const size_t lines_before = bench.api.transcript("gw-1").size();
  MenderSandbox restarted(bench.dir.path / "gw-1", bench.api.url(), "gw-1");
  CHECK(wait_until([&] { return bench.api.transcript("gw-1").find("next → 204", lines_before) != std::string::npos; }, kBound));
  CHECK(bench.api.provides("gw-1").value("artifact_name", "") == "release-2");
  CHECK(bench.api.transcript("gw-1").find("auth_requests → 401") == std::string::npos);  // the same, pinned key
}

TEST_CASE("mender-client in a sandbox reports failure when the install fails", "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  MenderBench bench;
  // --fail-install: the module's destination folder is a plain file, so its ArtifactInstall fails.
  MenderSandbox board(bench.dir.path / "gw-1", bench.api.url(), "gw-1", {"--fail-install"});
  REQUIRE(wait_until([&] { return bench.api.authenticated("gw-1"); }, kBound));

  const std::string id = bench.api.deploy("gw-1", bench.artifact("release-bad", "threshold=-1\n"));
  const bool done = wait_until([&] { return bench.finished(id); }, kBound);
  INFO(bench.api.transcript("gw-1"));
  INFO(board.log().substr(0, 20000));
  REQUIRE(done);
  const MenderDeploymentView view = *bench.api.deployment(id);
  CHECK(view.status == DeploymentStatus::failure);
  CHECK(view.reported == std::vector<std::string>{"downloading", "installing", "failure"});
  // The client uploads its deployment log after a failure: the module's error is in it.
  CHECK(wait_until([&] { return !bench.api.deployment(id)->log_messages.empty(); }, kBound));
  CHECK(bench.api.deployment(id)->log_messages.dump().find("ArtifactInstall") != std::string::npos);
  // Nothing was installed, and the client still runs its old artifact.
  CHECK(std::filesystem::is_regular_file(bench.dir.path / "gw-1/etc/fleetsim-target"));
  CHECK(wait_until([&] { return bench.api.provides("gw-1").value("artifact_name", "") == "fleetsim-initial"; }, kBound));
}

TEST_CASE("mender-client in a sandbox drops an aborted deployment and finds it gone on the next poll", "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  MenderBench bench;
  // The rollout aborts the deployment the moment the client reports it is downloading.
  bench.api.on_status_report([&](const std::string&, const std::string& id, const std::string& status) {
    if (status == "downloading") bench.api.abort(id);
  });
  MenderSandbox board(bench.dir.path / "gw-1", bench.api.url(), "gw-1");
  REQUIRE(wait_until([&] { return bench.api.authenticated("gw-1"); }, kBound));

  const std::string id = bench.api.deploy("gw-1", bench.artifact("release-3", "threshold=3\n"));
  REQUIRE(wait_until([&] { return bench.api.deployment(id)->status == DeploymentStatus::aborted; }, kBound));
  // The client's later polls get 204, it downloads and reports nothing more for the deployment.
  const auto polls_after = [&] {
    const std::string t = bench.api.transcript("gw-1");
    const size_t refused = t.find("status → 409");
    size_t count = 0;
    for (size_t at = t.find("deployments/next → 204", refused); refused != std::string::npos && at != std::string::npos;
         at = t.find("deployments/next → 204", at + 1))
      ++count;
    return count;
  };
  const bool polled = wait_until([&] { return polls_after() >= 2; }, kBound);
  const std::string transcript = bench.api.transcript("gw-1");
  INFO(transcript);
  INFO(board.log().substr(0, 20000));
  REQUIRE(polled);
  CHECK(bench.api.deployment(id)->reported.empty());  // "downloading" itself was refused with 409
  CHECK(transcript.find("GET /fleetsim/artifacts/") == std::string::npos);
  CHECK(!std::filesystem::exists(bench.dir.path / "gw-1/etc/fleetsim-target/app.conf"));
  CHECK(bench.api.provides("gw-1").value("artifact_name", "") == "fleetsim-initial");
}

TEST_CASE("mender-client in a sandbox reboots into a new image, and rolls back one that fails its health check after the reboot",
          "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  MenderBench bench;
  MenderSandbox board(bench.dir.path / "gw-1", bench.api.url(), "gw-1");
  REQUIRE(wait_until([&] { return bench.api.authenticated("gw-1"); }, kBound));
  const std::filesystem::path active = bench.dir.path / "gw-1/etc/fleetsim-slots/active";

  const std::string good = bench.api.deploy(
      "gw-1", {write_image_artifact(bench.dir.path, "image-2", kDeviceType, "image 2\n"), "image-2", {kDeviceType}});
  bool done = wait_until([&] { return bench.finished(good); }, kBound);
  INFO(bench.api.transcript("gw-1"));
  INFO(board.log().substr(0, 20000));
  REQUIRE(done);
  CHECK(bench.api.deployment(good)->status == DeploymentStatus::success);
  // The module asks for a reboot (NeedsArtifactReboot: Yes): the client reports it, and then
  // "installing" again for the commit (mender-client 3.4).
  CHECK(bench.api.deployment(good)->reported ==
        std::vector<std::string>{"downloading", "installing", "rebooting", "installing", "success"});
  CHECK(slurp(active.string()) == "image 2\n");

  // The next image boots but fails its health check (switched on while the client runs).
  std::ofstream(bench.dir.path / "gw-1/etc/fleetsim-health-fails");
  const std::string bad = bench.api.deploy(
      "gw-1", {write_image_artifact(bench.dir.path, "image-3", kDeviceType, "image 3\n"), "image-3", {kDeviceType}});
  done = wait_until([&] { return bench.finished(bad); }, kBound);
  REQUIRE(done);
  CHECK(bench.api.deployment(bad)->status == DeploymentStatus::failure);
  const std::vector<std::string> reported = bench.api.deployment(bad)->reported;
  INFO(bench.api.transcript("gw-1"));
  REQUIRE(reported.size() >= 4);
  CHECK(std::vector<std::string>(reported.begin(), reported.begin() + 3) ==
        std::vector<std::string>{"downloading", "installing", "rebooting"});
  CHECK(reported.back() == "failure");
  // Rolled back: image 2 is active again and the client still says it runs image-2.
  CHECK(slurp(active.string()) == "image 2\n");
  CHECK(wait_until([&] { return bench.api.provides("gw-1").value("artifact_name", "") == "image-2"; }, kBound));
  // mender-client 3.4 uploads the deployment log after it reported the failure: wait for it.
  CHECK(wait_until([&] { return bench.api.deployment(bad)->log_messages.dump().find("fails its health check") != std::string::npos; },
                   kBound));
}

TEST_CASE("mender-sandbox refuses a bad command line with exit 2, naming the argument, before touching anything", "[hil][mender]") {
  TempDir dir;
  const std::string sandbox = dir / "sb";
  const auto run = [&](const std::string& args) { return run_program(FLEETSIM_MENDER_SANDBOX, args); };
  const Cli no_server = run("--dir " + shell_quote(sandbox) + " --board gw-1");
  CHECK(no_server.exit_code == 2);
  CHECK(no_server.output.find("--server is missing") != std::string::npos);
  const Cli unknown = run("--dir " + shell_quote(sandbox) + " --bord gw-1");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown argument \"--bord\"") != std::string::npos);
  const Cli bad_board = run("--dir " + shell_quote(sandbox) + " --server http://127.0.0.1:1 --board 'gw 1'");
  CHECK(bad_board.exit_code == 2);
  CHECK(bad_board.output.find("--board \"gw 1\"") != std::string::npos);
  const Cli bad_poll = run("--dir " + shell_quote(sandbox) + " --server http://127.0.0.1:1 --board gw-1 --poll-seconds 0");
  CHECK(bad_poll.exit_code == 2);
  CHECK(bad_poll.output.find("--poll-seconds \"0\"") != std::string::npos);
  const Cli bad_url = run("--dir " + shell_quote(sandbox) + " --server 127.0.0.1:1 --board gw-1");
  CHECK(bad_url.exit_code == 2);
  CHECK(bad_url.output.find("not an http(s):// URL") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(sandbox));
  const Cli help = run("--help");
  CHECK(help.exit_code == 0);
  CHECK(help.output.find("--fail-install") != std::string::npos);
}

TEST_CASE("mender-client in a sandbox whose identity is not admitted gets 401 until it is, then a token", "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  TempDir dir;
  MenderDeviceApi api{MenderApiOptions{}};
  MenderSandbox board(dir.path / "gw-2", api.url(), "gw-2");
  // Its signed requests arrive and verify, but the identity is unknown: 401, recorded, no token.
  const std::string refused = "→ 401 identity {\"fleetsim_board\":\"gw-2\"} is not admitted";
  const bool asked = wait_until([&] { return api.unknown_transcript().find(refused) != std::string::npos; }, kBound);
  INFO(api.unknown_transcript());
  INFO(board.log().substr(0, 20000));
  REQUIRE(asked);
  CHECK_FALSE(api.authenticated("gw-2"));
  // Admitted later, the client's next attempt (it retries on its own) gets a token, then polls.
  api.admit("gw-2", {{"fleetsim_board", "gw-2"}});
  const auto admitted = std::chrono::steady_clock::now();
  CHECK(wait_until([&] { return !api.provides("gw-2").is_null(); }, kBound));
  WARN("admitted to first poll: "
       << std::chrono::duration<double>(std::chrono::steady_clock::now() - admitted).count() << " s");
  CHECK(api.transcript("gw-2").find("auth_requests → 200 token issued") != std::string::npos);
}
