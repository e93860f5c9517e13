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
    if (c.outcome == CheckResult::Outcome::Failed) return exit_code::kFailed;
    if (c.outcome == CheckResult::Outcome::Error) code = exit_code::kInfrastructure;
  }
  return code;
}

}  // namespace fleetsim
