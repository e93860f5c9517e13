// The top level of a scenario document: its keys, the scalar settings (name, seed, start,
// duration, output, kernel), and the sections in the order their cross references need.
#include <cmath>

#include "sim/core/json_units.hpp"
#include "sim/kernel/network_models.hpp"
#include "sim/scenario/format_limits.hpp"
#include "sim/scenario/local_time.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

namespace {

const std::vector<std::string> kTopLevelKeys = {
    "$schema", "name",     "description", "seed",     "start",  "duration",  "output", "device_models",
    "regions", "platform", "fleet",       "firmware", "rollout", "faults", "assertions", "kernel", "hil"};

}  // namespace

std::optional<Scenario> ScenarioReader::read(const std::string& file) {
  s_.file = file;
  Obj top(p_, &doc_, "", kTopLevelKeys);
  if (!top.valid()) return std::nullopt;
  set(s_.name, text(top.required("name", "a string naming the scenario")));
  (void)text(top["description"], true);
  (void)text(top["$schema"], true);
  if (auto seed = integer(top["seed"], 0)) s_.seed = uint64_t(*seed);
  s_.start_text = "2026-01-01T00:00:00Z";
  Field start = top["start"];
  if (auto t = text(start)) {
    if (auto unix = parse_utc_timestamp(*t)) {
      s_.start_text = *t;
      s_.start_unix = *unix;
    } else {
      start.error(quote(*t) + " is not a timestamp (expected an ISO 8601 UTC time like \"2026-12-01T00:00:00Z\")");
    }
  } else {
    s_.start_unix = *parse_utc_timestamp(s_.start_text);
  }
  duration_ok_ = false;
  Field duration_field = top.required("duration", "a duration like \"72h\"");
  if (auto d = duration(duration_field, Min::AboveZero)) {
    if (d->value > kMaxDurationSeconds) {
      duration_field.error(as_written(duration_field) + " is too long (expected at most 3650d, ten years)");
    } else {
      s_.duration = *d;
      duration_ok_ = true;
    }
  }
  Obj output(top["output"], {"interval"});
  Field interval = output["interval"];
  set(s_.output.sample_interval, duration(interval, Min::AboveZero));
  // Each sample is a time-series row kept in memory and written to timeseries.csv.
  if (duration_ok_ && s_.duration.value / s_.output.sample_interval.value > kMaxSamples)
    add(p_, interval.j ? interval.ptr : "/duration",
        "the run takes " + number_text(std::floor(s_.duration.value / s_.output.sample_interval.value)) +
            " samples (duration / output.interval; expected at most " + number_text(kMaxSamples) +
            ": a longer output.interval)");
  Obj kernel(top["kernel"], {"simgrid"});
  Obj simgrid(kernel["simgrid"], {"network_model"});
  Choices<std::string> network_models;
  for (const std::string& m : simgrid_network_models()) network_models.push_back({m, m});
  set(s_.kernel.simgrid_network_model, choice(simgrid["network_model"], "SimGrid network model", network_models));

  read_device_models(top["device_models"]);
  read_regions(top.required("regions", "an object of regions, e.g. {\"eu-west\": {}}"));
  read_platform(top["platform"]);
  const size_t before_fleet = p_.size();
  read_fleet(top.required("fleet", "an object with \"cohorts\""));
  fleet_ok_ = p_.size() == before_fleet;
  read_firmware(top.required("firmware", "an object with \"target\" and \"size\""));
  read_rollout(top.required("rollout", "an object with \"strategy\""));
  if (count_within(top["faults"], kMaxFaults, "faults"))
    for_each_element(top["faults"], [&](const Field& f, size_t) { read_fault(f); });
  if (count_within(top["assertions"], kMaxAssertions, "assertions"))
    for_each_element(top["assertions"], [&](const Field& f, size_t) { read_assertion(f); });
  s_.hil = read_hil(top["hil"], file, s_.rollout, cohort_names_);
  if (!p_.empty()) return std::nullopt;
  return std::move(s_);
}

// {"at": duration, "for": duration > 0} inside an object whose keys the caller has checked.
std::optional<TimeWindow> ScenarioReader::window(const Obj& o) {
  auto at = duration(o.required("at", "a duration from the start, like \"2h\""));
  auto length = duration(o.required("for", "a duration like \"30m\""), Min::AboveZero);
  if (!at || !length) return std::nullopt;
  return TimeWindow{*at, *length};
}

}  // namespace fleetsim
