// `fleetsim seek` (sim/scenario/goal_seek.hpp) on the command line: options, the probes as
// parallel `fleetsim run` processes, OUT/seek.json and the answer. Takes the arguments after the
// command name and returns the process exit code.
#pragma once

namespace fleetsim {

int goal_seek_command(int argc, char** argv);

}  // namespace fleetsim
