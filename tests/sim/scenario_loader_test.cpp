// Scenario loading: conversion to the typed Scenario, defaults, overrides, and how problems are
// reported (the malformed-file suite is in tests/scenarios/malformed_scenarios_test.cpp).
#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/scenario/device_model_catalog.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace fleetsim {
// Generated from device-models/catalog/*.json at build time.
const std::map<std::string, std::string>& builtin_device_model_files();
}  // namespace fleetsim

namespace {

using fleetsim::LoadResult;
using Json = nlohmann::ordered_json;

// The smallest valid scenario: only required keys.
const char* const kMinimal = R"({
  "name": "minimal",
  "duration": "72h",
  "device_models": {"test-sensor": {"link": {"type": "wifi", "downlink": "8Mbps"}, "storage": {"layout": "ab"}}},
  "regions": {"eu-west": {"backhaul": "10Gbps"}},
  "fleet": {"cohorts": [
    {"name": "sensors", "model": "test-sensor", "count": 1000, "region": "eu-west", "firmware": {"1.0.0": 1}}
  ]},
  "firmware": {"target": "1.1.0", "size": "1.8MiB"},
  "rollout": {"strategy": "all-at-once"}
})";

// A valid scenario using every top-level key and most options.
const char* const kFull = R"({
  "$schema": "https://fleetsim.dev/scenario.schema.json",
  "name": "full",
  "description": "uses every top-level key",
  "seed": 7,
  "start": "2026-12-01T00:00:00Z",
  "duration": "3d",
  "output": {"interval": "5m"},
  "device_models": {
    "test-meter": {
      "link": {"type": "nb-iot", "downlink": {"dist": "lognormal", "median": "20kbps", "p95": "60kbps"}, "rtt": "1.5s"},
      "storage": {"layout": "single", "flash_write_rate": "30kB/s"},
      "phases": {"install": {"dist": "uniform", "min": "2s", "max": "5s"}},
      "failures": {"corruption": "0.05%"},
      "behaviour": {"poll_interval": "24h", "poll_jitter": "4h",
                    "battery": {"level": {"dist": "uniform", "min": 0.2, "max": "100%"}, "threshold": "30%",
                                "recharge": "6h"}}
    }
  },
  "regions": {
    "eu-west": {"rtt": "30ms", "outages": [{"at": "2h", "for": "30m"}]},
    "ap-south": {"backhaul": "10Gbps", "degradations": [{"at": "1h", "for": "1h", "factor": "50%"}]}
  },
  "platform": {
    "cdn": {"regions": {"eu-west": {"egress": "40Gbps"}}, "max_connections": 100000},
    "update_service": {"capacity": "300/min"},
    "broker": {"max_connections": 50000, "connect_rate": "20/s"}
  },
  "fleet": {"cohorts": [
    {"name": "meters", "model": "test-meter", "count": 1000, "region": "eu-west", "timezone": "Europe/Berlin",
     "firmware": {"2.3.0": "92%", "2.2.1": 0.08}, "tags": ["metering"]},
    {"name": "spares", "model": "test-meter", "count": 500, "region": "ap-south", "firmware": {"2.3.0": 1}}
  ]},
  "firmware": {"target": "2.4.0", "size": "1.8MiB", "delta": {"2.3.0": "320KiB"}, "boot_failure": "0.5%"},
  "rollout": {
    "strategy": "waves",
    "waves": [{"percent": "1%", "soak": "2h"},
              {"devices": 100, "gate": {"max_failure": "2%", "action": "rollback"}},
              {"percent": "100%"}],
    "order": "region", "start": "30m", "tick": "10s", "max_concurrent": 2000, "max_per_minute": 500,
    "gates": {"min_success": "95%"},
    "abort": [{"failure": "bricked", "threshold": "0.5%", "min_executed": 50}],
    "maintenance_window": {"local": "22:00-05:00"},
    "execution_timeout": "6h",
    "retries": {"max": 3, "failure": "timed_out"}
  },
  "faults": [{"kind": "region_outage", "region": "eu-west", "at": "2h", "for": "30m"},
             {"kind": "bad_build", "boot_failure": "30%", "models": ["test-meter"]}],
  "assertions": [{"metric": "fleet.on_target_fraction", "op": ">=", "value": "95%"},
                 {"metric": "rollout.time_to_90", "op": "<=", "value": "24h"},
                 {"metric": "rollout.state", "at": "12h", "op": "==", "value": "running"}],
  "kernel": {"simgrid": {"network_model": "CM02"}},
  "hil": {"image": "app.signed.bin", "boards_in": "wave:0", "pace": 1.0, "impair": false}
})";

