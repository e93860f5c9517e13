// The reporting sub-commands of the fleetsim CLI (README "Command line"):
//   fleetsim report OUT_DIR   regenerates report.html, junit.xml, summary.md and metrics.om from
//                             the results a run wrote into OUT_DIR;
//   fleetsim suite DIR ...    runs every scenario under DIR (sim/cli/scenario_suite.hpp);
//   fleetsim compare A B      compares two runs' results (reports/run_comparison.hpp), and with
//                             --html writes the comparison page (reports/compare_page.hpp).
// Each takes the arguments after the command name and returns the process exit code.
#pragma once

namespace fleetsim {

int report_command(int argc, char** argv);
int suite_command(int argc, char** argv);
int compare_command(int argc, char** argv);

}  // namespace fleetsim
