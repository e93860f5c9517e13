#include "sim/core/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>
#include <thread>

extern char** environ;

namespace fleetsim {

namespace {

bool is_mpi_launcher_variable(const std::string& name) {
  // OpenMPI's mpirun, PMIx launchers (srun --mpi=pmix) and PMI-1/2 launchers (MPICH, srun).
  for (const char* prefix : {"OMPI_", "PMIX_", "PMI_"})
    if (name.rfind(prefix, 0) == 0) return true;
  return false;
}

// NULL-terminated pointers into `strings`, as exec takes them.
std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

// In the forked child: only async-signal-safe calls until exec. On failure writes errno to
// `report` (close-on-exec, so the parent reads nothing when exec succeeds).
[[noreturn]] void exec_child(const char* path, char* const* argv, char* const* envp, const char* log,
                             const rlimit* memory, int report) {
  int err = 0;
  const int in = open("/dev/null", O_RDONLY);
  const int out = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0) err = errno;
  if (!err && (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(out, STDERR_FILENO) < 0)) err = errno;
  if (!err && memory && setrlimit(RLIMIT_AS, memory) != 0) err = errno;
  if (!err) {
    execve(path, argv, envp);
    err = errno;
  }
  (void)!write(report, &err, sizeof err);
  _exit(127);
}

}  // namespace

std::string ChildExit::describe() const {
  if (signal == 0) return "exit code " + std::to_string(code);
  std::string text = "killed by " + signal_name(signal);
  if (timed_out) return text + " at its timeout";
  // RLIMIT_AS makes allocations fail (fleetsim then exits 3, "out of memory"); a SIGKILL nobody
  // here sent is the kernel's OOM killer (a cgroup's memory.max, or the machine's memory).
  if (signal == SIGKILL) text += " (memory cap? the kernel's OOM killer sends SIGKILL)";
  return text;
}

std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (!is_mpi_launcher_variable(entry.substr(0, entry.find('=')))) env.push_back(entry);
  }
  return env;
}

ChildProcessPool::ChildProcessPool(int max_running, ChildLimits limits)
    : max_running_(size_t(max_running)), limits_(limits), environment_(child_environment()) {
  if (max_running < 1)
    throw std::invalid_argument("ChildProcessPool: " + std::to_string(max_running) + " children at a time");
  if (!(limits.timeout_seconds >= 0) || !std::isfinite(limits.timeout_seconds))
    throw std::invalid_argument("ChildProcessPool: timeout " + std::to_string(limits.timeout_seconds));
}

std::string ChildProcessPool::start(size_t id, const std::vector<std::string>& argv, const std::string& log) {
  if (full())
    throw std::logic_error("ChildProcessPool::start: " + std::to_string(max_running_) + " children run already");
  // Everything the child needs is prepared before fork: between fork and exec it may not allocate.
  std::vector<std::string> args = argv, env = environment_;
  const std::vector<char*> arg_pointers = c_strings(args), env_pointers = c_strings(env);
  const rlimit memory{rlim_t(limits_.memory_bytes), rlim_t(limits_.memory_bytes)};
  int report[2];
  if (pipe2(report, O_CLOEXEC) != 0) return std::strerror(errno);
  const pid_t pid = fork();
  if (pid < 0) {
    const int err = errno;
    close(report[0]);
    close(report[1]);
    return std::strerror(err);
  }
  if (pid == 0)
    exec_child(args.at(0).c_str(), arg_pointers.data(), env_pointers.data(), log.c_str(),
               limits_.memory_bytes ? &memory : nullptr, report[1]);
  close(report[1]);
  int err = 0;
  ssize_t n;
  do n = read(report[0], &err, sizeof err);
  while (n < 0 && errno == EINTR);
  close(report[0]);
  if (n == ssize_t(sizeof err)) {
    while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    return std::strerror(err);
  }
  const auto deadline = limits_.timeout_seconds > 0
                            ? std::chrono::steady_clock::now() +
                                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                      std::chrono::duration<double>(limits_.timeout_seconds))
                            : std::chrono::steady_clock::time_point::max();
  running_[pid] = Running{id, log, deadline};
  return "";
}

void ChildProcessPool::kill_overdue() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& [pid, child] : running_)
    if (!child.killed && now >= child.deadline) {
      kill(pid, SIGKILL);
      child.killed = true;
    }
}

EndedChild ChildProcessPool::wait_any() {
  if (idle()) throw std::logic_error("ChildProcessPool::wait_any: no child runs");
  for (;;) {
    int status = 0;
    // With a timeout, look in on the children a few times a second; without, sleep in waitpid.
    const bool poll = limits_.timeout_seconds > 0;
    if (poll) kill_overdue();
    const pid_t pid = waitpid(-1, &status, poll ? WNOHANG : 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "waiting for a child process");
    }
    if (pid == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    const auto it = running_.find(pid);
    if (it == running_.end()) continue;  // not one of this pool's children
    EndedChild ended{it->second.id, {}};
    if (WIFSIGNALED(status)) {
      ended.exit.signal = WTERMSIG(status);
      ended.exit.timed_out = it->second.killed;
      std::string line = "fleetsim: this process was " + ended.exit.describe();
      if (ended.exit.timed_out) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, " of %g s", limits_.timeout_seconds);
        line += seconds;
      }
      std::ofstream(it->second.log, std::ios::app) << "\n" << line << "\n";
    } else {
      ended.exit.code = WEXITSTATUS(status);
    }
    running_.erase(it);
    return ended;
  }
}

}  // namespace fleetsim
