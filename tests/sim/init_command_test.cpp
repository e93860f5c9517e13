// `fleetsim init` (README "Starting a scenario"): the written file validates with no warnings and
// runs, and the run's summary.json has the fleet that was asked for.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "hil/emulator/pty_pair.hpp"
#include "tests/cli_runner.hpp"

using namespace fleetsim::testing;

namespace {

struct InitCase {
  std::string args;                           // options after FILE
  int64_t devices;                            // the fleet size asked for
  std::vector<std::string> regions;           // in the order given
  std::map<std::string, int64_t> model_devices;  // devices per model, worked out by hand below
  std::vector<int64_t> wave_sizes;            // devices per wave, worked out by hand below
};

}  // namespace

TEST_CASE("fleetsim init writes a scenario that validates strictly and runs with the fleet asked for", "[cli][init]") {
  const std::vector<InitCase> cases = {
      // 7 devices over 2 cohorts (wifi-home × north, south): 4 + 3. Canary: 7/100 rounds up to the
      // 1-device minimum, then the rest (100% = 7, so 6 more).
      {"--devices 7 --regions north,south --models wifi-home --strategy canary", 7, {"north", "south"},
       {{"wifi-home", 7}}, {1, 6}},
      // 90 devices over 3 × 3 cohorts: 10 each, so 30 per model. Waves: 1-device canary, 10% = 9
      // (8 more), 50% = 45 (36 more), 100% = 90 (45 more).
      {"--devices 90 --regions eu-west,us-east,ap-south --models nbiot-meter,eth-gateway,ltem-tracker --strategy waves",
       90, {"eu-west", "us-east", "ap-south"}, {{"nbiot-meter", 30}, {"eth-gateway", 30}, {"ltem-tracker", 30}},
       {1, 8, 36, 45}},
      // 25 devices over 2 cohorts in one region: 13 + 12; all at once is a single wave of the fleet.
      {"--devices 25 --regions lab --models nbiot-meter-ab,lorawan-sensor --strategy all-at-once", 25, {"lab"},
       {{"nbiot-meter-ab", 13}, {"lorawan-sensor", 12}}, {}},
      // No options, stdin not a terminal: the defaults, without a question. 1000 devices over
      // 2 × 2 cohorts: 250 each, 500 per model; waves 10 (1000/100), 100 (90 more), 500 (400 more),
      // 1000 (500 more).
      {"</dev/null", 1000, {"eu-west", "us-east"}, {{"nbiot-meter", 500}, {"wifi-home", 500}}, {10, 90, 400, 500}},
  };
  for (const InitCase& c : cases) {
    INFO(c.args);
    TempDir dir;
    const std::string file = dir / "starter.json";
    Cli init = run_fleetsim("init " + shell_quote(file) + " " + c.args);
    REQUIRE(init.exit_code == 0);
    CHECK(init.output.find("Devices in the fleet") == std::string::npos);  // the first question, never asked here
    CHECK(init.output.find("wrote " + file) != std::string::npos);
    CHECK(init.output.find("fleetsim validate --strict " + file) != std::string::npos);  // the printed guide
    CHECK(init.output.find("platform.cdn.regions.NAME.egress") != std::string::npos);

    Cli validate = run_fleetsim("validate --strict " + shell_quote(file));
    CHECK(validate.exit_code == 0);
    CHECK(validate.output.find("warning") == std::string::npos);

    Cli run = run_fleetsim("run " + shell_quote(file) + " --quiet --out " + shell_quote(dir / "out"));
    CHECK(run.exit_code == 0);  // every assertion the starter writes holds
    const auto summary = nlohmann::json::parse(slurp(dir / "out/summary.json"));
    CHECK(summary["scenario"]["devices"] == c.devices);
    CHECK(summary["rollout"]["state"] == "completed");
    std::vector<std::string> regions;
    for (const auto& r : summary["platform"]["regions"]) regions.push_back(r["region"]);
    CHECK(regions == c.regions);
    std::map<std::string, int64_t> models;
    for (const auto& [name, m] : summary["models"].items()) models[name] = m["devices"];
    CHECK(models == c.model_devices);
    if (!c.wave_sizes.empty()) {
      std::vector<int64_t> sizes;
      for (const auto& w : summary["rollout"]["waves"]) sizes.push_back(w["size"]);
      CHECK(sizes == c.wave_sizes);
    }
    // The description is the file's comment: what it holds and what to edit next.
    const auto doc = nlohmann::json::parse(slurp(file));
    CHECK(doc["description"].get<std::string>().find(std::to_string(c.devices) + " devices") != std::string::npos);
  }
}

