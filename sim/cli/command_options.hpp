// Option parsing shared by the fleetsim sub-commands (sim/cli/main.cpp, sim/cli/report_commands.cpp):
// Boost.Program_options with the positional arguments collected, --help printed, and usage
// errors reported the same way everywhere (exit code 2).
#pragma once

#include <boost/program_options.hpp>
#include <functional>
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

// The options of a command, as its --help prints them, for `fleetsim __complete` and `__man` (one
// definition: completion and man pages read the descriptions --help uses). `run` starts the
// command; the command hands its description to describing_options() (parse_command does) and
// stops there. nullopt: the command takes no options. Its stdout is discarded meanwhile.
std::optional<boost::program_options::options_description> describe_options(const std::function<void()>& run);
// True while describe_options() runs: `desc` is recorded and the command returns at once.
bool describing_options(const boost::program_options::options_description& desc);

// --child-timeout SECONDS and --child-memory SIZE of the commands that run `fleetsim run` children
// (suite, sweep).
void add_child_limit_options(boost::program_options::options_description& desc);
// The limits those options give, or nullopt with `error` naming the option and what it expects.
std::optional<ChildLimits> child_limits(const boost::program_options::variables_map& vm, std::string& error);

}  // namespace fleetsim
