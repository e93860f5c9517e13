// Running fleetsim as an MPI job from tests: the real `mpirun` of the machine's OpenMPI, with
// more ranks than cores allowed (CI machines have 2 cores) and a time limit, so that a hung
// rank fails the test instead of hanging it.
#pragma once

#include <string>

#include "tests/cli_runner.hpp"

namespace fleetsim::testing {

// Whether this build has MPI region shards (tests of them are skipped otherwise).
inline bool mpi_tests_enabled() {
#ifdef FLEETSIM_HAVE_MPI
  return true;
#else
  return false;
#endif
}

// Ends a test early, with a warning, in a build without MPI (Catch2 v2 has no skip).
#define FLEETSIM_SKIP_WITHOUT_MPI()                                    \
  if (!fleetsim::testing::mpi_tests_enabled()) {                       \
    WARN("this build has no MPI: the test is skipped");                \
    return;                                                            \
  }

// The start of an mpirun command line. CI runs as root, which mpirun refuses unless told; leak
// checking is off inside the ranks because OpenMPI keeps its own allocations until exit
// (sanitizer builds only); `timeout` ends a hung job.
inline std::string mpirun_prefix(int timeout_seconds = 300) {
  return "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 "
         "ASAN_OPTIONS=detect_leaks=0 timeout " + std::to_string(timeout_seconds) + " mpirun";
}

// `mpirun -np RANKS PROGRAM ARGS` (arguments already quoted).
inline Cli run_mpi(int ranks, const std::string& program, const std::string& args,
                   const std::string& streams = "2>&1", int timeout_seconds = 300) {
  const std::string line =
      mpirun_prefix(timeout_seconds) + " -np " + std::to_string(ranks) + " " + shell_quote(program) + " " + args;
  return run_program("/bin/sh", "-c " + shell_quote(line), streams);
}

inline Cli run_fleetsim_mpi(int ranks, const std::string& args, const std::string& streams = "2>&1") {
  return run_mpi(ranks, FLEETSIM_BIN, args, streams);
}

}  // namespace fleetsim::testing
