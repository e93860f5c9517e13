// The "rollout" section: strategy, filter, pacing, gates, abort criteria, maintenance window,
// retries, and the waves, whose sizes are checked against the eligible devices.
#include <algorithm>
#include <cmath>

#include "sim/core/json_units.hpp"
#include "sim/scenario/format_limits.hpp"
#include "sim/scenario/local_time.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

std::optional<Gate> ScenarioReader::gate(const Field& f) {
  Obj o(f, {"min_success", "max_failure", "action"});
  if (!o.valid()) return std::nullopt;
  Gate g;
  g.min_success = fraction(o["min_success"]);
  g.max_failure = fraction(o["max_failure"]);
  set(g.action, choice(o["action"], "gate action", actions()));
  return g;
}

const Choices<GateAction>& ScenarioReader::actions() {
  static const Choices<GateAction> a = [] {
    Choices<GateAction> c;
    for (size_t i = 0; i < kGateActionNames.size(); ++i) c.push_back({kGateActionNames[i], GateAction(i)});
    return c;
  }();
  return a;
}

void ScenarioReader::read_rollout(const Field& f) {
  Obj o(f, {"strategy", "waves", "order", "filter", "start", "tick", "max_concurrent", "max_per_minute", "rate",
            "gates", "abort", "maintenance_window", "execution_timeout", "retries"});
  if (!o.valid()) return;
  Rollout& r = s_.rollout;
  Field strategy = o["strategy"];
  set(r.strategy, choice(strategy, "strategy",
                         Choices<Strategy>{{"all-at-once", Strategy::AllAtOnce}, {"waves", Strategy::Waves}}));
  set(r.order, choice(o["order"], "order",
                      Choices<Order>{{"random", Order::Random}, {"cohort", Order::Cohort}, {"region", Order::Region}}));
  const size_t before_filter = p_.size();
  Obj filter(o["filter"], {"tags", "cohorts"});
  r.filter_tags = string_list(filter["tags"]);
  Field filter_cohorts = filter["cohorts"];
  for_each_element(filter_cohorts, [&](const Field& e, size_t) {
    if (auto c = reference(e, "cohort", cohort_names_)) r.filter_cohorts.push_back(*c);
  }, "an array of cohort names");
  filter_ok_ = p_.size() == before_filter;
  if (filter.valid() && fleet_ok_ && filter_ok_ && eligible_devices() == 0)
    add(p_, filter.ptr(), "no cohort matches the filter (expected at least one eligible device)");
  set(r.start, duration(o["start"]));
  set(r.tick, duration(o["tick"], Min::AboveZero));
  set(r.max_concurrent, integer(o["max_concurrent"], 1));
  set(r.max_per_minute, number(o["max_per_minute"], Range{0, true}));
  read_rate(o["rate"]);
  if (auto g = gate(o["gates"])) r.gates = *g;
  for_each_element(o["abort"], [&](const Field& e, size_t) {
    Obj a(e, {"failure", "threshold", "min_executed", "action"});
    if (!a.valid()) return;
    AbortCriterion c;
    set(c.failure, choice(a["failure"], "failure type",
                          Choices<FailureType>{{"any", FailureType::Any},
                                               {"failed", FailureType::Failed},
                                               {"timed_out", FailureType::TimedOut},
                                               {"bricked", FailureType::Bricked},
                                               {"rolled_back", FailureType::RolledBack}}));
    set(c.threshold, fraction(a.required("threshold", "a fraction like \"5%\"")));
    set(c.min_executed, integer(a["min_executed"], 1));
    set(c.action, choice(a["action"], "action", actions()));
    r.abort.push_back(c);
  });
  Obj mw(o["maintenance_window"], {"local"});
  Field local = mw.required("local", "local times \"HH:MM-HH:MM\", e.g. \"01:00-05:00\"");
  if (auto t = text(local)) {
    if (auto w = parse_maintenance_window(*t)) r.maintenance_window = *w;
    else local.error(quote(*t) + " is not a maintenance window (expected local times \"HH:MM-HH:MM\" such as "
                     "\"01:00-05:00\", start and end different)");
  }
  set(r.execution_timeout, duration(o["execution_timeout"], Min::AboveZero));
  Obj retries(o["retries"], {"max", "failure"});
  if (auto m = integer(retries.required("max", "an integer from 0 to 10"), 0, kMaxRolloutRetries))
    r.retries.max = int(*m);
  set(r.retries.failure, choice(retries["failure"], "failure type",
                                Choices<FailureType>{{"any", FailureType::Any},
                                                     {"failed", FailureType::Failed},
                                                     {"timed_out", FailureType::TimedOut}}));
  read_waves(o, strategy);
}

void ScenarioReader::read_rate(const Field& f) {
  Obj o(f, {"base_per_minute", "increment_factor", "after_notified", "after_succeeded", "max_per_minute"});
  if (!o.valid()) return;
  ExponentialRate e;
  set(e.base_per_minute, number(o.required("base_per_minute", "a number > 0"), Range{0, true}));
  set(e.increment_factor, number(o.required("increment_factor", "a number ≥ 1"), Range{1}));
  set(e.after_notified, integer(o["after_notified"], 1));
  set(e.after_succeeded, integer(o["after_succeeded"], 1));
  set(e.max_per_minute, number(o["max_per_minute"], Range{0, true}));
  if (o.has("after_notified") == o.has("after_succeeded"))
    f.error(std::string(o.has("after_notified") ? "both" : "neither of") +
            " \"after_notified\" and \"after_succeeded\" given (expected exactly one)");
  s_.rollout.rate = e;
}

