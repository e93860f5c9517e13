// Option parsing shared by the fleetsim sub-commands (sim/cli/main.cpp, sim/cli/report_commands.cpp):
// Boost.Program_options with the positional arguments collected, --help printed, and usage
// errors reported the same way everywhere (exit code 2).
#pragma once

#include <boost/program_options.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/child_process.hpp"

namespace fleetsim {

struct CommandArgs {
  boost::program_options::variables_map vm;
  std::vector<std::string> positional;
};

// Prints "fleetsim: MESSAGE" and where to find help; returns the usage exit code, 2.
int usage_error(const std::string& message, const std::string& help = "fleetsim help");

// Parses a sub-command's arguments (argv[0] is the command). Returns an exit code when the command
// is done already — --help printed (0) or a usage error printed (2) — and nullopt to go on.
// `command` is the command as typed for the help hint ("fleetsim COMMAND --help"), e.g. "hil image";
// empty: argv[0].
std::optional<int> parse_command(int argc, char** argv, const boost::program_options::options_description& desc,
                                 CommandArgs& out, const std::string& command = "");

// --child-timeout SECONDS and --child-memory SIZE of the commands that run `fleetsim run` children
// (suite, sweep).
void add_child_limit_options(boost::program_options::options_description& desc);
// The limits those options give, or nullopt with `error` naming the option and what it expects.
std::optional<ChildLimits> child_limits(const boost::program_options::variables_map& vm, std::string& error);

}  // namespace fleetsim