LoadResult load(const std::string& text, const std::vector<std::string>& sets = {}) {
  return fleetsim::load_scenario_text(text, "test.json", sets);
}

std::string edited(const char* base, const std::function<void(Json&)>& edit) {
  Json j = Json::parse(base);
  edit(j);
  return j.dump(2);
}

bool has_problem(const LoadResult& r, const std::string& pointer, const std::string& phrase) {
  return std::any_of(r.problems.begin(), r.problems.end(), [&](const fleetsim::Problem& p) {
    return p.pointer == pointer && p.message.find(phrase) != std::string::npos;
  });
}

// Every JSON pointer in `j` (objects and arrays included), depth first.
void all_pointers(const Json& j, const std::string& at, std::vector<std::string>& out) {
  out.push_back(at);
  if (j.is_object())
    for (const auto& [k, v] : j.items()) all_pointers(v, at + "/" + k, out);
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) all_pointers(j[i], at + "/" + std::to_string(i), out);
}

}  // namespace

// --- conversion -------------------------------------------------------------------------------

TEST_CASE("a valid scenario loads with every unit converted to base units") {
  const auto r = load(kFull);
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  const auto& s = *r.scenario;
  CHECK(s.file == "test.json");
  CHECK(s.name == "full");
  CHECK(s.seed == 7);
  CHECK(s.start_text == "2026-12-01T00:00:00Z");
  CHECK(s.start_unix == 1796083200);
  CHECK(s.duration.value == 3 * 86400);
  CHECK(s.output.sample_interval.value == 300);

  CHECK(s.regions[0].rtt.value == Approx(0.030));
  CHECK(s.regions[0].outages[0].at.value == 7200);
  CHECK(s.regions[0].outages[0].length.value == 1800);
  CHECK(s.regions[1].backhaul.value == Approx(10e9 / 8));
  CHECK(s.regions[1].degradations[0].factor == Approx(0.5));
  CHECK(s.platform.cdn_egress.at("eu-west").value == Approx(40e9 / 8));
  CHECK(s.platform.cdn_max_connections == 100000);
  CHECK(s.platform.update_service_capacity.value == Approx(5.0));
  CHECK(s.platform.broker_max_connections == 50000);
  CHECK(s.platform.broker_connect_rate.value == Approx(20.0));

  CHECK(s.cohorts[0].timezone == "Europe/Berlin");
  CHECK(s.cohorts[0].tags == std::vector<std::string>{"metering"});
  CHECK(s.device_count() == 1500);
  CHECK(s.firmware.image.size.value == Approx(1.8 * 1024 * 1024));
  CHECK(s.firmware.image.delta.at("2.3.0").value == Approx(320 * 1024));
  CHECK(s.firmware.boot_failure == Approx(0.005));

  const auto& ro = s.rollout;
  CHECK(ro.strategy == fleetsim::Strategy::Waves);
  CHECK(ro.order == fleetsim::Order::Region);
  CHECK(ro.start.value == 1800);
  CHECK(ro.tick.value == 10);
  CHECK(ro.max_concurrent == 2000);
  CHECK(ro.max_per_minute == 500);
  CHECK(ro.gates.min_success == Approx(0.95));
  CHECK(ro.abort[0].failure == fleetsim::FailureType::Bricked);
  CHECK(ro.abort[0].threshold == Approx(0.005));
  CHECK(ro.abort[0].min_executed == 50);
  CHECK(ro.abort[0].action == fleetsim::GateAction::Abort);
  REQUIRE(ro.maintenance_window);
  CHECK(ro.maintenance_window->start_minute == 22 * 60);
  CHECK(ro.maintenance_window->end_minute == 5 * 60);
  CHECK(ro.execution_timeout.value == 6 * 3600);
  CHECK(ro.retries.max == 3);
  CHECK(ro.retries.failure == fleetsim::FailureType::TimedOut);
}

