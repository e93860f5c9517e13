// Child processes run side by side, at most a set number at a time: `fleetsim suite` and
// `fleetsim sweep` run each scenario as a `fleetsim run` child of its own.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace fleetsim {

// How a child ended.
struct ChildExit {
  int code = 0;    // its exit code, when no signal ended it
  int signal = 0;  // the signal that ended it, or 0
  // As a shell reports it in $?: the exit code, or 128 + the signal.
  int status() const { return signal != 0 ? 128 + signal : code; }
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
  // At most `max_running` children run at a time. Throws std::invalid_argument when it is below 1
  // (a pool that can run nothing would wait forever).
  explicit ChildProcessPool(int max_running);

  bool full() const { return running_.size() >= max_running_; }
  bool idle() const { return running_.empty(); }

  // Starts argv[0] (a path: PATH is not searched) with the arguments argv[1], ..., stdin from
  // /dev/null, stdout and stderr into `log` (created or emptied) and child_environment() as of
  // the pool's construction. `id` names the child in wait_any's answer. Returns "" or why it did
  // not start (the system's reason, e.g. "No such file or directory"). Throws std::logic_error
  // when the pool is full.
  std::string start(size_t id, const std::vector<std::string>& argv, const std::string& log);

  // Waits until one of the running children ends and reports it. It waits for any child of this
  // process (waitpid(-1)), so a process using a pool starts no other children meanwhile: their
  // ends would be taken and dropped here. Throws std::logic_error when idle, std::system_error
  // when waiting fails.
  EndedChild wait_any();

 private:
  size_t max_running_;
  std::vector<std::string> environment_;
  std::map<pid_t, size_t> running_;  // pid → id
};

}  // namespace fleetsim
