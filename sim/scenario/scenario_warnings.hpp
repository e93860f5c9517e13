// Warnings (README "Warnings"): a valid scenario that is almost certainly a mistake — a rule that
// can never fire, a fault that never happens, a rollout that cannot reach what it plans, a value
// that reads as 100 % where 1 % was meant. Each warning is a Problem (pointer + message) naming
// the field and the likely fix; `validate` and `run` print them, summary.json and the reports
// list them, and `--strict` makes them errors (exit 2).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/problem.hpp"
#include "sim/scenario/scenario.hpp"

namespace fleetsim {

// The warnings of a scenario that loaded without problems. `doc` is the document it was read
// from (after --set overrides): some mistakes show only in how a value was written (a bare 1
// where a fraction is expected).
std::vector<Problem> scenario_warnings(const Scenario& s, const nlohmann::ordered_json& doc);

// One line per warning: "FILE: /pointer: warning: message".
std::string format_warnings(const std::string& file, const std::vector<Problem>& warnings);

}  // namespace fleetsim
