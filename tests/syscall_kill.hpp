// Killing a process with SIGKILL at an exact point of its file writes: the process runs under
// ptrace, stopped at every system call entry, and is killed before its k-th call that changes
// files (a write, rename, unlink, creating open, truncate or sync). Between two such calls a
// process changes nothing on disk, so killing before each of them in turn reaches every state a
// SIGKILL can leave a folder in (tests/reports/results_folder_test.cpp). x86-64 Linux only.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace fleetsim::testing {

#if defined(__x86_64__) && defined(__linux__)
inline constexpr bool kSyscallKillSupported = true;

// Whether the system call at its entry, with these registers, changes files.
inline bool changes_files(const user_regs_struct& r) {
  constexpr unsigned long long kWriteFlags = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC;
  switch (r.orig_rax) {
    case 1: case 18: case 20: case 296: case 328:  // write pwrite64 writev pwritev pwritev2
    case 82: case 264: case 316:                   // rename renameat renameat2
    case 87: case 263: case 84:                    // unlink unlinkat rmdir
    case 76: case 77: case 74: case 75:            // truncate ftruncate fsync fdatasync
    case 85: case 83: case 258:                    // creat mkdir mkdirat
      return true;
    case 2: return (r.rsi & kWriteFlags) != 0;    // open(path, flags)
    case 257: return (r.rdx & kWriteFlags) != 0;  // openat(dirfd, path, flags)
    default: return false;
  }
}

struct TracedRun {
  bool killed = false;      // killed before its k-th file change
  int exit_code = -1;       // when it exited by itself
  long file_changes = 0;    // file-changing calls it entered (before the kill: k - 1)
  std::string problem;      // the tracer could not run it
};

// Runs `argv` (argv[0] a path) and SIGKILLs it when it enters its `k`-th file-changing call
// (k <= 0: never). Single-threaded programs only: a thread would escape the count.
inline TracedRun run_killed_at_change(const std::vector<std::string>& argv, long k) {
  TracedRun out;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  // LeakSanitizer stops the world with ptrace when the process exits, which cannot work in a
  // process already traced: in the sanitizer build the traced run keeps ASan but not leak checks.
  std::vector<std::string> env_text;
  const char* asan = std::getenv("ASAN_OPTIONS");
  env_text.push_back(std::string("ASAN_OPTIONS=") + (asan ? std::string(asan) + ":" : "") + "detect_leaks=0");
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "ASAN_OPTIONS=", 13) != 0) env_text.push_back(*e);
  std::vector<char*> env;
  for (std::string& e : env_text) env.push_back(e.data());
  env.push_back(nullptr);
  const pid_t pid = fork();
  if (pid < 0) {
    out.problem = "fork failed";
    return out;
  }
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(126);
    raise(SIGSTOP);
    execve(args[0], args.data(), env.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFSTOPPED(status)) {
    out.problem = "ptrace is not allowed here (PTRACE_TRACEME failed)";
    return out;
  }
  ptrace(PTRACE_SETOPTIONS, pid, nullptr,
         PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC);
  bool entering = true;
  int deliver = 0;
  for (;;) {
    ptrace(PTRACE_SYSCALL, pid, nullptr, reinterpret_cast<void*>(long(deliver)));
    deliver = 0;
    if (waitpid(pid, &status, __WALL) != pid) {
      out.problem = "waitpid failed";
      kill(pid, SIGKILL);
      return out;
    }
    if (WIFEXITED(status)) {
      out.exit_code = WEXITSTATUS(status);
      return out;
    }
    if (WIFSIGNALED(status)) {
      out.problem = "the process died of signal " + std::to_string(WTERMSIG(status));
      return out;
    }
    const int sig = WSTOPSIG(status);
    if (sig == (SIGTRAP | 0x80)) {
      if (entering) {
        user_regs_struct regs{};
        ptrace(PTRACE_GETREGS, pid, nullptr, &regs);
        if (changes_files(regs) && ++out.file_changes == k) {
          --out.file_changes;
          kill(pid, SIGKILL);
          waitpid(pid, &status, __WALL);
          out.killed = true;
          return out;
        }
      }
      entering = !entering;
    } else if (status >> 16 == PTRACE_EVENT_CLONE) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, __WALL);
      out.problem = "the process started a thread, which this tracer does not follow";
      return out;
    } else if (sig != SIGTRAP) {
      deliver = sig;  // a signal of its own: pass it on
    }
  }
}
#else
inline constexpr bool kSyscallKillSupported = false;
#endif

}  // namespace fleetsim::testing
