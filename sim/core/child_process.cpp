#include "sim/core/child_process.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

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

}  // namespace

std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    if (!is_mpi_launcher_variable(entry.substr(0, entry.find('=')))) env.push_back(entry);
  }
  return env;
}

ChildProcessPool::ChildProcessPool(int max_running)
    : max_running_(size_t(max_running)), environment_(child_environment()) {
  if (max_running < 1)
    throw std::invalid_argument("ChildProcessPool: " + std::to_string(max_running) + " children at a time");
}

std::string ChildProcessPool::start(size_t id, const std::vector<std::string>& argv, const std::string& log) {
  if (full())
    throw std::logic_error("ChildProcessPool::start: " + std::to_string(max_running_) + " children run already");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> args = argv, env = environment_;
  pid_t pid = -1;
  // posix_spawn reports a failed open or exec in the child as its result (glibc 2.24 and later).
  const int rc = posix_spawn(&pid, args.at(0).c_str(), &actions, nullptr, c_strings(args).data(),
                             c_strings(env).data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return std::strerror(rc);
  running_[pid] = id;
  return "";
}

EndedChild ChildProcessPool::wait_any() {
  if (idle()) throw std::logic_error("ChildProcessPool::wait_any: no child runs");
  for (;;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "waiting for a child process");
    }
    const auto it = running_.find(pid);
    if (it == running_.end()) continue;  // not one of this pool's children
    EndedChild ended{it->second, {}};
    running_.erase(it);
    if (WIFSIGNALED(status)) ended.exit.signal = WTERMSIG(status);
    else ended.exit.code = WEXITSTATUS(status);
    return ended;
  }
}

}  // namespace fleetsim
