// The "assertions" section: checks on the run's results (a metric, a comparison, a value, and
// optionally a time mid-run), and the metrics they may name.
#include <algorithm>

#include "sim/core/json_units.hpp"
#include "sim/core/units.hpp"
#include "sim/scenario/assertion_metrics.hpp"
#include "sim/scenario/rollout_state.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

namespace {

// A rate or size metric takes its value with a unit ("1Gbps", "125MB/s", "2GiB") or as a bare
// number in the metric's own unit (bit/s, bytes); a count takes a number.
std::optional<double> metric_number(const Field& value, const AssertionMetricInfo& m) {
  const bool is_rate = m.unit == "bit/s", is_size = m.unit == "B";
  const std::string expected =
      is_rate   ? std::string("a rate with a unit such as \"1Gbps\" or \"125MB/s\", or a number of bit/s: ") +
                    std::string(m.name) + " is in bit/s"
      : is_size ? std::string("a size with a unit such as \"2GiB\" or \"500MB\", or a number of bytes: ") +
                    std::string(m.name) + " is in bytes"
                : std::string("a number");
  if (value.j->is_number()) return value.j->get<double>();
  if (!value.j->is_string() || (!is_rate && !is_size)) {
    value.wrong_type(expected);
    return std::nullopt;
  }
  const std::string& s = value.j->get_ref<const std::string&>();
  if (is_rate) {
    if (auto r = units::parse_rate(s)) return r->value * 8.0;
  } else if (auto b = units::parse_size(s)) {
    if (b->value > 0) return b->value;
    value.error(quote(s) + " is zero (expected a size above zero, or the number 0)");  // as the schema's "size"
    return std::nullopt;
  }
  value.error(quote(s) + " is not " + (is_rate ? "a rate" : "a size") + " (expected " + expected + ")");
  return std::nullopt;
}

}  // namespace

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
  } else if (id) {
    a.number = metric_number(value, metric_info(a.metric));
  }
  a.written = value.j->is_string() ? value.j->get<std::string>() : value.j->dump();
  s_.assertions.push_back(std::move(a));
}

const std::vector<std::string>& rollout_states() {
  static const std::vector<std::string> states(kRolloutStates.begin(), kRolloutStates.end());
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