TEST_CASE("device-model parameters convert to base units and distributions") {
  const auto r = load(kFull);
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  const auto& m = r.scenario->models.at("test-meter");
  const auto expected_downlink = fleetsim::Distribution::lognormal_median_p95(20e3 / 8, 60e3 / 8);
  CHECK(m.link_type == fleetsim::LinkType::NbIot);
  CHECK(m.downlink.kind == fleetsim::Distribution::Kind::LogNormal);
  CHECK(m.downlink.a == Approx(expected_downlink.a));
  CHECK(m.downlink.b == Approx(expected_downlink.b));
  CHECK(m.rtt.kind == fleetsim::Distribution::Kind::Fixed);
  CHECK(m.rtt.a == Approx(1.5));
  CHECK(m.storage == fleetsim::StorageLayout::Single);
  CHECK(m.flash_write_rate.value == Approx(30e3));
  CHECK(m.install.kind == fleetsim::Distribution::Kind::Uniform);
  CHECK(m.install.a == 2);
  CHECK(m.install.b == 5);
  CHECK(m.corruption == Approx(0.0005));
  CHECK(m.poll_interval.value == 86400);
  CHECK(m.poll_jitter.value == 4 * 3600);
  CHECK(m.has_battery);
  CHECK(m.battery_level.a == Approx(0.2));
  CHECK(m.battery_level.b == Approx(1.0));
  CHECK(m.battery_threshold == Approx(0.3));
  CHECK(m.recharge.a == 6 * 3600);
}

TEST_CASE("omitted optional settings take the documented defaults") {
  const auto r = load(kMinimal);
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  const auto& s = *r.scenario;
  CHECK(s.seed == 1);
  CHECK(s.start_text == "2026-01-01T00:00:00Z");
  CHECK(s.start_unix == 1767225600);
  CHECK(s.output.sample_interval.value == 60);
  CHECK(s.regions[0].rtt.value == Approx(0.05));
  CHECK(s.cohorts[0].timezone == "UTC");
  CHECK(s.cohorts[0].tags.empty());
  CHECK(s.firmware.boot_failure == 0);
  CHECK(s.rollout.strategy == fleetsim::Strategy::AllAtOnce);
  CHECK(s.rollout.order == fleetsim::Order::Random);
  CHECK(s.rollout.start.value == 0);
  CHECK(s.rollout.tick.value == 60);
  CHECK(s.rollout.max_concurrent == 0);
  CHECK(s.rollout.max_per_minute == 0);
  CHECK_FALSE(s.rollout.rate);
  CHECK_FALSE(s.rollout.maintenance_window);
  CHECK(s.rollout.retries.max == 0);
  CHECK(s.faults.empty());
  CHECK(s.assertions.empty());

  const auto& m = s.models.at("test-sensor");
  CHECK(m.rtt.a == Approx(0.1));
  CHECK(m.resume);
  CHECK(m.install.a == 0);
  CHECK(m.notification == fleetsim::Notification::Poll);
  CHECK(m.poll_interval.value == 3600);
  CHECK(m.poll_jitter.value == 0);
  CHECK(m.retry_max_attempts == 5);
  CHECK(m.backoff_base.value == 60);
  CHECK(m.backoff_cap.value == 1800);
  CHECK(m.backoff_jitter == 0.5);
  CHECK_FALSE(m.has_battery);
}

TEST_CASE("regions, cohorts and firmware shares keep the order of the file") {
  const auto text = edited(kMinimal, [](Json& j) {
    j["regions"] = Json::parse(R"({"zulu": {"backhaul": "1Gbps"}, "alpha": {"backhaul": "1Gbps"},
                                   "mike": {"backhaul": "1Gbps"}})");
    Json second = j["fleet"]["cohorts"][0];
    second["name"] = "a-second";
    second["region"] = "alpha";
    j["fleet"]["cohorts"][0]["region"] = "zulu";
    j["fleet"]["cohorts"][0]["firmware"] = Json::parse(R"({"2.0.0": "50%", "1.0.0": "30%", "1.5.0": "20%"})");
    j["fleet"]["cohorts"].push_back(second);
  });
  const auto r = load(text);
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  const auto& s = *r.scenario;
  CHECK(s.regions[0].name == "zulu");
  CHECK(s.regions[1].name == "alpha");
  CHECK(s.regions[2].name == "mike");
  CHECK(s.cohorts[0].name == "sensors");
  CHECK(s.cohorts[1].name == "a-second");
  using Shares = std::vector<std::pair<std::string, double>>;
  CHECK(s.cohorts[0].firmware == Shares{{"2.0.0", 0.5}, {"1.0.0", 0.3}, {"1.5.0", 0.2}});
}