// Devices eligible for the rollout: those in cohorts passing the filter.
int64_t ScenarioReader::eligible_devices() const {
  const Rollout& r = s_.rollout;
  int64_t n = 0;
  for (const auto& c : s_.cohorts) {
    bool named = r.filter_cohorts.empty() ||
                 std::find(r.filter_cohorts.begin(), r.filter_cohorts.end(), c.name) != r.filter_cohorts.end();
    bool tagged = std::all_of(r.filter_tags.begin(), r.filter_tags.end(), [&](const std::string& t) {
      return std::find(c.tags.begin(), c.tags.end(), t) != c.tags.end();
    });
    if (named && tagged) n += c.count;
  }
  return n;
}

void ScenarioReader::read_waves(const Obj& rollout, const Field& strategy) {
  Field waves = rollout["waves"];
  const bool wanted = s_.rollout.strategy == Strategy::Waves;
  const size_t before = p_.size();
  if (!wanted && waves.j) {
    waves.error("waves are only allowed with \"strategy\": \"waves\" (strategy is " +
                (strategy.j ? as_written(strategy) : std::string("\"all-at-once\" by default")) + ")");
    return;
  }
  if (wanted && !waves.j) {
    waves.error("missing required key \"waves\" (expected an array of waves for \"strategy\": \"waves\")");
    return;
  }
  if (!waves.j) return;
  if (waves.j->is_array() && waves.j->empty()) waves.error("no waves (expected at least one wave)");

  std::optional<double> last_percent;
  size_t last_percent_index = 0;
  std::set<size_t> ordered_badly;
  for_each_element(waves, [&](const Field& wf, size_t i) {
    Obj o(wf, {"devices", "percent", "soak", "gate"});
    if (!o.valid()) return;
    Wave w;
    if (o.has("devices") == o.has("percent"))
      wf.error(std::string(o.has("devices") ? "both" : "neither of") +
               " \"devices\" and \"percent\" given (expected exactly one: this wave's own device count, or the "
               "cumulative share after it)");
    w.devices = integer(o["devices"], 1, kMaxWaveDevices);
    Field pf = o["percent"];
    if (auto p = unbounded_fraction(pf)) {
      if (*p <= 0) {
        pf.error("cumulative share " + percent_text(*p) + " is not above 0% (expected a share like \"10%\")");
      } else if (*p > 1) {
        const std::string hint = percent_meant(pf);
        pf.error(hint.empty() ? "cumulative share " + percent_text(*p) + " is above 100% (expected at most \"100%\")"
                              : as_written(pf) + " is above 1" + hint);
      } else if (last_percent && *p <= *last_percent) {
        pf.error("cumulative share " + percent_text(*p) + " is not above " +
                 (last_percent_index + 1 == i ? std::string("the previous wave's ")
                                              : "wave " + std::to_string(last_percent_index) + "'s ") +
                 percent_text(*last_percent) + " (expected waves in increasing order)");
        ordered_badly.insert(i);
      } else {
        w.percent = p;
        last_percent = p;
        last_percent_index = i;
      }
    }
    set(w.soak, duration(o["soak"]));
    w.gate = gate(o["gate"]);
    s_.rollout.waves.push_back(w);
  });
  if (p_.size() != before || !fleet_ok_ || !filter_ok_ || !waves.j->is_array()) return;
  if (s_.rollout.waves.size() > kMaxWaves) {
    add(p_, waves.ptr,
        std::to_string(s_.rollout.waves.size()) + " waves (expected at most " + std::to_string(kMaxWaves) + ")");
    return;
  }

  // Sizes only make sense once every wave and the fleet are known.
  const int64_t eligible = eligible_devices();
  if (eligible == 0) return;  // reported with the filter
  int64_t end = 0;
  for (size_t i = 0; i < s_.rollout.waves.size(); ++i) {
    const Wave& w = s_.rollout.waves[i];
    const std::string wp = child(waves.ptr, i);
    if (w.devices) {
      int64_t new_end = end + *w.devices;
      if (new_end > eligible) {
        add(p_, child(wp, "devices"),
            "waves add up to " + std::to_string(new_end) + " devices, more than the " + std::to_string(eligible) +
                " eligible devices (expected at most " + std::to_string(eligible) + " in total)");
        return;
      }
      end = new_end;
    } else if (w.percent) {
      int64_t new_end = std::llround(*w.percent * double(eligible));
      if (new_end <= end) {
        add(p_, child(wp, "percent"),
            "wave " + std::to_string(i) + " is empty: cumulative share " + percent_text(*w.percent) + " of " +
                std::to_string(eligible) + " eligible devices ends at device " + std::to_string(new_end) +
                ", and the waves before it already reach device " + std::to_string(end) +
                " (expected each wave to add devices)");
        return;
      }
      end = new_end;
    }
  }
}

}  // namespace fleetsim
