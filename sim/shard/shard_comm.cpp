#include "sim/shard/shard_comm.hpp"

#include <cstdlib>
#include <stdexcept>

namespace fleetsim {


bool launched_by_mpi() {
  // OpenMPI's mpirun, PMIx launchers (srun --mpi=pmix) and PMI-1/2 launchers (MPICH, srun).
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(v)) return true;
  return false;
}

std::string mpi_launch_problem(const std::string& what) {
  if (!launched_by_mpi() || mpi_built()) return "";
  return "fleetsim: started by an MPI launcher, but this build has no MPI: install OpenMPI (apt-get install "
         "libopenmpi-dev openmpi-bin) and rebuild, or run " + what + " without mpirun\n";
}

int launcher_rank() {
  for (const char* v : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* s = std::getenv(v)) return std::atoi(s);
  return 0;
}

#ifndef FLEETSIM_HAVE_MPI
bool mpi_built() { return false; }
void abort_mpi_job_if_running(int) {}
std::unique_ptr<ShardComm> mpi_world_comm() {
  throw std::runtime_error(
      "this fleetsim was built without MPI: install OpenMPI (apt-get install libopenmpi-dev openmpi-bin) and "
      "rebuild to run region shards under mpirun");
}
#endif

}  // namespace fleetsim
