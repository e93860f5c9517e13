#include "hil/board/board_hook.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstring>
#include <thread>

extern char** environ;

namespace fleetsim::hil {

HookRun run_hook(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  if (argv.empty()) return {false, "empty hook"};
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  if (const int rc = posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ); rc != 0)
    return {false, "cannot start " + argv[0] + ": " + std::strerror(rc)};
  const auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {true, ""};
      if (WIFEXITED(status)) return {false, argv[0] + " exited " + std::to_string(WEXITSTATUS(status))};
      return {false, argv[0] + " was killed by signal " + std::to_string(WTERMSIG(status))};
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return {false, argv[0] + " did not finish within " + std::to_string(limit.count()) + " ms (killed)"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::function<bool()> board_recovery(const std::vector<std::string>& reset, const std::vector<std::string>& power_off,
                                     const std::vector<std::string>& power_on,
                                     std::function<void(const std::string&)> log) {
  constexpr std::chrono::seconds kHookLimit{30};
  auto report = [log](const char* what, const HookRun& r) {
    if (log) log(std::string(what) + (r.ok ? " hook ran" : " hook failed: " + r.message));
    return r.ok;
  };
  if (!reset.empty()) return [=] { return report("reset", run_hook(reset, kHookLimit)); };
  if (power_off.empty() || power_on.empty()) return {};
  return [=] {
    if (!report("power_off", run_hook(power_off, kHookLimit))) return false;
    std::this_thread::sleep_for(std::chrono::seconds(1));  // let the supply rails drain
    return report("power_on", run_hook(power_on, kHookLimit));
  };
}

}  // namespace fleetsim::hil
