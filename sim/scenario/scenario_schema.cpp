// JSON Schema (draft 2020-12) of the scenario format (README "Scenario format"), for editors and
// external tools. The loader does not use it, but both describe one format:
// tests/scenarios/schema_agreement_test.cpp has a real validator and the loader judge the same
// documents, and they must agree except where the loader checks what a schema cannot say (cross
// references, sums, orderings; that test lists them). Built from small helpers so that the many
// "object with these keys and no others" parts read as one line each.
#include <limits>
#include <string>
#include <vector>

#include "sim/kernel/network_models.hpp"
#include "sim/scenario/assertion_metrics.hpp"
#include "sim/scenario/format_limits.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace fleetsim {
namespace {

using json = nlohmann::json;

constexpr long long kMaxInteger = std::numeric_limits<int64_t>::max();

json ref(const std::string& name) { return json{{"$ref", "#/$defs/" + name}}; }

// The loader reads every string it is given as non-empty, except descriptions.
json str() { return json{{"type", "string"}, {"minLength", 1}}; }
json any_str() { return json{{"type", "string"}}; }

json pattern(const std::string& description, const std::string& regex) {
  return json{{"type", "string"}, {"description", description}, {"pattern", regex}};
}

json integer(long long min, long long max = kMaxInteger) {
  return json{{"type", "integer"}, {"minimum", min}, {"maximum", max}};
}

json number_above(double min) { return json{{"type", "number"}, {"exclusiveMinimum", min}}; }

json one_of_strings(const std::vector<std::string>& values) { return json{{"enum", values}}; }

json array_of(json items, int min_items = 0, size_t max_items = 0) {
  json a{{"type", "array"}, {"items", std::move(items)}};
  if (min_items > 0) a["minItems"] = min_items;
  if (max_items > 0) a["maxItems"] = max_items;
  return a;
}

json strings() { return array_of(str()); }

// An object with exactly these keys (unknown keys are errors in the format).
json object(json properties, const std::vector<std::string>& required = {}) {
  json o{{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) o["required"] = required;
  return o;
}

// An object whose keys are names (regions, versions, models) and values all `value`.
json map_of(json value, int min_properties = 0) {
  json o{{"type", "object"}, {"additionalProperties", std::move(value)}};
  if (min_properties > 0) o["minProperties"] = min_properties;
  return o;
}

// "When `metric` is as `condition` says, the assertion must also match `then`."
json when_metric(json condition, json then) {
  return json{{"if", {{"properties", {{"metric", std::move(condition)}}}, {"required", {"metric"}}}},
              {"then", std::move(then)}};
}

// A fixed value in `unit` or one of the distribution objects over that unit; a lognormal's
// median and an exponential's mean must be above zero (`positive_unit`).
json distribution_of(const std::string& unit, const std::string& positive_unit) {
  auto kind = [](const char* name) { return json{{"const", name}}; };
  json variants = json::array({
      object({{"dist", kind("fixed")}, {"value", ref(unit)}}, {"dist", "value"}),
      object({{"dist", kind("uniform")}, {"min", ref(unit)}, {"max", ref(unit)}}, {"dist", "min", "max"}),
      object({{"dist", kind("normal")}, {"mean", ref(unit)}, {"stddev", ref(unit)}}, {"dist", "mean", "stddev"}),
      object({{"dist", kind("lognormal")}, {"median", ref(positive_unit)}, {"p95", ref(unit)}},
             {"dist", "median", "p95"}),
      object({{"dist", kind("exponential")}, {"mean", ref(positive_unit)}}, {"dist", "mean"}),
  });
  return json{{"anyOf", json::array({ref(unit), json{{"oneOf", std::move(variants)}}})}};
}

json units_defs() {
  // sim/core/units.cpp's number: digits, then optionally a dot and digits; no sign, no exponent.
  const std::string num = "[0-9]+(\\.[0-9]+)?";
  // A quantity is zero unless some digit is not.
  const std::string nonzero = "(?=.*[1-9])";
  const std::string duration = "(" + num + "d)?(" + num + "h)?(" + num + "m)?(" + num + "s)?(" + num + "ms)?$";
  const std::string rate = num + "(bps|kbps|Mbps|Gbps|Tbps|B/s|kB/s|MB/s|GB/s|TB/s|KiB/s|MiB/s|GiB/s|TiB/s)$";
  // A fraction written as a string: a number in [0, 1], or a percentage in [0%, 100%].
  const std::string fraction = "(0*(0(\\.[0-9]+)?|1(\\.0+)?)|0*([0-9]{1,2}(\\.[0-9]+)?|100(\\.0+)?)%)$";
  const std::string fraction_text = "a fraction: \"0.5%\" or a number in [0, 1]";
  json defs;
  defs["duration"] = pattern("a duration like \"250ms\", \"45s\", \"30m\", \"72h\", \"2d\" or \"1h30m\"",
                             "^(?=[0-9])" + duration);
  defs["positiveDuration"] = pattern("a duration above zero, like \"250ms\", \"30m\" or \"1h30m\"",
                                     "^(?=[0-9])" + nonzero + duration);
  defs["size"] =
      pattern("a size above zero like \"512B\", \"320KiB\", \"1.8MiB\" or \"3MB\" (kB = 1000 B, KiB = 1024 B)",
              "^" + nonzero + num + "(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)$");
  defs["rate"] = pattern("a rate like \"25kbps\", \"10Gbps\" (bits/s) or \"100MB/s\", \"64KiB/s\" (bytes/s)",
                         "^" + rate);
  defs["positiveRate"] = pattern("a rate above zero like \"25kbps\", \"10Gbps\" (bits/s) or \"100MB/s\" (bytes/s)",
                                 "^" + nonzero + rate);
  defs["perSecond"] = pattern("a request rate above zero like \"5000/s\", \"300/min\" or \"20/h\"",
                              "^" + nonzero + num + "/(s|min|h)$");
  defs["fraction"] = json{
      {"description", fraction_text},
      {"anyOf", json::array({json{{"type", "number"}, {"minimum", 0}, {"maximum", 1}},
                             pattern("a fraction or a percentage", "^" + fraction)})}};
  defs["positiveFraction"] = json{
      {"description", fraction_text + ", above zero"},
      {"anyOf", json::array({json{{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 1}},
                             pattern("a fraction or a percentage above zero", "^" + nonzero + fraction)})}};
  // Field ranges as sim/scenario/local_time.cpp checks them; whether the day exists in that
  // month is left to the loader.
  const std::string hh = "([01][0-9]|2[0-3])", mm = "[0-5][0-9]";
  defs["timestamp"] = pattern("an ISO 8601 time like \"2026-12-01T00:00:00Z\"",
                              "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T" + hh + ":" + mm + ":" + mm +
                                  "(Z|[+-]" + hh + ":" + mm + ")$");
  // Two different local times: the lookahead refuses a window that starts where it ends.
  defs["maintenanceWindow"] = pattern("local times \"HH:MM-HH:MM\", start and end different",
                                      "^(?!([0-9]{2}:[0-9]{2})-\\1$)" + hh + ":" + mm + "-" + hh + ":" + mm + "$");
  defs["durationOrDistribution"] = distribution_of("duration", "positiveDuration");
  defs["rateOrDistribution"] = distribution_of("rate", "positiveRate");
  defs["fractionOrDistribution"] = distribution_of("fraction", "positiveFraction");
  return defs;
}

json device_model_def() {
  json link = object({{"type", one_of_strings({"nb-iot", "lte-m", "lte", "wifi", "ethernet", "lorawan", "ble"})},
                      {"downlink", ref("rateOrDistribution")},
                      {"rtt", ref("durationOrDistribution")},
                      {"flakiness", object({{"mean_good", ref("positiveDuration")},
                                            {"mean_bad", ref("positiveDuration")},
                                            {"bad_state", one_of_strings({"stall", "drop"})}},
                                           {"mean_good", "mean_bad"})},
                      {"resume", json{{"type", "boolean"}}}},
                     {"type", "downlink"});
  json storage = object({{"layout", one_of_strings({"ab", "single"})}, {"flash_write_rate", ref("positiveRate")}},
                        {"layout"});
  json phases = object({{"verify", ref("durationOrDistribution")},
                        {"install", ref("durationOrDistribution")},
                        {"reboot", ref("durationOrDistribution")},
                        {"health_check", ref("durationOrDistribution")}});
  json failures = object({{"corruption", ref("fraction")},
                          {"install_failure", ref("fraction")},
                          {"power_loss_per_hour", ref("fraction")}});
  json retry = object({{"max_attempts", integer(1, kMaxRetryAttempts)},
                       {"backoff_base", ref("duration")},
                       {"backoff_cap", ref("duration")},
                       {"jitter", ref("fraction")}});
  json battery = object({{"level", ref("fractionOrDistribution")},
                         {"threshold", ref("fraction")},
                         {"recharge", ref("durationOrDistribution")}},
                        {"level", "threshold", "recharge"});
  json behaviour = object({{"notification", one_of_strings({"poll", "push"})},
                           {"poll_interval", ref("positiveDuration")},
                           {"poll_jitter", ref("duration")},
                           {"retry", retry},
                           {"battery", battery}});
  json sources = map_of(str());
  sources["propertyNames"] = one_of_strings(device_model_parameter_paths());
  return object({{"name", str()},
                 {"description", any_str()},
                 {"link", link},
                 {"storage", storage},
                 {"phases", phases},
                 {"failures", failures},
                 {"behaviour", behaviour},
                 {"sources", sources}},
                {"link", "storage"});
}

json window() { return object({{"at", ref("duration")}, {"for", ref("positiveDuration")}}, {"at", "for"}); }

json region_def() {
  json degradation = object({{"at", ref("duration")}, {"for", ref("positiveDuration")}, {"factor", ref("fraction")}},
                            {"at", "for", "factor"});
  return object({{"rtt", ref("duration")},
                 {"backhaul", ref("rate")},
                 {"outages", array_of(window())},
                 {"degradations", array_of(degradation)},
                 {"sites", integer(1, kMaxSites)}});
}

json platform_def() {
  json cdn = object({{"regions", map_of(object({{"egress", ref("positiveRate")}}, {"egress"}))},
                     {"max_connections", integer(1)}});
  return object({{"cdn", cdn},
                 {"update_service", object({{"capacity", ref("perSecond")}}, {"capacity"})},
                 {"broker", object({{"max_connections", integer(1)}, {"connect_rate", ref("perSecond")}})}});
}

json cohort_def() {
  json timezone = str();
  timezone["description"] = "an IANA time zone such as \"Europe/Berlin\"";
  return object({{"name", str()},
                 {"model", str()},
                 {"count", integer(1, kMaxCohortCount)},
                 {"region", str()},
                 {"timezone", timezone},
                 {"firmware", map_of(ref("fraction"), 1)},
                 {"tags", strings()}},
                {"name", "model", "count", "region", "firmware"});
}

json firmware_def() {
  json image = object({{"size", ref("size")}, {"delta", map_of(ref("size"))}, {"boot_failure", ref("fraction")}},
                      {"size"});
  json firmware = object({{"target", str()},
                          {"size", ref("size")},
                          {"delta", map_of(ref("size"))},
                          {"boot_failure", json{{"anyOf", json::array({ref("fraction"), map_of(ref("fraction"))})}}},
                          {"images", map_of(std::move(image))}},
                         {"target"});
  // The shared size, or images per model (whether they cover the fleet's models is the loader's check).
  firmware["anyOf"] = json::array({json{{"required", {"size"}}}, json{{"required", {"images"}}}});
  return firmware;
}

json rollout_def() {
  const json action = one_of_strings(std::vector<std::string>(kGateActionNames.begin(), kGateActionNames.end()));
  json wave_props{{"devices", integer(1, kMaxWaveDevices)},
                  {"percent", ref("positiveFraction")},
                  {"soak", ref("duration")},
                  {"gate", ref("gate")}};
  json wave = object(wave_props);
  wave["oneOf"] = json::array({json{{"required", {"devices"}}}, json{{"required", {"percent"}}}});
  json waves = array_of(wave, 1);
  waves["maxItems"] = kMaxWaves;
  json rate = object({{"base_per_minute", number_above(0)},
                      {"increment_factor", json{{"type", "number"}, {"minimum", 1}}},
                      {"after_notified", integer(1)},
                      {"after_succeeded", integer(1)},
                      {"max_per_minute", number_above(0)}},
                     {"base_per_minute", "increment_factor"});
  rate["oneOf"] = json::array({json{{"required", {"after_notified"}}}, json{{"required", {"after_succeeded"}}}});
  json abort = object({{"failure", one_of_strings({"any", "failed", "timed_out", "bricked", "rolled_back"})},
                       {"threshold", ref("fraction")},
                       {"min_executed", integer(1)},
                       {"action", action}},
                      {"threshold"});
  json rollout = object({{"strategy", one_of_strings({"all-at-once", "waves"})},
                         {"waves", waves},
                         {"order", one_of_strings({"random", "cohort", "region"})},
                         {"filter", object({{"tags", strings()}, {"cohorts", strings()}})},
                         {"start", ref("duration")},
                         {"tick", ref("positiveDuration")},
                         {"max_concurrent", integer(1)},
                         {"max_per_minute", number_above(0)},
                         {"rate", rate},
                         {"gates", ref("gate")},
                         {"abort", array_of(abort)},
                         {"maintenance_window", object({{"local", ref("maintenanceWindow")}}, {"local"})},
                         {"execution_timeout", ref("positiveDuration")},
                         {"retries", object({{"max", integer(0, kMaxRolloutRetries)},
                                             {"failure", one_of_strings({"any", "failed", "timed_out"})}},
                                            {"max"})}});
  // "waves" is required with the "waves" strategy and forbidden otherwise.
  rollout["if"] = json{{"properties", {{"strategy", {{"const", "waves"}}}}}, {"required", {"strategy"}}};
  rollout["then"] = json{{"required", {"waves"}}};
  rollout["else"] = json{{"not", {{"required", {"waves"}}}}};
  return rollout;
}

json fault_def() {
  auto kind = [](const char* name) { return json{{"const", name}}; };
  auto d = ref("duration");
  auto positive = ref("positiveDuration");
  auto f = ref("fraction");
  return json{{"oneOf", json::array({
      object({{"kind", kind("region_outage")}, {"region", str()}, {"at", d}, {"for", positive}},
             {"kind", "region", "at", "for"}),
      object({{"kind", kind("cdn_degradation")}, {"region", str()}, {"at", d}, {"for", positive}, {"factor", f}},
             {"kind", "at", "for", "factor"}),
      object({{"kind", kind("update_service_brownout")}, {"at", d}, {"for", positive}, {"factor", f}},
             {"kind", "at", "for", "factor"}),
      object({{"kind", kind("bad_build")}, {"at", d}, {"boot_failure", f}, {"models", strings()}},
             {"kind", "boot_failure"}),
      object({{"kind", kind("corrupt_artifact")}, {"region", str()}, {"at", d}, {"for", positive}},
             {"kind", "at", "for"}),
      object({{"kind", kind("power_loss")}, {"at", d}, {"region", str()}, {"cohort", str()}, {"fraction", f}},
             {"kind", "at"}),
  })}};
}

// One alternative per metric, so that editors show each name's help (and unit) as they complete it.
json metric_def() {
  json names = json::array();
  for (const AssertionMetricInfo& m : kAssertionMetrics) {
    std::string description(m.help);
    if (!m.unit.empty()) description += " [" + std::string(m.unit) + "]";
    names.push_back(json{{"const", std::string(m.name)}, {"description", description}});
  }
  return json{{"oneOf", std::move(names)}};
}

json assertion_def() {
  const json state = json{{"const", "rollout.state"}};
  const json time_to = json{{"pattern", "^rollout\\.time_to_"}};
  const json on_target = json{{"const", "fleet.on_target_fraction"}};
  // Rate and size metrics take a value with a unit or a number in the metric's unit.
  json rate_names = json::array(), size_names = json::array();
  for (const AssertionMetricInfo& m : kAssertionMetrics) {
    if (m.unit == "bit/s") rate_names.push_back(std::string(m.name));
    if (m.unit == "B") size_names.push_back(std::string(m.name));
  }
  const json rate_metric = json{{"enum", rate_names}}, size_metric = json{{"enum", size_names}};
  json a = object({{"metric", metric_def()},
                   {"at", json{{"anyOf", json::array({json{{"const", "end"}}, ref("duration")})}}},
                   {"op", one_of_strings({">=", ">", "<=", "<", "==", "!="})},
                   {"value", json{{"type", json::array({"number", "string"})}}}},
                  {"metric", "op", "value"});
  // What "value" is, and which "op" and "at" fit, depends on the metric.
  a["allOf"] = json::array({
      when_metric(state, {{"properties", {{"value", one_of_strings(rollout_states())},
                                          {"op", one_of_strings({"==", "!="})}}}}),
      when_metric(time_to, {{"properties", {{"value", ref("duration")}}}}),
      when_metric(on_target, {{"properties", {{"value", ref("fraction")}}}}),
      when_metric(rate_metric,
                  {{"properties", {{"value", {{"anyOf", json::array({json{{"type", "number"}}, ref("rate")})}}}}}}),
      when_metric(size_metric,
                  {{"properties", {{"value", {{"anyOf", json::array({json{{"type", "number"}}, ref("size")})}}}}}}),
      when_metric(json{{"not", {{"anyOf", json::array({state, time_to, on_target, rate_metric, size_metric})}}}},
                  {{"properties", {{"value", {{"type", "number"}}}}}}),
      // Only the fleet's and the devices' counts, and the rollout's state, exist mid-run.
      when_metric(json{{"not", {{"pattern", "^(fleet\\.|devices\\.|rollout\\.state$)"}}}},
                  {{"properties", {{"at", {{"const", "end"}}}}}}),
  });
  return a;
}

}  // namespace

json scenario_json_schema() {
  json defs = units_defs();
  defs["deviceModel"] = device_model_def();
  defs["region"] = region_def();
  defs["gate"] = object({{"min_success", ref("fraction")},
                         {"max_failure", ref("fraction")},
                         {"action", one_of_strings(std::vector<std::string>(kGateActionNames.begin(), kGateActionNames.end()))}});
  defs["cohort"] = cohort_def();
  defs["fault"] = fault_def();
  defs["assertion"] = assertion_def();

  json regions = map_of(ref("region"), 1);
  regions["propertyNames"] = str();
  json schema = object({{"$schema", any_str()},
                        {"name", str()},
                        {"description", any_str()},
                        {"seed", integer(0)},
                        {"start", ref("timestamp")},
                        {"duration", ref("positiveDuration")},
                        {"output", object({{"interval", ref("positiveDuration")}})},
                        {"device_models", map_of(ref("deviceModel"))},
                        {"regions", regions},
                        {"platform", platform_def()},
                        {"fleet", object({{"cohorts", array_of(ref("cohort"), 1, kMaxCohorts)}}, {"cohorts"})},
                        {"firmware", firmware_def()},
                        {"rollout", rollout_def()},
                        {"faults", array_of(ref("fault"), 0, kMaxFaults)},
                        {"assertions", array_of(ref("assertion"), 0, kMaxAssertions)},
                        {"kernel", object({{"simgrid", object({{"network_model",
                                                                one_of_strings(simgrid_network_models())}})}})},
                        {"hil", object({{"image", str()},
                                        {"baseline", str()},
                                        {"required", json{{"type", "boolean"}}},
                                        {"boards_in", pattern("device slots the boards stand in for: wave:N or cohort:NAME",
                                                              "^(wave:[0-9]+|cohort:.+)$")},
                                        {"pace", json{{"type", "number"}, {"exclusiveMinimum", 0},
                                                      {"maximum", kMaxHilPace}}},
                                        {"impair", json{{"type", "boolean"}}},
                                        {"console", json{{"type", "array"},
                                                         {"items", object({{"expect", json{{"type", "string"}, {"minLength", 1}}},
                                                                           {"within", ref("positiveDuration")}},
                                                                          {"expect"})}}}},
                                       {"image"})}},
                       {"name", "duration", "regions", "fleet", "firmware", "rollout"});
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["$id"] = "https://fleetsim.dev/scenario.schema.json";
  schema["title"] = "fleetsim scenario";
  schema["$defs"] = std::move(defs);
  return schema;
}

}  // namespace fleetsim
