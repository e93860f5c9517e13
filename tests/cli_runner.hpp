// Running the project's real binaries from tests (FLEETSIM_BIN and FLEETSIM_BOARD_BIN are compile
// definitions set by CMake).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace fleetsim::testing {

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Cli {
  int exit_code = -1;
  std::string output;
};

// Runs `PROGRAM ARGS` (arguments already quoted). `streams` picks what is captured:
// "2>&1" for stdout and stderr together, "2>&1 >/dev/null" for stderr alone.
inline Cli run_program(const std::string& program, const std::string& args, const std::string& streams = "2>&1") {
  const std::string cmd = shell_quote(program) + " " + args + " " + streams;
  Cli r;
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  const int status = pclose(pipe);
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  return r;
}

// Runs the fleetsim binary (FLEETSIM_BIN).
inline Cli run_fleetsim(const std::string& args, const std::string& streams = "2>&1") {
  return run_program(FLEETSIM_BIN, args, streams);
}

// A fresh directory under the system temp dir, removed with everything in it.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path = std::filesystem::temp_directory_path() /
           ("fleetsim-test-" + std::to_string(getpid()) + "-" + std::to_string(stamp) + "-" +
            std::to_string(counter++));
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace fleetsim::testing
