// Loading a scenario: file -> text -> JSON (sim/core/json_document.hpp) -> --set overrides ->
// the typed Scenario (scenario_reader.hpp), collecting every problem with its JSON pointer.
#include "sim/scenario/scenario_loader.hpp"

#include "sim/core/json_document.hpp"
#include "sim/scenario/scenario_reader.hpp"
#include "sim/scenario/scenario_warnings.hpp"

namespace fleetsim {

std::string LoadResult::format(const std::string& file) const { return format_problems(file, problems); }

namespace {

// Problems with a value an override set (at its pointer or inside it) name the override, the last
// one that set it. Problems elsewhere stay the file's.
void name_overrides(std::vector<Problem>& problems, size_t from, const std::vector<std::string>& sets,
                    const std::vector<std::string>& names, const std::vector<std::string>& pointers) {
  for (size_t p = from; p < problems.size(); ++p)
    for (size_t i = pointers.size(); i-- > 0;) {
      const std::string& at = pointers[i];
      const std::string& where = problems[p].pointer;
      if (at.empty() || !where.starts_with(at) || (where.size() > at.size() && where[at.size()] != '/')) continue;
      problems[p].origin = i < names.size() && !names[i].empty() ? names[i] : set_option_text(sets[i]);
      break;
    }
}

}  // namespace

LoadResult load_scenario_text(const std::string& text, const std::string& file_name,
                              const std::vector<std::string>& sets, const std::vector<std::string>& set_names) {
  LoadResult result;
  try {
    auto doc = parse_json_document(text, result.problems);
    if (!doc) return result;
    std::vector<std::string> pointers;
    auto override_problems = apply_overrides(*doc, sets, set_names, &pointers);
    result.problems.insert(result.problems.end(), override_problems.begin(), override_problems.end());
    const size_t read_from = result.problems.size();
    ScenarioReader reader(result.problems, *doc);
    auto scenario = reader.read(file_name);
    name_overrides(result.problems, read_from, sets, set_names, pointers);
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

LoadResult load_scenario_file(const std::string& path, const std::vector<std::string>& sets,
                              const std::vector<std::string>& set_names) {
  LoadResult result;
  auto text = read_document_file(path, "a scenario JSON file", result.problems);
  if (!text) return result;
  return load_scenario_text(*text, path, sets, set_names);
}

}  // namespace fleetsim
