#include "sim/results/verdict.hpp"

#include "sim/core/exit_codes.hpp"

namespace fleetsim {

const char* outcome_name(CheckResult::Outcome o) {
  switch (o) {
    case CheckResult::Outcome::Passed:
      return "passed";
    case CheckResult::Outcome::Failed:
      return "failed";
    case CheckResult::Outcome::Error:
      return "error";
  }
  return "error";
}

int exit_code_for(const std::vector<CheckResult>& cases) {
  int code = exit_code::kOk;
  for (const CheckResult& c : cases) {
    if (c.outcome == CheckResult::Outcome::Error) return exit_code::kInfrastructure;
    if (c.outcome == CheckResult::Outcome::Failed) code = exit_code::kFailed;
  }
  return code;
}

}  // namespace fleetsim
