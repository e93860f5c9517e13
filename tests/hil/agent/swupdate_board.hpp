// A sandboxed SWUpdate board for tests: hil/agent/swupdate_sandbox.sh started with fork/exec,
// stopped with SIGTERM (it stops its agent) and a bounded wait, SIGKILL as the last resort.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fleetsim::testing {

inline const std::string kAgentScripts = std::string(FLEETSIM_SOURCE_DIR) + "/hil/agent/";

// Why the real SWUpdate agent cannot run here, or "" when it can.
inline std::string swupdate_unavailable() {
  if (std::system("command -v swupdate >/dev/null 2>&1") != 0) return "swupdate is not installed (apt-get install swupdate)";
  if (std::system("unshare -m true >/dev/null 2>&1") != 0)
    return "this machine cannot create a mount namespace (unshare -m needs CAP_SYS_ADMIN)";
  return "";
}

// Ends a test early with a visible warning where the sandbox cannot run (Catch2 v2 has no skip).
#define FLEETSIM_SKIP_WITHOUT_SWUPDATE()                                          \
  if (const std::string why = fleetsim::testing::swupdate_unavailable(); !why.empty()) { \
    WARN("SWUpdate sandbox test skipped: " << why);                               \
    return;                                                                       \
  }

inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class SwupdateBoard {
 public:
  SwupdateBoard(const std::filesystem::path& dir, std::vector<std::string> args) : dir_(dir) {
    std::vector<std::string> argv{"/bin/bash", kAgentScripts + "swupdate_sandbox.sh", dir.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string log = (dir.parent_path() / (dir.filename().string() + ".out")).string();
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      std::vector<char*> raw;
      for (auto& a : argv) raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
  }
  ~SwupdateBoard() { stop(); }
  SwupdateBoard(const SwupdateBoard&) = delete;
  SwupdateBoard& operator=(const SwupdateBoard&) = delete;

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; ++i) {  // up to 10 s: the script waits up to 5 s for its agent
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }

  std::string board_log() const { return read_text(dir_ / "board.log"); }
  std::string agent_log() const { return read_text(dir_ / "agent.log"); }
  std::filesystem::path payload() const { return dir_ / "mnt/fleetsim/payload.bin"; }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = 0;
};

}  // namespace fleetsim::testing
