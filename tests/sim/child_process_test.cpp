// The child-process pool `fleetsim suite` and `fleetsim sweep` start their runs with
// (sim/core/child_process.hpp), tried on real children of /bin/sh and /usr/bin/env.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/child_process.hpp"
#include "tests/cli_runner.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {

std::vector<std::string> shell(const std::string& script) { return {"/bin/sh", "-c", script}; }

// Sets an environment variable for one test and removes it again.
struct ScopedVariable {
  std::string name;
  ScopedVariable(std::string n, const std::string& value) : name(std::move(n)) { setenv(name.c_str(), value.c_str(), 1); }
  ~ScopedVariable() { unsetenv(name.c_str()); }
};

// Makes a pipe this process's stdin while it lives: a child that inherited stdin would read the pipe.
struct PipeAsStdin {
  int saved = dup(STDIN_FILENO);
  int ends[2] = {-1, -1};
  PipeAsStdin() {
    REQUIRE(pipe(ends) == 0);
    REQUIRE(dup2(ends[0], STDIN_FILENO) == STDIN_FILENO);
  }
  ~PipeAsStdin() {
    dup2(saved, STDIN_FILENO);
    for (int fd : {saved, ends[0], ends[1]}) close(fd);
  }
};

// Starts one child in a pool of its own and waits for it.
EndedChild run_alone(const std::vector<std::string>& argv, const std::string& log) {
  ChildProcessPool pool(1);
  REQUIRE(pool.start(0, argv, log).empty());
  return pool.wait_any();
}

}  // namespace

TEST_CASE("a child that exits reports its exit code and no signal", "[child_process]") {
  TempDir dir;
  const EndedChild ended = run_alone(shell("exit 3"), dir / "log");
  CHECK(ended.exit.code == 3);
  CHECK(ended.exit.signal == 0);
  CHECK(ended.exit.status() == 3);  // a shell's $? is the exit code itself
}

TEST_CASE("a child killed by a signal reports the signal, and 128 + the signal as its status", "[child_process]") {
  TempDir dir;
  // The shell sends SIGKILL (9 in POSIX's `kill -9`) to itself.
  const EndedChild ended = run_alone(shell("kill -KILL $$"), dir / "log");
  CHECK(ended.exit.signal == 9);
  CHECK(ended.exit.status() == 137);  // 128 + 9
}

TEST_CASE("a child's stdout and stderr go, in order, into its log, which is emptied first", "[child_process]") {
  TempDir dir;
  std::ofstream(dir / "log") << "left from an earlier run\n";
  run_alone(shell("echo out; echo err >&2; echo out again"), dir / "log");
  CHECK(slurp(dir / "log") == "out\nerr\nout again\n");
}

TEST_CASE("a child reads its stdin from /dev/null, not from this process's stdin", "[child_process]") {
  const PipeAsStdin pipe_in;
  TempDir dir;
  // readlink inherits the shell's stdin, so /proc/self/fd/0 names the file the pool opened.
  run_alone(shell("readlink /proc/self/fd/0"), dir / "log");
  CHECK(slurp(dir / "log") == "/dev/null\n");
}

TEST_CASE("a child's environment is this process's without the MPI launcher's variables", "[child_process]") {
  // What mpirun (OpenMPI), srun --mpi=pmix (PMIx) and MPICH's launchers (PMI) set for rank 1.
  const ScopedVariable ompi("OMPI_COMM_WORLD_RANK", "1"), pmix("PMIX_RANK", "1"), pmi("PMI_RANK", "1");
  const ScopedVariable own("FLEETSIM_CHILD_TEST", "kept");
  TempDir dir;
  run_alone({"/usr/bin/env"}, dir / "log");
  std::set<std::string> lines;
  std::istringstream in(slurp(dir / "log"));
  for (std::string line; std::getline(in, line);) lines.insert(line);
  CHECK(lines.count("PATH=" + std::string(std::getenv("PATH"))) == 1);
  CHECK(lines.count("FLEETSIM_CHILD_TEST=kept") == 1);
  CHECK(lines.count("OMPI_COMM_WORLD_RANK=1") == 0);
  CHECK(lines.count("PMIX_RANK=1") == 0);
  CHECK(lines.count("PMI_RANK=1") == 0);
}

