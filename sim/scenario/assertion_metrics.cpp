#include "sim/scenario/assertion_metrics.hpp"

namespace fleetsim {

std::optional<AssertionMetric> find_assertion_metric(std::string_view name) {
  for (const AssertionMetricInfo& m : kAssertionMetrics)
    if (m.name == name) return m.id;
  return std::nullopt;
}

}  // namespace fleetsim