TEST_CASE("percent waves keep their cumulative fraction and device waves their own size") {
  const auto r = load(kFull);
  REQUIRE(r.scenario);
  const auto& waves = r.scenario->rollout.waves;
  REQUIRE(waves.size() == 3);
  CHECK(waves[0].percent == Approx(0.01));
  CHECK_FALSE(waves[0].devices);
  CHECK(waves[0].soak.value == 7200);
  CHECK(waves[1].devices == 100);
  CHECK_FALSE(waves[1].percent);
  REQUIRE(waves[1].gate);
  CHECK(waves[1].gate->max_failure == Approx(0.02));
  CHECK(waves[1].gate->action == fleetsim::GateAction::Rollback);
  CHECK(waves[2].percent == Approx(1.0));
}

TEST_CASE("a bad_build fault carries its boot-failure probability and affected models") {
  const auto r = load(kFull);
  REQUIRE(r.scenario);
  const auto& faults = r.scenario->faults;
  REQUIRE(faults.size() == 2);
  CHECK(faults[0].kind == fleetsim::FaultKind::RegionOutage);
  CHECK(faults[0].region == "eu-west");
  CHECK(faults[0].window.at.value == 7200);
  CHECK(faults[0].window.length.value == 1800);
  CHECK(faults[1].kind == fleetsim::FaultKind::BadBuild);
  CHECK(faults[1].boot_failure == Approx(0.3));
  CHECK(faults[1].models == std::vector<std::string>{"test-meter"});
}

TEST_CASE("assertions keep their JSON pointer and convert their values") {
  const auto r = load(kFull);
  REQUIRE(r.scenario);
  const auto& a = r.scenario->assertions;
  REQUIRE(a.size() == 3);
  CHECK(a[0].pointer == "/assertions/0");
  CHECK(a[0].number == Approx(0.95));
  CHECK_FALSE(a[0].at);
  CHECK(a[1].metric == fleetsim::AssertionMetric::RolloutTimeTo90);
  CHECK(a[1].op == fleetsim::CompareOp::Le);
  CHECK(a[1].number == 86400);
  CHECK(a[2].text == "running");
  CHECK(a[2].at == fleetsim::Seconds(12 * 3600));
  CHECK(a[2].pointer == "/assertions/2");
}

// --- device models ------------------------------------------------------------------------------

TEST_CASE("every built-in catalog file becomes a device model") {
  const auto& files = fleetsim::builtin_device_model_files();
  const auto& models = fleetsim::builtin_device_models();
  CHECK(models.size() == files.size());
  CHECK(fleetsim::builtin_device_model_sources().size() == files.size());
  CHECK(std::is_sorted(models.begin(), models.end(), [](const auto& a, const auto& b) { return a.name < b.name; }));
}

TEST_CASE("a cohort can use a built-in catalog model") {
  REQUIRE_FALSE(fleetsim::builtin_device_models().empty());
  const auto& catalog_model = fleetsim::builtin_device_models().front();
  const auto r = load(kMinimal, {"fleet.cohorts[0].model=" + catalog_model.name});
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  CHECK(r.scenario->models.at(catalog_model.name).link_type == catalog_model.link_type);
}

TEST_CASE("a scenario's own device model shadows a catalog model of the same name") {
  REQUIRE_FALSE(fleetsim::builtin_device_models().empty());
  const std::string name = fleetsim::builtin_device_models().front().name;
  const auto text = edited(kMinimal, [&](Json& j) {
    j["device_models"] = Json{{name, j["device_models"]["test-sensor"]}};
    j["fleet"]["cohorts"][0]["model"] = name;
  });
  const auto r = load(text);
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  CHECK(r.scenario->models.at(name).downlink.a == Approx(8e6 / 8));  // the scenario's "8Mbps"
}