TEST_CASE("each ended child is named by the id it was started with", "[child_process]") {
  TempDir dir;
  ChildProcessPool pool(2);
  // Each child exits with its own id, so the code tells which child an answer is about.
  REQUIRE(pool.start(10, shell("exit 10"), dir / "a.log").empty());
  REQUIRE(pool.start(11, shell("exit 11"), dir / "b.log").empty());
  std::set<size_t> ids;
  for (int i = 0; i < 2; ++i) {
    const EndedChild ended = pool.wait_any();
    CHECK(ended.exit.code == int(ended.id));
    ids.insert(ended.id);
  }
  CHECK(ids == std::set<size_t>{10, 11});
  CHECK(pool.idle());
}

TEST_CASE("a pool runs at most its number of children at a time", "[child_process]") {
  TempDir dir;
  ChildProcessPool pool(2);
  REQUIRE(pool.start(0, shell("sleep 0.2"), dir / "0.log").empty());
  CHECK_FALSE(pool.full());  // 1 of 2 run
  REQUIRE(pool.start(1, shell("sleep 0.2"), dir / "1.log").empty());
  CHECK(pool.full());  // 2 of 2 run
  CHECK_THROWS_AS(pool.start(2, shell("exit 0"), dir / "2.log"), std::logic_error);
  pool.wait_any();
  CHECK_FALSE(pool.full());  // 1 of 2 run: room for the third
  CHECK(pool.start(2, shell("exit 0"), dir / "2.log").empty());
  pool.wait_any();
  pool.wait_any();
  CHECK(pool.idle());
}

TEST_CASE("a pool that could run no child at a time is refused", "[child_process]") {
  CHECK_THROWS_AS(ChildProcessPool(0), std::invalid_argument);
}

TEST_CASE("a program that cannot be started is reported with the system's reason and not counted",
          "[child_process]") {
  TempDir dir;
  ChildProcessPool pool(1);
  CHECK(pool.start(0, {dir / "no-such-program"}, dir / "log") == "No such file or directory");  // ENOENT
  CHECK(pool.idle());
}

TEST_CASE("a child past its timeout is killed and reported as killed at its timeout", "[child_process]") {
  TempDir dir;
  ChildProcessPool pool(1, ChildLimits{0.3, 0});
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(pool.start(0, shell("sleep 30"), dir / "log").empty());
  const EndedChild ended = pool.wait_any();
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(ended.exit.signal == SIGKILL);
  CHECK(ended.exit.timed_out);
  CHECK(ended.exit.status() == 128 + 9);
  CHECK(ended.exit.describe() == "killed by SIGKILL at its timeout");
  // Killed at 0.3 s; polled every 20 ms. Without the timeout it would sleep 30 s.
  CHECK(took >= 0.3);
  CHECK(took < 5.0);
  CHECK(slurp(dir / "log") == "\nfleetsim: this process was killed by SIGKILL at its timeout of 0.3 s\n");
}

TEST_CASE("a child that ends in time is not killed by the timeout", "[child_process]") {
  TempDir dir;
  ChildProcessPool pool(1, ChildLimits{30, 0});
  REQUIRE(pool.start(0, shell("exit 4"), dir / "log").empty());
  const EndedChild ended = pool.wait_any();
  CHECK(ended.exit.code == 4);
  CHECK_FALSE(ended.exit.timed_out);
  CHECK(ended.exit.describe() == "exit code 4");
}

TEST_CASE("a child runs under the memory cap as its RLIMIT_AS", "[child_process]") {
  TempDir dir;
  // ulimit -v prints RLIMIT_AS in KiB: 256 MiB is 262144 KiB.
  ChildProcessPool pool(1, ChildLimits{0, 256ull << 20});
  REQUIRE(pool.start(0, shell("ulimit -v"), dir / "log").empty());
  CHECK(pool.wait_any().exit.code == 0);
  CHECK(slurp(dir / "log") == "262144\n");
}

TEST_CASE("a child a signal kills is reported by the signal's name, SIGKILL with the memory hint", "[child_process]") {
  TempDir dir;
  const EndedChild ended = run_alone(shell("kill -KILL $$"), dir / "log");
  CHECK(ended.exit.signal == SIGKILL);
  CHECK_FALSE(ended.exit.timed_out);
  CHECK(ended.exit.describe() == "killed by SIGKILL (memory cap? the kernel's OOM killer sends SIGKILL)");
  CHECK(slurp(dir / "log") ==
        "\nfleetsim: this process was killed by SIGKILL (memory cap? the kernel's OOM killer sends SIGKILL)\n");
  CHECK(run_alone(shell("kill -SEGV $$"), dir / "log2").exit.describe() == "killed by SIGSEGV");
}
