// The man page fleetsim(1) (`fleetsim __man`), rendered from the usage texts and the option
// descriptions the --help texts print (sim/core/options_manual.hpp).
#pragma once

#include <boost/program_options/options_description.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace fleetsim {

struct CommandManual {
  std::string name;                                                   // "run", "hil image"
  std::string usage;                                                  // a usage text of its own ("" for none)
  std::optional<boost::program_options::options_description> options;  // nullopt: no options
};

// fleetsim(1): NAME, SYNOPSIS (the usage text's command lines), one COMMANDS subsection per command
// (its --help caption and options), EXIT STATUS, SEE ALSO.
std::string fleetsim_manual_page(const std::string& usage, const std::vector<CommandManual>& commands);

// fleetsim-scenario(5): every field of the scenario format as its `--set` path, with its type,
// bounds and description from the JSON Schema (`fleetsim schema`), the format's one definition.
std::string scenario_manual_page(const nlohmann::json& schema);

}  // namespace fleetsim
