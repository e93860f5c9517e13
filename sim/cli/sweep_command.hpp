// `fleetsim sweep` (sim/scenario/sweep_plan.hpp) on the command line: options, validation of every
// point, progress, sweep.csv and sweep.html. Under an MPI launcher (`mpirun -np N fleetsim sweep`)
// the runs are shared out over the ranks and rank 0 writes the results. Takes the arguments after
// the command name and returns the process exit code.
#pragma once

namespace fleetsim {

int sweep_command(int argc, char** argv);

}  // namespace fleetsim
