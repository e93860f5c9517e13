// `fleetsim hil probe|flash` of a mender agent board, end to end: the fleetsim binary serves the
// Mender device API, the real mender-client 3.4 runs in hil/mender/mender-sandbox, artifacts are
// built by the real mender-artifact. What the client installed (the sandbox's files) and the exit
// code are the evidence. The sandbox starts first and retries until fleetsim listens.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "tests/cli_runner.hpp"
#include "tests/hil/free_port.hpp"
#include "tests/hil/mender_sandbox.hpp"

using namespace fleetsim::testing;

namespace {

constexpr const char* kDeviceType = "fleetsim-linux";

struct MenderFlash {
  TempDir dir;
  std::uint16_t port = free_port();
  MenderFlash() {
    std::ofstream(dir.path / "boards.json")
        << R"({"boards": [{"id": "gw-1", "agent": "mender", "stands_for": "eth-gateway"}]})";
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
  // The bounds only keep a broken client from hanging the test: a whole cycle takes seconds.
  Cli flash(const std::filesystem::path& artifact) const {
    return run_fleetsim("hil flash gw-1 " + shell_quote(artifact) + " --boards " + shell_quote(dir.path / "boards.json") +
                        " --listen 127.0.0.1:" + std::to_string(port) +
                        " --poll-timeout 30 --update-timeout 90 --transcript " + shell_quote(dir.path / "transcript.txt"));
  }
};

}  // namespace

TEST_CASE("fleetsim hil flash of a mender agent board exits 0 once the client reports success, and writes the transcript",
          "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  MenderFlash f;
  const auto artifact = write_single_file_artifact(f.dir.path, "release-2", kDeviceType, "app.conf", "threshold=42\n");
  MenderSandbox board(f.dir.path / "gw-1", f.url(), "gw-1");
  const auto start = std::chrono::steady_clock::now();
  const Cli r = f.flash(artifact);
  WARN("flash to exit: " << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s\n"
                         << r.output);
  INFO(board.log().substr(0, 20000));
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("gw-1: updated with release-2.mender") != std::string::npos);
  CHECK(r.output.find("deployment-1 succeeded; downloading +") != std::string::npos);
  // The single-file module wrote the payload: the client really installed it.
  CHECK(slurp((f.dir.path / "gw-1/etc/fleetsim-target/app.conf").string()) == "threshold=42\n");
  const std::string transcript = slurp((f.dir.path / "transcript.txt").string());
  CHECK(transcript.find("/deployment-1/status → 204 success") != std::string::npos);
  CHECK(transcript.find("GET /fleetsim/artifacts/") != std::string::npos);
}

TEST_CASE("fleetsim hil flash of a mender agent board exits 1 when the install fails, not calling it a revert",
          "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  MenderFlash f;
  const auto artifact = write_single_file_artifact(f.dir.path, "release-2", kDeviceType, "app.conf", "x\n");
  MenderSandbox board(f.dir.path / "gw-1", f.url(), "gw-1", {"--fail-install"});
  const Cli r = f.flash(artifact);
  INFO(r.output);
  INFO(board.log().substr(0, 20000));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("gw-1: update failed (") != std::string::npos);
  CHECK(r.output.find("reverted") == std::string::npos);
  // The client's log lines that say why: the module's stderr and the client's error.
  CHECK(r.output.find("info: Output (stderr) from command \"/usr/share/mender/modules/v3/single-file\"") != std::string::npos);
  CHECK(r.output.find("error: Update module terminated abnormally: exit status 1") != std::string::npos);
}

TEST_CASE("fleetsim hil flash of a mender agent board exits 1 as a revert when the image fails after its reboot",
          "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();
  MenderFlash f;
  const auto artifact = write_image_artifact(f.dir.path, "image-2", kDeviceType, "image 2\n");
  MenderSandbox board(f.dir.path / "gw-1", f.url(), "gw-1", {"--fail-after-reboot"});
  const Cli r = f.flash(artifact);
  INFO(r.output);
  INFO(board.log().substr(0, 20000));
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("gw-1: update reverted: the new image failed after its reboot") != std::string::npos);
  CHECK(r.output.find("rebooting +") != std::string::npos);
  CHECK(r.output.find("fails its health check") != std::string::npos);  // the module's error, from the client's log
  // Rolled back: the new image is not the active slot.
  CHECK(slurp((f.dir.path / "gw-1/etc/fleetsim-slots/active").string()) != "image 2\n");
}

TEST_CASE("fleetsim hil flash and probe of a mender agent board that never polls exit 3 within the bound saying what to check",
          "[hil][mender]") {
  MenderFlash f;
  const auto start = std::chrono::steady_clock::now();
  const Cli r = run_fleetsim("hil probe gw-1 --boards " + shell_quote(f.dir.path / "boards.json") + " --listen 127.0.0.1:" +
                             std::to_string(f.port) + " --poll-timeout 0.5");
  const double probe_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("board gw-1 did not poll within 0.5 s: no request from gw-1 at http://127.0.0.1:") !=
        std::string::npos);
  CHECK(probe_s < 10);  // 0.5 s and the process's start and stop
}

TEST_CASE("fleetsim hil flash of a mender agent board exits 3 when it never polls, and 2 for a file that is no artifact",
          "[hil][mender]") {
  FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX();  // for mender-artifact
  MenderFlash f;
  const auto artifact = write_single_file_artifact(f.dir.path, "release-2", kDeviceType, "app.conf", "x\n");
  const std::string rest = " --boards " + shell_quote(f.dir.path / "boards.json") + " --listen 127.0.0.1:" +
                           std::to_string(f.port) + " --poll-timeout 0.5";
  const auto start = std::chrono::steady_clock::now();
  const Cli r = run_fleetsim("hil flash gw-1 " + shell_quote(artifact) + rest);
  const double flash_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  INFO(r.output);
  CHECK(r.exit_code == 3);
  CHECK(r.output.find("board gw-1 did not poll within 0.5 s") != std::string::npos);
  CHECK(flash_s < 10);
  std::ofstream(f.dir.path / "junk.mender") << "not an artifact\n";
  const Cli junk = run_fleetsim("hil flash gw-1 " + shell_quote(f.dir.path / "junk.mender") + rest);
  INFO(junk.output);
  CHECK(junk.exit_code == 2);
  CHECK(junk.output.find("is not a Mender artifact") != std::string::npos);
}