TEST_CASE("fleetsim init refuses to overwrite an existing file without --force", "[cli][init]") {
  TempDir dir;
  const std::string file = dir / "mine.json";
  { std::ofstream(file) << "keep me\n"; }
  Cli refused = run_fleetsim("init " + shell_quote(file) + " --devices 10");
  CHECK(refused.exit_code == 2);
  CHECK(refused.output.find(file + " exists") != std::string::npos);
  CHECK(refused.output.find("--force") != std::string::npos);
  CHECK(slurp(file) == "keep me\n");

  Cli forced = run_fleetsim("init " + shell_quote(file) + " --devices 10 --force");
  CHECK(forced.exit_code == 0);
  CHECK(nlohmann::json::parse(slurp(file))["fleet"]["cohorts"].size() == 4);  // default 2 regions × 2 models
  CHECK(!std::filesystem::exists(file + ".tmp"));
}

TEST_CASE("fleetsim init rejects an unknown model, strategy or region with a suggestion and writes nothing", "[cli][init]") {
  TempDir dir;
  const std::string file = dir / "s.json";
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--models wifi-home,nbiot-metr", "unknown device model \"nbiot-metr\" (did you mean \"nbiot-meter\"?)"},
      {"--strategy canery", "unknown strategy (did you mean \"canary\"?)"},
      {"--regions eu.west", "region \"eu.west\""},
      {"--regions eu,eu", "region \"eu\" is named twice"},
      {"--devices 3", "fewer than the 4 cohorts"},
      {"--devices lots", "expected a whole number"},
  };
  for (const auto& [args, message] : bad) {
    INFO(args);
    Cli r = run_fleetsim("init " + shell_quote(file) + " " + args);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(message) != std::string::npos);
    CHECK(!std::filesystem::exists(file));
  }
  Cli help = run_fleetsim("help init");
  CHECK(help.exit_code == 0);
  for (const char* word : {"--devices", "--regions", "--models", "--strategy", "--force", "canary"})
    CHECK(help.output.find(word) != std::string::npos);
}

TEST_CASE("fleetsim init on a terminal without options asks for each value and Enter keeps the default", "[cli][init]") {
  TempDir dir;
  const std::string file = dir / "asked.json";
  // stdin is a real pseudo-terminal holding the answers: 12 devices, Enter (default regions
  // eu-west,us-east), wifi-home, canary.
  fleetsim::hil::PtyPair tty;
  tty.write_text("12\n\nwifi-home\ncanary\n");
  Cli r = run_program("timeout", "20 " + shell_quote(FLEETSIM_BIN) + " init " + shell_quote(file) + " <" +
                                     shell_quote(tty.path()));
  REQUIRE(r.exit_code == 0);
  for (const char* question : {"Devices in the fleet [1000]", "Regions, comma-separated [eu-west,us-east]",
                               "Rollout strategy (canary, waves, all-at-once) [waves]"})
    CHECK(r.output.find(question) != std::string::npos);
  const auto doc = nlohmann::json::parse(slurp(file));
  // 12 devices over wifi-home × eu-west, us-east: 6 each. Canary: 12/100 rounds up to 1 device,
  // then 100% = 12.
  std::vector<std::pair<std::string, int64_t>> cohorts;
  for (const auto& c : doc["fleet"]["cohorts"]) cohorts.emplace_back(c["region"], c["count"]);
  CHECK(cohorts == std::vector<std::pair<std::string, int64_t>>{{"eu-west", 6}, {"us-east", 6}});
  CHECK(doc["fleet"]["cohorts"][0]["model"] == "wifi-home");
  CHECK(doc["rollout"]["waves"] == nlohmann::json::parse(R"([{"devices": 1, "soak": "2h"}, {"percent": "100%"}])"));
}
