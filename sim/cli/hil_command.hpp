// `fleetsim hil probe|flash|calibrate|state|reset|confirm|erase …`: single-board operations from the command line
// (README "Hardware in the loop"). Exit codes: 0 ok, 1 the firmware failed (revert, rejected image), 2 bad input
// or usage, 3 infrastructure (board unreachable or unhealthy).
#pragma once

namespace fleetsim::hil {

// argv[0] is "hil".
int run_hil_command(int argc, char** argv);
// Its usage text (--help), for completion and the man page.
const char* hil_usage();

}  // namespace fleetsim::hil
