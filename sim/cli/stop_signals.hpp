// SIGINT and SIGTERM during `fleetsim run` (README "Outputs"): the handler only notes the signal;
// the run stops at its next chunk and writes an interrupted result instead of results. The first
// signal is handled this way; the handler then resets to the default, so a second one ends the
// process at once (the results folder is then refused by every reader: its manifest is gone). A
// signal the process inherited as ignored stays ignored (POSIX: a non-interactive shell starts a
// background job with SIGINT ignored).
#pragma once

namespace fleetsim {

class StopSignals {
 public:
  StopSignals();   // installs the handler for SIGINT and SIGTERM, unless ignored
  ~StopSignals();  // restores the previous handlers
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // The signal received (SIGINT or SIGTERM), or 0.
  static int received();
  // "SIGINT", "SIGTERM".
  static const char* name(int signal);
};

}  // namespace fleetsim
