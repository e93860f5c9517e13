// The real mender-client in hil/mender/mender-sandbox, started from tests: the sandbox process
// (its PID is mender's own) stopped with SIGTERM and a bounded wait, SIGKILL as a last resort;
// and single-file artifacts built with the real mender-artifact at test time.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "tests/cli_runner.hpp"

namespace fleetsim::testing {

// Why the real client cannot run on this machine ("" when it can): mender-sandbox --check
// (no mount namespace, no mender) or no mender-artifact.
inline std::string mender_sandbox_unavailable() {
  const Cli check = run_program(FLEETSIM_MENDER_SANDBOX, "--check");
  if (check.exit_code != 0) return check.output;
  if (run_program("mender-artifact", "--version").exit_code != 0) return "mender-artifact is not installed";
  return "";
}

// Ends a test early, with the reason as a warning, where the sandbox cannot run (Catch2 v2 has no skip).
#define FLEETSIM_SKIP_WITHOUT_MENDER_SANDBOX()                                            \
  if (const std::string why = fleetsim::testing::mender_sandbox_unavailable(); !why.empty()) { \
    WARN("the Mender sandbox cannot run here, the test is skipped: " << why);            \
    return;                                                                             \
  }

// A single-file artifact for the sandbox: PAYLOAD installed as /etc/mender/fleetsim-target/NAME.
inline std::filesystem::path write_single_file_artifact(const std::filesystem::path& dir, const std::string& artifact_name,
                                                        const std::string& device_type, const std::string& file_name,
                                                        const std::string& payload) {
  const std::filesystem::path work = dir / ("artifact-" + artifact_name);
  std::filesystem::create_directories(work);
  std::ofstream(work / "dest_dir") << "/etc/mender/fleetsim-target\n";
  std::ofstream(work / "filename") << file_name << "\n";
  std::ofstream(work / file_name, std::ios::binary) << payload;
  const std::filesystem::path out = dir / (artifact_name + ".mender");
  const Cli made = run_program("sh", "-c " + shell_quote("cd " + shell_quote(work.string()) +
                                                           " && mender-artifact write module-image -T single-file -n " +
                                                           shell_quote(artifact_name) + " -t " + shell_quote(device_type) +
                                                           " -o " + shell_quote(out.string()) +
                                                           " -f dest_dir -f filename -f " + shell_quote(file_name)));
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  return out;
}

// An artifact for the sandbox's fleetsim-image module (A/B slots with a reboot): PAYLOAD becomes
// the active slot, DIR/etc/fleetsim-slots/active, once the client committed it.
inline std::filesystem::path write_image_artifact(const std::filesystem::path& dir, const std::string& artifact_name,
                                                  const std::string& device_type, const std::string& payload) {
  const std::filesystem::path work = dir / ("artifact-" + artifact_name);
  std::filesystem::create_directories(work);
  std::ofstream(work / "image", std::ios::binary) << payload;
  const std::filesystem::path out = dir / (artifact_name + ".mender");
  const Cli made = run_program("sh", "-c " + shell_quote("cd " + shell_quote(work.string()) +
                                                           " && mender-artifact write module-image -T fleetsim-image -n " +
                                                           shell_quote(artifact_name) + " -t " + shell_quote(device_type) +
                                                           " -o " + shell_quote(out.string()) + " -f image"));
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  return out;
}

class MenderSandbox {
 public:
  MenderSandbox(const std::filesystem::path& dir, const std::string& server_url, const std::string& board,
                std::vector<std::string> extra = {})
      : dir_(dir) {
    std::vector<std::string> args{FLEETSIM_MENDER_SANDBOX, "--dir", dir.string(), "--server", server_url, "--board", board};
    args.insert(args.end(), extra.begin(), extra.end());
    std::filesystem::create_directories(dir);
    const std::string output = (dir / "sandbox.out").string();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      if (FILE* f = std::freopen(output.c_str(), "w", stdout)) dup2(fileno(f), STDERR_FILENO);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
  }
  ~MenderSandbox() { stop(); }

  // SIGTERM and up to 10 s for mender to exit; then SIGKILL.
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }

  // The client's own log and the sandbox's output, for failure messages.
  std::string log() const { return slurp((dir_ / "sandbox.out").string()) + slurp((dir_ / "mender.log").string()); }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

// Polls `done` every 50 ms until it holds or `timeout` passes; whether it held.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

}  // namespace fleetsim::testing
