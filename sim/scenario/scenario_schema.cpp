// JSON Schema (draft 2020-12) of the scenario format (README "Scenario format"), for editors and
// external tools. The loader does not use it: its own checks are stricter (cross references,
// sums, orderings) and give better messages. Built from small helpers so that the many
// "object with these keys and no others" parts read as one line each.
#include <string>
#include <vector>

#include "sim/scenario/assertion_metrics.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/kernel/network_models.hpp"

namespace fleetsim {
namespace {

using json = nlohmann::json;

json ref(const std::string& name) { return json{{"$ref", "#/$defs/" + name}}; }

json str() { return json{{"type", "string"}}; }

json pattern(const std::string& description, const std::string& regex) {
  return json{{"type", "string"}, {"description", description}, {"pattern", regex}};
}

json integer(long long min) { return json{{"type", "integer"}, {"minimum", min}}; }

json integer(long long min, long long max) { return json{{"type", "integer"}, {"minimum", min}, {"maximum", max}}; }

json number_above(double min) { return json{{"type", "number"}, {"exclusiveMinimum", min}}; }

json one_of_strings(const std::vector<std::string>& values) { return json{{"enum", values}}; }

json array_of(json items, int min_items = 0) {
  json a{{"type", "array"}, {"items", std::move(items)}};
  if (min_items > 0) a["minItems"] = min_items;
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

// A fixed value in `unit` or one of the distribution objects over that unit.
json distribution_of(const std::string& unit) {
  auto kind = [](const char* name) { return json{{"const", name}}; };
  json variants = json::array({
      object({{"dist", kind("fixed")}, {"value", ref(unit)}}, {"dist", "value"}),
      object({{"dist", kind("uniform")}, {"min", ref(unit)}, {"max", ref(unit)}}, {"dist", "min", "max"}),
      object({{"dist", kind("normal")}, {"mean", ref(unit)}, {"stddev", ref(unit)}}, {"dist", "mean", "stddev"}),
      object({{"dist", kind("lognormal")}, {"median", ref(unit)}, {"p95", ref(unit)}}, {"dist", "median", "p95"}),
      object({{"dist", kind("exponential")}, {"mean", ref(unit)}}, {"dist", "mean"}),
  });
  return json{{"anyOf", json::array({ref(unit), json{{"oneOf", std::move(variants)}}})}};
}

json units_defs() {
  const std::string num = "[0-9]+(\\.[0-9]+)?";
  json defs;
  defs["duration"] = pattern("a duration like \"250ms\", \"45s\", \"30m\", \"72h\", \"2d\" or \"1h30m\"",
                             "^(?=[0-9])(" + num + "d)?(" + num + "h)?(" + num + "m)?(" + num + "s)?(" + num +
                                 "ms)?$");
  defs["size"] = pattern("a size like \"512B\", \"320KiB\", \"1.8MiB\" or \"3MB\" (kB = 1000 B, KiB = 1024 B)",
                         "^" + num + "(B|kB|MB|GB|TB|KiB|MiB|GiB|TiB)$");
  defs["rate"] = pattern("a rate like \"25kbps\", \"10Gbps\" (bits/s) or \"100MB/s\", \"64KiB/s\" (bytes/s)",
                         "^" + num + "(bps|kbps|Mbps|Gbps|Tbps|B/s|kB/s|MB/s|GB/s|TB/s|KiB/s|MiB/s|GiB/s|TiB/s)$");
  defs["perSecond"] = pattern("a request rate like \"5000/s\", \"300/min\" or \"20/h\"", "^" + num + "/(s|min|h)$");
  defs["fraction"] = json{
      {"description", "a fraction: \"0.5%\" or a number in [0, 1]"},
      {"anyOf", json::array({json{{"type", "number"}, {"minimum", 0}, {"maximum", 1}},
                             pattern("a percentage", "^" + num + "%$")})}};
  defs["timestamp"] = pattern("an ISO 8601 time like \"2026-12-01T00:00:00Z\"",
                              "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$");
  defs["durationOrDistribution"] = distribution_of("duration");
  defs["rateOrDistribution"] = distribution_of("rate");
  defs["fractionOrDistribution"] = distribution_of("fraction");
  return defs;
}

json device_model_def() {
  json link = object({{"type", one_of_strings({"nb-iot", "lte-m", "lte", "wifi", "ethernet", "lorawan", "ble"})},
                      {"downlink", ref("rateOrDistribution")},
                      {"rtt", ref("durationOrDistribution")},
                      {"flakiness", object({{"mean_good", ref("duration")},
                                            {"mean_bad", ref("duration")},
                                            {"bad_state", one_of_strings({"stall", "drop"})}},
                                           {"mean_good", "mean_bad"})},
                      {"resume", json{{"type", "boolean"}}}},
                     {"type", "downlink"});
  json storage = object({{"layout", one_of_strings({"ab", "single"})}, {"flash_write_rate", ref("rate")}}, {"layout"});
  json phases = object({{"verify", ref("durationOrDistribution")},
                        {"install", ref("durationOrDistribution")},
                        {"reboot", ref("durationOrDistribution")},
                        {"health_check", ref("durationOrDistribution")}});
  json failures = object({{"corruption", ref("fraction")},
                          {"install_failure", ref("fraction")},
                          {"power_loss_per_hour", ref("fraction")}});
  json retry = object({{"max_attempts", integer(1)},
                       {"backoff_base", ref("duration")},
                       {"backoff_cap", ref("duration")},
                       {"jitter", ref("fraction")}});
  json battery = object({{"level", ref("fractionOrDistribution")},
                         {"threshold", ref("fraction")},
                         {"recharge", ref("durationOrDistribution")}},
                        {"level", "threshold", "recharge"});
  json behaviour = object({{"notification", one_of_strings({"poll", "push"})},
                           {"poll_interval", ref("duration")},
                           {"poll_jitter", ref("duration")},
                           {"retry", retry},
                           {"battery", battery}});
  return object({{"name", str()},
                 {"description", str()},
                 {"link", link},
                 {"storage", storage},
                 {"phases", phases},
                 {"failures", failures},
                 {"behaviour", behaviour},
                 {"sources", map_of(str())}},
                {"link", "storage"});
}

json window() { return object({{"at", ref("duration")}, {"for", ref("duration")}}, {"at", "for"}); }

json region_def() {
  json degradation = object({{"at", ref("duration")}, {"for", ref("duration")}, {"factor", ref("fraction")}},
                            {"at", "for", "factor"});
  return object({{"rtt", ref("duration")},
                 {"backhaul", ref("rate")},
                 {"outages", array_of(window())},
                 {"degradations", array_of(degradation)},
                 {"sites", integer(1, kMaxSites)}});
}

json platform_def() {
  json cdn = object({{"regions", map_of(object({{"egress", ref("rate")}}, {"egress"}))}, {"max_connections", integer(1)}});
  return object({{"cdn", cdn},
                 {"update_service", object({{"capacity", ref("perSecond")}}, {"capacity"})},
                 {"broker", object({{"max_connections", integer(1)}, {"connect_rate", ref("perSecond")}})}});
}

json cohort_def() {
  return object({{"name", str()},
                 {"model", str()},
                 {"count", integer(1)},
                 {"region", str()},
                 {"timezone", json{{"type", "string"}, {"description", "an IANA time zone such as \"Europe/Berlin\""}}},
                 {"firmware", map_of(ref("fraction"), 1)},
                 {"tags", strings()}},
                {"name", "model", "count", "region", "firmware"});
}

json firmware_def() {
  return object({{"target", str()},
                 {"size", ref("size")},
                 {"delta", map_of(ref("size"))},
                 {"boot_failure", json{{"anyOf", json::array({ref("fraction"), map_of(ref("fraction"))})}}}},
                {"target", "size"});
}

json rollout_def() {
  const json action = one_of_strings({"pause", "abort", "rollback"});
  json wave_props{{"devices", integer(1)}, {"percent", ref("fraction")}, {"soak", ref("duration")}, {"gate", ref("gate")}};
  json wave = object(wave_props);
  wave["oneOf"] = json::array({json{{"required", {"devices"}}}, json{{"required", {"percent"}}}});
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
                         {"waves", array_of(wave, 1)},
                         {"order", one_of_strings({"random", "cohort", "region"})},
                         {"filter", object({{"tags", strings()}, {"cohorts", strings()}})},
                         {"start", ref("duration")},
                         {"tick", ref("duration")},
                         {"max_concurrent", integer(1)},
                         {"max_per_minute", number_above(0)},
                         {"rate", rate},
                         {"gates", ref("gate")},
                         {"abort", array_of(abort)},
                         {"maintenance_window",
                          object({{"local", pattern("local times \"HH:MM-HH:MM\"",
                                                    "^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$")}},
                                 {"local"})},
                         {"execution_timeout", ref("duration")},
                         {"retries", object({{"max", integer(0, 10)},
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
  auto f = ref("fraction");
  return json{{"oneOf", json::array({
      object({{"kind", kind("region_outage")}, {"region", str()}, {"at", d}, {"for", d}}, {"kind", "region", "at", "for"}),
      object({{"kind", kind("cdn_degradation")}, {"region", str()}, {"at", d}, {"for", d}, {"factor", f}},
             {"kind", "at", "for", "factor"}),
      object({{"kind", kind("update_service_brownout")}, {"at", d}, {"for", d}, {"factor", f}},
             {"kind", "at", "for", "factor"}),
      object({{"kind", kind("bad_build")}, {"at", d}, {"boot_failure", f}, {"models", strings()}},
             {"kind", "boot_failure"}),
      object({{"kind", kind("corrupt_artifact")}, {"region", str()}, {"at", d}, {"for", d}}, {"kind", "at", "for"}),
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
  return object({{"metric", metric_def()},
                 {"at", json{{"anyOf", json::array({json{{"const", "end"}}, ref("duration")})}}},
                 {"op", one_of_strings({">=", ">", "<=", "<", "==", "!="})},
                 {"value", json{{"type", json::array({"number", "string"})}}}},
                {"metric", "op", "value"});
}

}  // namespace

json scenario_json_schema() {
  json defs = units_defs();
  defs["deviceModel"] = device_model_def();
  defs["region"] = region_def();
  defs["gate"] = object({{"min_success", ref("fraction")},
                         {"max_failure", ref("fraction")},
                         {"action", one_of_strings({"pause", "abort", "rollback"})}});
  defs["cohort"] = cohort_def();
  defs["fault"] = fault_def();
  defs["assertion"] = assertion_def();

  json schema = object({{"$schema", str()},
                        {"name", str()},
                        {"description", str()},
                        {"seed", integer(0)},
                        {"start", ref("timestamp")},
                        {"duration", ref("duration")},
                        {"output", object({{"interval", ref("duration")}})},
                        {"device_models", map_of(ref("deviceModel"))},
                        {"regions", map_of(ref("region"), 1)},
                        {"platform", platform_def()},
                        {"fleet", object({{"cohorts", array_of(ref("cohort"), 1)}}, {"cohorts"})},
                        {"firmware", firmware_def()},
                        {"rollout", rollout_def()},
                        {"faults", array_of(ref("fault"))},
                        {"assertions", array_of(ref("assertion"))},
                        {"kernel", object({{"simgrid", object({{"network_model",
                                                                one_of_strings(simgrid_network_models())}})}})},
                        {"hil", object({{"image", str()},
                                        {"boards_in", pattern("device slots the boards stand in for: wave:N or cohort:NAME",
                                                              "^(wave:[0-9]+|cohort:.+)$")},
                                        {"pace", number_above(0)},
                                        {"impair", json{{"type", "boolean"}}}},
                                       {"image"})}},
                       {"name", "duration", "regions", "fleet", "firmware", "rollout"});
  schema["$schema"] = "https://json-schema.org/draft/2020-12/schema";
  schema["$id"] = "https://fleetsim.dev/scenario.schema.json";
  schema["title"] = "fleetsim scenario";
  schema["$defs"] = std::move(defs);
  return schema;
}

}  // namespace fleetsim
