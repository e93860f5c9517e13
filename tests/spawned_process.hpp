// A program started from a test with its stderr read through a pipe, for tests that signal it
// while it runs (SIGINT/SIGTERM during `fleetsim run`).
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace fleetsim::testing {

struct Spawned {
  pid_t pid = -1;
  int err = -1;
  std::string stderr_text;

  // Starts argv (argv[0] a path) and reads its stderr until `text` appears (or it ends).
  // `sigint_ignored`: the program starts with SIGINT ignored, as a non-interactive shell starts a
  // background job (the disposition survives exec).
  Spawned(const std::vector<std::string>& argv, const std::string& text, bool sigint_ignored = false) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    pid = fork();
    if (pid == 0) {
      if (sigint_ignored) signal(SIGINT, SIG_IGN);
      dup2(fds[1], 2);
      close(fds[0]);
      execv(args[0], args.data());
      _exit(127);
    }
    REQUIRE(pid > 0);
    close(fds[1]);
    err = fds[0];
    read_until(text);
  }
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;
  ~Spawned() {
    if (pid > 0) {  // not reaped: a failed test left it running
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (err >= 0) close(err);
  }

  // Reads stderr until `text` appears after `from` (or stderr ends); true when it appeared.
  bool read_until(const std::string& text, std::size_t from = 0) {
    char buf[512];
    while (stderr_text.find(text, from) == std::string::npos) {
      const ssize_t n = read(err, buf, sizeof buf);
      if (n <= 0) return false;
      stderr_text.append(buf, size_t(n));
    }
    return true;
  }
  // True while the process has not ended.
  bool running() {
    if (pid > 0 && waitpid(pid, &status_, WNOHANG) == pid) pid = -1;  // ended: reaped, status kept
    return pid > 0;
  }
  // Reads stderr to its end and reaps the process; its exit code, or -1 when a signal ended it.
  int wait() {
    char buf[512];
    for (ssize_t n; (n = read(err, buf, sizeof buf)) > 0;) stderr_text.append(buf, size_t(n));
    close(err);
    err = -1;
    if (pid > 0) waitpid(pid, &status_, 0);
    pid = -1;
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }

 private:
  int status_ = 0;
};

}  // namespace fleetsim::testing
