// `fleetsim init FILE.json`: writes a starting scenario from a few flags (or, on a terminal without
// flags, a few questions): fleet size, regions, device models, rollout strategy. The file validates
// with no warnings and runs as written. Takes the arguments after the command name and returns the
// process exit code.
#pragma once

namespace fleetsim {

int init_command(int argc, char** argv);

}  // namespace fleetsim
