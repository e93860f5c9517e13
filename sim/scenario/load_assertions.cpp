// The "assertions" section: checks on the run's results (a metric, a comparison, a value, and
// optionally a time mid-run), and the metrics they may name.
#include <algorithm>

#include "sim/core/json_units.hpp"
#include "sim/core/units.hpp"
#include "sim/scenario/assertion_metrics.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

void ScenarioReader::read_assertion(const Field& f) {
  Obj o(f, {"metric", "at", "op", "value"});
  if (!o.valid()) return;
  Assertion a;
  a.pointer = f.ptr;
  Field metric_field = o.required("metric", "a metric name such as \"fleet.on_target_fraction\"");
  auto metric = text(metric_field);
  const std::optional<AssertionMetric> id = metric ? find_assertion_metric(*metric) : std::nullopt;
  if (metric && !id) {
    auto c = closest(*metric, known_metrics());
    metric_field.error("unknown metric " + quote(*metric) +
                       (c ? " (did you mean " + quote(*c) + "?)"
                          : " (expected a metric such as \"fleet.on_target_fraction\" or \"devices.failed\")"));
    metric.reset();
  }
  if (id) a.metric = *id;
  const bool is_state = metric && *metric == "rollout.state";
  const bool is_time = metric && metric->starts_with("rollout.time_to_");

  Field at = o["at"];
  if (at.j && !(at.j->is_string() && at.j->get_ref<const std::string&>() == "end")) {
    if (auto t = duration(at)) {
      if (metric && !is_state && !metric->starts_with("fleet.") && !metric->starts_with("devices.")) {
        at.error("\"at\" is not allowed for " + *metric +
                 " (expected \"end\"; only fleet.*, devices.* and rollout.state can be checked mid-run)");
      } else if (duration_ok_ && *t > s_.duration) {
        at.error(as_written(at) + " is after the end of the run at " + units::format_duration(s_.duration) +
                 " (expected a time within \"duration\")");
      } else {
        a.at = *t;
      }
    }
  }

  static const Choices<CompareOp> ops = {{">=", CompareOp::Ge}, {">", CompareOp::Gt}, {"<=", CompareOp::Le},
                                         {"<", CompareOp::Lt},  {"==", CompareOp::Eq}, {"!=", CompareOp::Ne}};
  Field op_field = o.required("op", "\">=\", \">\", \"<=\", \"<\", \"==\" or \"!=\"");
  auto op = choice(op_field, "comparison", ops);
  set(a.op, op);
  if (is_state && op && *op != CompareOp::Eq && *op != CompareOp::Ne)
    op_field.error("rollout.state can only be compared with \"==\" or \"!=\"");

  Field value = o.required("value", "the value to compare with");
  if (!value.j || !metric) {
    s_.assertions.push_back(std::move(a));
    return;
  }
  if (is_state) {
    const auto& states = rollout_states();
    if (auto st = text(value)) {
      if (std::find(states.begin(), states.end(), *st) != states.end()) a.text = *st;
      else value.error("unknown rollout state " + quote(*st) + suggestion(*st, states));
    }
  } else if (is_time) {
    if (auto t = duration(value)) a.number = t->value;
  } else if (*metric == "fleet.on_target_fraction") {
    a.number = fraction(value);
  } else {
    a.number = number(value, Range{});
  }
  s_.assertions.push_back(std::move(a));
}

const std::vector<std::string>& rollout_states() {
  static const std::vector<std::string> states = {"running", "completed", "paused", "aborted", "rolled_back"};
  return states;
}

const std::vector<std::string>& known_metrics() {
  static const std::vector<std::string> metrics = [] {
    std::vector<std::string> names;
    for (const AssertionMetricInfo& m : kAssertionMetrics) names.emplace_back(m.name);
    return names;
  }();
  return metrics;
}

}  // namespace fleetsim
