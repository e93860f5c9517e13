// compare.html (`fleetsim compare A B --html FILE`): one self-contained page, like report.html,
// comparing a baseline run A with a variant B: what differs between their scenarios, both runs'
// charts overlaid (A solid, B dashed), their results side by side with the differences, and each
// run's controller decisions.
#pragma once

#include <string>

#include "reports/run_comparison.hpp"

namespace fleetsim {

std::string compare_html(const RunComparison& c);

}  // namespace fleetsim
