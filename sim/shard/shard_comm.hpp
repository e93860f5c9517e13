// The collective operations region shards exchange state with at the controller epoch
// (README "Region shards (MPI)"). A run is split into ranks; each rank simulates the devices of the regions it
// owns, and the World meets the other ranks only through these calls, at the same points of
// simulated time on every rank. A single-process run goes through the very same calls on a
// one-rank communicator, so its results are those of any rank count.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fleetsim {

class ShardComm {
 public:
  virtual ~ShardComm() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // Element-wise sums over all ranks, left on every rank. The World keeps every floating-point
  // quantity it reduces owned by exactly one rank (per region), so a sum adds zeros and is exact.
  virtual void sum(std::span<int64_t> values) = 0;
  virtual void sum(std::span<double> values) = 0;
  // Every rank's bytes, concatenated in rank order, on rank 0 (other ranks get an empty vector).
  virtual std::vector<std::byte> gather(std::span<const std::byte> mine) = 0;
  // Every rank's bytes, concatenated in rank order, on every rank.
  virtual std::vector<std::byte> all_gather(std::span<const std::byte> mine) = 0;
  // The largest of every rank's `value`, on every rank (agreeing on an error code, a scenario hash).
  virtual int64_t max(int64_t value) = 0;
  // Returns once every rank has called it. A rank that waits sleeps between polls instead of
  // spinning, so that it leaves its core to processes that still work (a sweep's runs).
  virtual void wait_for_all_ranks() = 0;
};

// One rank: the sums are identities.
class SingleProcessComm final : public ShardComm {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void sum(std::span<int64_t>) override {}
  // x + 0.0 turns -0.0 into +0.0, exactly what a sum with other ranks' zeros does.
  void sum(std::span<double> values) override {
    for (double& v : values) v += 0.0;
  }
  std::vector<std::byte> gather(std::span<const std::byte> mine) override { return {mine.begin(), mine.end()}; }
  std::vector<std::byte> all_gather(std::span<const std::byte> mine) override { return {mine.begin(), mine.end()}; }
  int64_t max(int64_t value) override { return value; }
  void wait_for_all_ranks() override {}
};

// Whether this binary was built with MPI (the optional OpenMPI dependency).
bool mpi_built();
// True when the process was started by an MPI launcher (mpirun, mpiexec, srun): its
// environment names a rank. A plain `fleetsim run` never initialises MPI.
bool launched_by_mpi();
// What is wrong when an MPI launcher started this process but the build has no MPI (the
// message names `what`, e.g. "the sweep"); empty when there is nothing wrong.
std::string mpi_launch_problem(const std::string& what);
// The rank the launcher gave this process (0 when not launched by MPI).
int launcher_rank();
// Ends the whole MPI job with `code` when MPI is running in this process (a rank that fails in
// the middle of a run must not leave the others waiting in a collective); otherwise nothing.
void abort_mpi_job_if_running(int code);
// Initialises MPI (once per process) and returns the world communicator. Throws
// std::runtime_error when MPI is not built or fails to start. MPI is finalised at exit.
std::unique_ptr<ShardComm> mpi_world_comm();

}  // namespace fleetsim
