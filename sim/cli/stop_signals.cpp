#include "sim/cli/stop_signals.hpp"

#include <atomic>
#include <csignal>
#include <utility>

namespace fleetsim {

namespace {

// Atomic, not volatile sig_atomic_t: the boards' threads read it too (attach_boards' known-state
// steps). A lock-free atomic may be written by a signal handler.
std::atomic<int> g_received{0};
static_assert(std::atomic<int>::is_always_lock_free);
struct sigaction g_old_int {}, g_old_term {};

void note_signal(int signal) { g_received = signal; }

}  // namespace

StopSignals::StopSignals() {
  g_received = 0;
  struct sigaction action {};
  action.sa_handler = note_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;  // a second signal ends the process
  // Inherited as ignored: stays ignored (a Ctrl-C meant for the foreground job must not stop a
  // background one).
  for (auto [signal, old] : {std::pair{SIGINT, &g_old_int}, {SIGTERM, &g_old_term}}) {
    sigaction(signal, nullptr, old);
    if (old->sa_handler != SIG_IGN) sigaction(signal, &action, nullptr);
  }
}

StopSignals::~StopSignals() {
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
}

int StopSignals::received() { return g_received; }

const char* StopSignals::name(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "a signal";
}

}  // namespace fleetsim
