// The command line's own contract (README "Command line"): help, catalog, schema, usage errors.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/cli_runner.hpp"

using namespace fleetsim::testing;

TEST_CASE("fleetsim help explains every command and exits 0", "[cli]") {
  Cli r = run_fleetsim("help");
  CHECK(r.exit_code == 0);
  for (const char* cmd : {"run", "validate", "schema", "models"}) CHECK(r.output.find(cmd) != std::string::npos);
  Cli run_help = run_fleetsim("run --help");
  CHECK(run_help.exit_code == 0);
  CHECK(run_help.output.find("--trace-devices") != std::string::npos);
}

TEST_CASE("fleetsim help COMMAND shows that command's own help for every command", "[cli]") {
  // Each command's help names an option or word only it has.
  const std::vector<std::pair<std::string, std::string>> topics = {
      {"run", "--trace-devices"}, {"validate", "--set"},      {"models", "--json"},
      {"compare", "--tolerance"}, {"sweep", "--vary"},        {"report", "OUT_DIR"},
      {"suite", "--exclude"},     {"hil", "calibrate"},       {"schema", "JSON Schema"}};
  for (const auto& [topic, word] : topics) {
    INFO(topic);
    Cli r = run_fleetsim("help " + topic);
    CHECK(r.exit_code == 0);
    CHECK(r.output.find(word) != std::string::npos);
  }
  Cli unknown = run_fleetsim("help nonsense");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown command \"nonsense\"") != std::string::npos);
}

TEST_CASE("fleetsim models lists every catalog file", "[cli]") {
  Cli r = run_fleetsim("models");
  REQUIRE(r.exit_code == 0);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::string(FLEETSIM_SOURCE_DIR) + "/device-models/catalog")) {
    const std::string name = e.path().stem().string();
    INFO(name);
    CHECK(r.output.find(name + " ") != std::string::npos);
    ++files;
  }
  CHECK(files >= 5);
  Cli j = run_fleetsim("models --json", "2>/dev/null");
  REQUIRE(j.exit_code == 0);
  CHECK(nlohmann::json::parse(j.output).size() == size_t(files));
}

TEST_CASE("fleetsim schema prints the loader's JSON Schema", "[cli]") {
  Cli r = run_fleetsim("schema", "2>/dev/null");
  REQUIRE(r.exit_code == 0);
  nlohmann::json schema = nlohmann::json::parse(r.output);
  CHECK(schema["$schema"] == "https://json-schema.org/draft/2020-12/schema");
  CHECK(schema == fleetsim::scenario_json_schema());
}

TEST_CASE("usage errors exit 2 and say what is wrong", "[cli]") {
  Cli none = run_fleetsim("");
  CHECK(none.exit_code == 2);
  Cli unknown = run_fleetsim("frobnicate");
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.output.find("unknown command \"frobnicate\"") != std::string::npos);
  Cli option = run_fleetsim("run x.json --no-such-option");
  CHECK(option.exit_code == 2);
  Cli kernel = run_fleetsim("run " + shell_quote(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/quickstart.json") +
                        " --kernel warp");
  CHECK(kernel.exit_code == 2);
  CHECK(kernel.output.find("--kernel") != std::string::npos);
}

TEST_CASE("a bad value given on the command line is blamed on its option, not on the file", "[cli]") {
  TempDir tmp;
  const std::string quickstart = shell_quote(std::string(FLEETSIM_SOURCE_DIR) + "/scenarios/quickstart.json");
  const std::string out = " --out " + shell_quote(tmp / "out");
  struct Case {
    std::string args, origin, pointer;
  };
  for (const Case& c : std::vector<Case>{
           {"run " + quickstart + " --seed -1" + out, "--seed -1: ", "/seed: "},
           {"run " + quickstart + " --seed soon" + out, "--seed soon: ", "/seed: "},
           {"run " + quickstart + " --set seed=-1" + out, "--set \"seed=-1\": ", "/seed: "},
           {"validate " + quickstart + " --set rollout.max_concurrent=lots", "--set \"rollout.max_concurrent=lots\": ",
            "/rollout/max_concurrent: "},
           {"sweep " + quickstart + " --vary rollout.max_concurrent=10,lots" + out,
            "--vary rollout.max_concurrent=lots: ", "/rollout/max_concurrent: "}}) {
    const Cli r = run_fleetsim(c.args);
    INFO(c.args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(c.origin + c.pointer) != std::string::npos);
    CHECK(r.output.find("quickstart.json: " + c.pointer) == std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(tmp / "out/summary.json"));
}