TEST_CASE("Scenario.models holds exactly the models the cohorts use") {
  const auto text = edited(kMinimal, [](Json& j) { j["device_models"]["unused"] = j["device_models"]["test-sensor"]; });
  const auto r = load(text);
  REQUIRE(r.scenario);
  CHECK(r.scenario->models.size() == 1);
  CHECK(r.scenario->models.count("test-sensor") == 1);
}

TEST_CASE("parse_device_model reports problems under the pointer it is given") {
  std::vector<fleetsim::Problem> problems;
  const auto model = fleetsim::parse_device_model(Json::parse(R"({"link": {"type": "wifi"}})"), "/device_models/x",
                                                  problems);
  CHECK_FALSE(model);
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].pointer == "/device_models/x/link/downlink");
  CHECK(problems[1].pointer == "/device_models/x/storage");
}

// --- overrides ----------------------------------------------------------------------------------

TEST_CASE("an override with --set replaces a value before validation") {
  const auto r = load(kMinimal, {"fleet.cohorts[0].count=2000000"});
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  CHECK(r.scenario->cohorts[0].count == 2000000);
}

TEST_CASE("an override with --set takes a value that is not JSON as a string") {
  const auto r = load(kMinimal, {"duration=48h", "firmware.target=2.0.0"});
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  CHECK(r.scenario->duration.value == 48 * 3600);
  CHECK(r.scenario->firmware.target == "2.0.0");
}

TEST_CASE("an override with --set creates keys the file does not have, after the existing ones") {
  const auto r = load(kMinimal, {"rollout.max_concurrent=100", "regions.us-east.backhaul=1Gbps"});
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  CHECK(r.scenario->rollout.max_concurrent == 100);
  REQUIRE(r.scenario->regions.size() == 2);
  CHECK(r.scenario->regions[1].name == "us-east");
}

TEST_CASE("an override with --set with the next index appends to an array") {
  const auto r = load(kMinimal, {R"(fleet.cohorts[1]={"name": "more", "model": "test-sensor", "count": 5,
                                  "region": "eu-west", "firmware": {"1.0.0": 1}})"});
  INFO(r.format("test.json"));
  REQUIRE(r.scenario);
  CHECK(r.scenario->device_count() == 1005);
}

TEST_CASE("an overridden value is validated like a value in the file") {
  const auto r = load(kMinimal, {"fleet.cohorts[0].count=0"});
  CHECK(has_problem(r, "/fleet/cohorts/0/count", "0 is too small"));
}

TEST_CASE("a --set with an index out of range names the override") {
  const auto r = load(kMinimal, {"fleet.cohorts[5].count=1"});
  INFO(r.format("test.json"));
  CHECK(has_problem(r, "/fleet/cohorts", "--set \"fleet.cohorts[5].count=1\": index 5 is out of range"));
}

TEST_CASE("a --set without = is reported") {
  const auto r = load(kMinimal, {"duration"});
  CHECK(has_problem(r, "", "--set \"duration\": no \"=\""));
}

TEST_CASE("a failed --set leaves the document unchanged") {
  Json doc = Json::parse(R"({"a": {"b": 1}})");
  const auto problems = fleetsim::apply_overrides(doc, {"a.c.d[0]=1"});
  CHECK(problems.size() == 1);
  CHECK(doc == Json::parse(R"({"a": {"b": 1}})"));
}

// --- reporting ----------------------------------------------------------------------------------

TEST_CASE("a misspelt key is reported with a did-you-mean suggestion") {
  const auto text = edited(kMinimal, [](Json& j) {
    j["duraton"] = j["duration"];
    j.erase("duration");
  });
  const auto r = load(text);
  CHECK(has_problem(r, "/duraton", "unknown key \"duraton\" (did you mean \"duration\"?)"));
  CHECK(has_problem(r, "/duration", "missing required key \"duration\""));
}

TEST_CASE("an unknown key that resembles no known key is told the keys allowed there") {
  const auto text = edited(kMinimal, [](Json& j) { j["regions"]["eu-west"]["colour"] = "blue"; });
  const auto r = load(text);
  INFO(r.format("test.json"));
  CHECK(has_problem(r, "/regions/eu-west/colour", "unknown key \"colour\" (expected one of \"rtt\", \"backhaul\""));
  CHECK_FALSE(has_problem(r, "/regions/eu-west/colour", "did you mean"));
}

