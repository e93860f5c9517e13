// Loading and validating scenario files. Every problem is collected (not just the first) and
// reported as `FILE: /json/pointer: what is wrong (expected …)`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/problem.hpp"
#include "sim/scenario/scenario.hpp"

namespace fleetsim {

struct LoadResult {
  std::optional<Scenario> scenario;   // set only when problems is empty
  std::vector<Problem> problems;
  // Set only with a scenario: valid input that is almost certainly a mistake
  // (scenario_warnings.hpp).
  std::vector<Problem> warnings;
  // One line per problem: "FILE: /pointer: message".
  std::string format(const std::string& file) const;
};

// Applies `--set key.path=value` overrides (dotted path with [i] indices, e.g.
// fleet.cohorts[0].count=2000000). The value is parsed as JSON when it is valid JSON
// (numbers, true, objects…), else taken as a string. Problems name the override.
// ordered_json keeps the file's key order, which fixes region and firmware-share order.
// `names[i]`, when given, is how the user wrote sets[i] ("--seed -1"; default `--set "…"`);
// `pointers`, when given, receives the JSON pointer each override set ("" when it failed).
std::vector<Problem> apply_overrides(nlohmann::ordered_json& doc, const std::vector<std::string>& sets,
                                     const std::vector<std::string>& names = {},
                                     std::vector<std::string>* pointers = nullptr);

// `--set "key.path=value"`: how messages name an override.
std::string set_option_text(const std::string& set);

// Reads, parses (syntax errors with line and column), applies overrides, validates, converts.
// A problem with a value an override set names the override (Problem::origin), not the file:
// `set_names` as for apply_overrides.
LoadResult load_scenario_file(const std::string& path, const std::vector<std::string>& sets = {},
                              const std::vector<std::string>& set_names = {});
LoadResult load_scenario_text(const std::string& text, const std::string& file_name,
                              const std::vector<std::string>& sets = {},
                              const std::vector<std::string>& set_names = {});

// Names of the metrics assertions may use (summary values the World can report).
const std::vector<std::string>& known_metrics();

// The values an assertion on rollout.state may compare with.
const std::vector<std::string>& rollout_states();

// JSON Schema (draft 2020-12) of the scenario format.
nlohmann::json scenario_json_schema();

// Parses one device model object (catalog file or scenario "device_models" entry); problems are
// reported relative to `pointer`.
std::optional<DeviceModel> parse_device_model(const nlohmann::ordered_json& j, const std::string& pointer,
                                              std::vector<Problem>& problems);

// The parameter paths ("link.downlink", "behaviour.retry.jitter", …) a device model's "sources"
// may document.
const std::vector<std::string>& device_model_parameter_paths();

}  // namespace fleetsim
