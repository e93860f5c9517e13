#include "sim/scenario/assertion_metrics.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "sim/core/units.hpp"

namespace fleetsim {

std::optional<AssertionMetric> find_assertion_metric(std::string_view name) {
  for (const AssertionMetricInfo& m : kAssertionMetrics)
    if (m.name == name) return m.id;
  return std::nullopt;
}

std::string format_metric_value(AssertionMetric m, double value) {
  const std::string_view unit = metric_info(m).unit;
  std::string text;
  if (unit == "s") {
    text = units::format_duration(Seconds(value));
  } else if (unit == "bit/s") {
    text = units::format_rate(BytesPerSecond(value / 8.0));
  } else if (unit == "B") {
    text = units::format_size(Bytes(value));
  } else {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", value);
    return buf;
  }
  // "1.2 Gbps" is how the units format reads; a scenario writes "1.2Gbps".
  text.erase(std::remove(text.begin(), text.end(), ' '), text.end());
  return text;
}

}  // namespace fleetsim
