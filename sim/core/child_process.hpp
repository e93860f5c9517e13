// Child processes run side by side, at most a set number at a time: `fleetsim suite` and
// `fleetsim sweep` run each scenario as a `fleetsim run` child of its own.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace fleetsim {

// What each child may use; 0 is no limit.
struct ChildLimits {
  double timeout_seconds = 0;  // wall time, then SIGKILL
  uint64_t memory_bytes = 0;   // address space (RLIMIT_AS): allocations beyond it fail in the child
};

// How a child ended.
struct ChildExit {
  int code = 0;            // its exit code, when no signal ended it
  int signal = 0;          // the signal that ended it, or 0
  bool timed_out = false;  // the pool killed it at its timeout
  // As a shell reports it in $?: the exit code, or 128 + the signal.
  int status() const { return signal != 0 ? 128 + signal : code; }
  // "exit code 2", "killed by SIGKILL (out of memory? …)", "killed by SIGKILL at its 600 s timeout".
  std::string describe() const;
};

// A child that ended: the id it was started with, and how.
struct EndedChild {
  size_t id = 0;
  ChildExit exit;
};

// The environment every child gets: this process's without the variables an MPI launcher
// (mpirun, srun) sets for its ranks (OMPI_*, PMIX_*, PMI_*). A child is a process of its own; a
// `fleetsim run` that found them would take itself for a rank and try to join the job.
std::vector<std::string> child_environment();

class ChildProcessPool {
 public:
  // At most `max_running` children run at a time, each within `limits`. Throws
  // std::invalid_argument when it is below 1 (a pool that can run nothing would wait forever).
  explicit ChildProcessPool(int max_running, ChildLimits limits = {});

  bool full() const { return running_.size() >= max_running_; }
  bool idle() const { return running_.empty(); }

  // Starts argv[0] (a path: PATH is not searched) with the arguments argv[1], ..., stdin from
  // /dev/null, stdout and stderr into `log` (created or emptied) and child_environment() as of
  // the pool's construction. `id` names the child in wait_any's answer. Returns "" or why it did
  // not start (the system's reason, e.g. "No such file or directory"). Throws std::logic_error
  // when the pool is full. A child that a signal ends gets a last line in its log saying so.
  std::string start(size_t id, const std::vector<std::string>& argv, const std::string& log);

  // Waits until one of the running children ends and reports it, killing those past their timeout. It waits for any child of this
  // process (waitpid(-1)), so a process using a pool starts no other children meanwhile: their
  // ends would be taken and dropped here. Throws std::logic_error when idle, std::system_error
  // when waiting fails.
  EndedChild wait_any();

 private:
  struct Running {
    size_t id;
    std::string log;
    std::chrono::steady_clock::time_point deadline;
    bool killed = false;  // at its timeout
  };
  void kill_overdue();

  size_t max_running_;
  ChildLimits limits_;
  std::vector<std::string> environment_;
  std::map<pid_t, Running> running_;
};

}  // namespace fleetsim
