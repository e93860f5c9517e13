// Loading a scenario: file -> text -> JSON (sim/core/json_document.hpp) -> --set overrides ->
// the typed Scenario (scenario_reader.hpp), collecting every problem with its JSON pointer.
#include "sim/scenario/scenario_loader.hpp"

#include "sim/core/json_document.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_warnings.hpp"

namespace fleetsim {

std::string LoadResult::format(const std::string& file) const { return format_problems(file, problems); }

LoadResult load_scenario_text(const std::string& text, const std::string& file_name,
                              const std::vector<std::string>& sets) {
  LoadResult result;
  try {
    auto doc = parse_json_document(text, result.problems);
    if (!doc) return result;
    auto override_problems = apply_overrides(*doc, sets);
    result.problems.insert(result.problems.end(), override_problems.begin(), override_problems.end());
    ScenarioReader reader(result.problems, *doc);
    auto scenario = reader.read(file_name);
    if (result.problems.empty()) {
      result.scenario = std::move(scenario);
      result.scenario->document = doc->dump(2) + "\n";
      result.warnings = scenario_warnings(*result.scenario, *doc);
    }
  } catch (const std::exception& e) {
    // Any exception here is a loader bug; still a report, never a crash.
    result.problems.push_back({"", std::string("internal error while loading the scenario: ") + e.what()});
    result.scenario.reset();
  }
  return result;
}

LoadResult load_scenario_file(const std::string& path, const std::vector<std::string>& sets) {
  LoadResult result;
  auto text = read_document_file(path, "a scenario JSON file", result.problems);
  if (!text) return result;
  return load_scenario_text(*text, path, sets);
}

}  // namespace fleetsim
