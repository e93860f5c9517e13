// Starting the real fleetsim-board binary (FLEETSIM_BOARD_BIN) from tests: fork/exec, stdout
// read line by line with timeouts, SIGTERM with a bounded wait, SIGKILL in the destructor.
#pragma once

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fleetsim::testing {

// fleetsim-board started with fork/exec; stdout is read for the "listening on" line.
class BoardProcess {
 public:
  explicit BoardProcess(std::vector<std::string> args) {
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      std::string bin = FLEETSIM_BOARD_BIN;
      argv.push_back(bin.data());
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(bin.c_str(), argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~BoardProcess() {
    if (out_ >= 0) close(out_);
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }

  // The first stdout line, within `timeout`.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      if (const auto nl = buffer_.find('\n'); nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd pfd{out_, POLLIN, 0};
      if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[256];
      const ssize_t n = read(out_, buf, sizeof buf);
      if (n <= 0) return std::nullopt;
      buffer_.append(buf, static_cast<std::size_t>(n));
    }
  }

  // SIGTERM, then the exit code within `timeout` (std::nullopt if it did not exit cleanly).
  std::optional<int> terminate(std::chrono::milliseconds timeout) {
    kill(pid_, SIGTERM);
    return wait_exit(timeout);
  }

  // The exit code once the process ends by itself within `timeout` (std::nullopt if it is
  // still running or was killed by a signal).
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        if (WIFEXITED(status)) return WEXITSTATUS(status);
        return std::nullopt;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return std::nullopt;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  std::string buffer_;
};

// A started fleetsim-board and a Client built by `connect` from its "listening on" line.
template <class Client>
struct ConnectedBoard {
  BoardProcess process;
  std::optional<Client> client;

  template <class Connect>
  ConnectedBoard(std::vector<std::string> args, Connect&& connect) : process(std::move(args)) {
    const auto line = process.read_line(std::chrono::seconds(10));
    REQUIRE(line);
    client.emplace(connect(*line));
  }
};

}  // namespace fleetsim::testing