TEST_CASE("a JSON syntax error is reported with its line and column") {
  const auto r = load("{\n  \"name\": \"x\",\n  \"duration\": \"1h\"\n  \"regions\": {}\n}");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].pointer.empty());
  CHECK(r.format("test.json").rfind("test.json: line 4, column 11: syntax error: ", 0) == 0);
}

TEST_CASE("all problems of a file are reported at once") {
  const auto text = edited(kMinimal, [](Json& j) {
    j["fleet"]["cohorts"][0]["count"] = 0;
    j["fleet"]["cohorts"][0]["timezone"] = "Mars/Olympus";
    j["firmware"]["size"] = "big";
  });
  const auto r = load(text);
  INFO(r.format("test.json"));
  CHECK_FALSE(r.scenario);
  CHECK(r.problems.size() == 3);
  CHECK(has_problem(r, "/fleet/cohorts/0/count", "too small"));
  CHECK(has_problem(r, "/fleet/cohorts/0/timezone", "unknown time zone"));
  CHECK(has_problem(r, "/firmware/size", "is not a size"));
}

TEST_CASE("a duplicate key is reported rather than silently overwritten") {
  const auto r = load(R"({"name": "a", "regions": {"eu": {"backhaul": "1Gbps"}, "eu": {"rtt": "1ms"}}})");
  CHECK(has_problem(r, "/regions/eu", "duplicate key \"eu\""));
}

TEST_CASE("a file that cannot be read is a problem, not an exception") {
  const auto r = fleetsim::load_scenario_file("/nonexistent/dir/scenario.json");
  CHECK_FALSE(r.scenario);
  CHECK(has_problem(r, "", "cannot read file"));
}

TEST_CASE("format prints one FILE: /pointer: message line per problem") {
  LoadResult r;
  r.problems = {{"/duration", "missing"}, {"", "line 1, column 1: syntax error: x"}};
  CHECK(r.format("a.json") == "a.json: /duration: missing\na.json: line 1, column 1: syntax error: x\n");
}

TEST_CASE("any value of the wrong shape anywhere is reported without internal errors") {
  const Json full = Json::parse(kFull);
  std::vector<std::string> pointers;
  all_pointers(full, "", pointers);
  const std::vector<Json> odd = {nullptr, true, -1, 1e300, "", "x", Json::array(), Json::object(),
                                 Json::parse(R"([[{}]])")};
  for (const auto& pointer : pointers) {
    for (const auto& value : odd) {
      Json doc = full;
      doc[Json::json_pointer(pointer)] = value;
      const auto r = load(doc.dump());
      INFO(pointer << " = " << value.dump() << "\n" << r.format("test.json"));
      CHECK(r.scenario.has_value() == r.problems.empty());
      CHECK_FALSE(has_problem(r, "", "internal error"));
    }
  }
}

TEST_CASE("a number too large for a double is reported with its line and column") {
  const auto r = load("{\n  \"name\": \"x\",\n  \"seed\": 1e400\n}");
  REQUIRE(r.problems.size() == 1);
  CHECK(r.problems[0].message.rfind("line 3, column 11: number 1e400 is too large", 0) == 0);
}

TEST_CASE("deeply nested input is refused with the depth limit before anything recurses") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const auto r = load(R"({"name": )" + deep + "}", {"name=x"});
  REQUIRE(r.problems.size() == 1);
  // `{"name": ` is 9 characters and the object level 1; 63 '[' fit (levels 2 to 64), so the
  // 64th '[', the 73rd character, is refused.
  CHECK(r.problems[0].message == "line 1, column 73: arrays and objects nested more than 64 deep (expected at most 64 levels)");
}

TEST_CASE("every truncation of a valid file is a syntax error with a line and column") {
  const std::string text = kMinimal;
  for (size_t n = 0; n + 1 < text.size(); ++n) {
    const auto r = load(text.substr(0, n));
    INFO("first " << n << " characters\n" << r.format("test.json"));
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].message.rfind("line ", 0) == 0);
  }
}

// --- JSON Schema --------------------------------------------------------------------------------

