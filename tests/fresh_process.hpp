// Runs a test body in a forked child process. SimGrid allows one engine per process, so every
// test that creates a SimgridKernel runs in its own process. Catch2's assertions do not cross a
// fork, so the body asserts with SPEC_REQUIRE / SPEC_REQUIRE_NEAR, which throw with the failed
// expression and its values; the parent fails the test with that message.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>

#define SPEC_REQUIRE(expr)                                                                              \
  do {                                                                                                  \
    if (!(expr)) throw std::runtime_error(std::string(#expr) + " failed at line " + std::to_string(__LINE__)); \
  } while (0)

#define SPEC_REQUIRE_NEAR(actual, expected, tolerance)                                                  \
  do {                                                                                                  \
    const double spec_a_ = (actual), spec_e_ = (expected);                                              \
    if (!(std::abs(spec_a_ - spec_e_) <= (tolerance))) {                                                \
      std::ostringstream spec_m_;                                                                       \
      spec_m_.precision(17);                                                                            \
      spec_m_ << #actual << " = " << spec_a_ << ", expected " << spec_e_ << " within " << (tolerance)   \
              << " at line " << __LINE__;                                                               \
      throw std::runtime_error(spec_m_.str());                                                          \
    }                                                                                                   \
  } while (0)

namespace fleetsim::testing {

inline void in_fresh_process(const std::function<void()>& body) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::cout.flush();  // or the child would print the parent's buffered output again
  std::cerr.flush();
  std::fflush(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    std::string message;
    int code = 0;
    try {
      body();
    } catch (const std::exception& e) {
      code = 2;
      message = std::string("exception: ") + e.what();
    }
    (void)!write(fds[1], message.data(), message.size());
    _exit(code);  // no exit handlers: the child must not run the parent's Catch2 teardown
  }
  close(fds[1]);
  std::string message;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) message.append(buf, size_t(n));
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO("child: " << message);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace fleetsim::testing
