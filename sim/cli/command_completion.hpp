// Bash completion of fleetsim command lines (sim/cli/completion/fleetsim.bash calls
// `fleetsim __complete LINE`, LINE being the command line up to the cursor). Commands come from
// the usage text, options from each command's --help description, `--set`/`--vary` paths from the
// scenario format's JSON Schema (and the keys of the scenario named on the line), model names from
// the device-model catalog: nothing is listed twice.
#pragma once

#include <boost/program_options/options_description.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace fleetsim {

// The commands a usage text lists: the first word after "  fleetsim " of each line ("run",
// "validate", ...), in order, without options such as --version; "hil" subcommands after "hil "
// separated by '|'.
std::vector<std::string> commands_in_usage(const std::string& usage, const std::string& program);

struct CompletionSources {
  std::string usage;                          // the top-level usage text
  std::string hil_usage;                      // the `fleetsim hil` usage text
  // The options of a command line's command, e.g. {"run"} or {"hil", "image"}; nullopt: none.
  std::function<std::optional<boost::program_options::options_description>(const std::vector<std::string>&)>
      options_of;
  nlohmann::json schema;
  std::vector<std::string> model_names;
};

// What `fleetsim __complete LINE` prints: one candidate per line, or one directive line that the
// script expands with compgen: "@files json" (*.json files and folders), "@dirs", "@files".
// Candidates are cut after the last '=' or ':' of the current word, as bash splits words there.
std::string complete_command_line(const std::string& line, const CompletionSources& sources);

}  // namespace fleetsim