TEST_CASE("the JSON Schema declares draft 2020-12 and the fleetsim $id") {
  const auto schema = fleetsim::scenario_json_schema();
  CHECK(schema.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema.at("$id") == "https://fleetsim.dev/scenario.schema.json");
  CHECK(schema.at("additionalProperties") == false);
}

TEST_CASE("every $ref in the JSON Schema names one of its $defs") {
  const auto schema = fleetsim::scenario_json_schema();
  std::vector<std::string> refs;
  std::function<void(const nlohmann::json&)> walk = [&](const nlohmann::json& j) {
    if (j.is_object() && j.contains("$ref")) refs.push_back(j["$ref"].get<std::string>());
    if (j.is_structured())
      for (const auto& v : j) walk(v);
  };
  walk(schema);
  REQUIRE_FALSE(refs.empty());
  for (const auto& ref : refs) {
    INFO(ref);
    REQUIRE(ref.rfind("#/$defs/", 0) == 0);
    CHECK(schema.at("$defs").contains(ref.substr(8)));
  }
}

TEST_CASE("the JSON Schema's top-level properties are exactly the keys the loader accepts") {
  const auto schema = fleetsim::scenario_json_schema();
  const Json full = Json::parse(kFull);
  REQUIRE(load(kFull).scenario);  // kFull uses every top-level key and is valid
  std::set<std::string> in_schema, in_full;
  for (const auto& [k, v] : schema.at("properties").items()) in_schema.insert(k);
  for (const auto& [k, v] : full.items()) in_full.insert(k);
  CHECK(in_schema == in_full);
  const auto r = load(edited(kFull, [](Json& j) { j["extra"] = 1; }));
  CHECK(has_problem(r, "/extra", "unknown key"));
}

TEST_CASE("the JSON Schema's required top-level keys are exactly those the loader requires") {
  const auto schema = fleetsim::scenario_json_schema();
  std::set<std::string> schema_required;
  for (const auto& k : schema.at("required")) schema_required.insert(k.get<std::string>());
  std::set<std::string> loader_required;
  const Json full = Json::parse(kFull);
  for (const auto& [key, value] : full.items()) {
    const auto r = load(edited(kFull, [&](Json& j) { j.erase(key); }));
    if (has_problem(r, "/" + key, "missing required key")) loader_required.insert(key);
  }
  CHECK(loader_required == schema_required);
}

TEST_CASE("every metric the JSON Schema lists is one the loader accepts") {
  const auto schema = fleetsim::scenario_json_schema();
  const auto& metrics = schema.at("$defs").at("assertion").at("properties").at("metric").at("oneOf");
  REQUIRE(metrics.size() > 20);
  for (const auto& metric : metrics) {
    const std::string m = metric.at("const").get<std::string>();
    const Json value = m == "rollout.state" ? Json("completed") : m.rfind("rollout.time_to_", 0) == 0 ? Json("1h") : Json(1);
    const auto r = load(edited(kMinimal, [&](Json& j) {
      j["assertions"] = Json::array({Json{{"metric", m}, {"op", "=="}, {"value", value}}});
    }));
    INFO(m << "\n" << r.format("test.json"));
    CHECK(r.problems.empty());
  }
}

TEST_CASE("the SimGrid network model is read from kernel.simgrid.network_model and defaults to max-min") {
  const auto full = load(kFull);
  REQUIRE(full.scenario);
  CHECK(full.scenario->kernel.simgrid_network_model == "CM02");
  const auto plain = load(edited(kFull, [](Json& j) { j.erase("kernel"); }));
  REQUIRE(plain.scenario);
  CHECK(plain.scenario->kernel.simgrid_network_model == "max-min");
  const auto set = load(kFull, {"kernel.simgrid.network_model=LV08"});
  REQUIRE(set.scenario);
  CHECK(set.scenario->kernel.simgrid_network_model == "LV08");
}

TEST_CASE("an unknown SimGrid network model is reported at its JSON pointer with the known ones") {
  const auto r = load(kFull, {"kernel.simgrid.network_model=LV07"});
  CHECK_FALSE(r.scenario);
  CHECK(has_problem(r, "/kernel/simgrid/network_model", "unknown SimGrid network model \"LV07\" (did you mean \"LV08\""));
}
