// scenarios/scenario.schema.json is what editors validate scenario files against; it must be
// exactly what `fleetsim schema` prints, and every shipped scenario must point at it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/scenario/scenario_loader.hpp"

namespace fs = std::filesystem;

namespace {
std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("the committed schema file is the schema the loader describes", "[schema]") {
  const fs::path file = fs::path(FLEETSIM_SOURCE_DIR) / "scenarios" / "scenario.schema.json";
  REQUIRE(fs::exists(file));
  // Regenerate with: build/fleetsim schema > scenarios/scenario.schema.json
  CHECK(nlohmann::json::parse(read(file)) == fleetsim::scenario_json_schema());
}

TEST_CASE("every shipped scenario refers to the schema file by a path that exists", "[schema]") {
  const fs::path root = fs::path(FLEETSIM_SOURCE_DIR) / "scenarios";
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".json" || entry.path().filename() == "scenario.schema.json") continue;
    nlohmann::json j = nlohmann::json::parse(read(entry.path()));
    INFO(entry.path().string());
    REQUIRE(j.contains("$schema"));
    const fs::path target = entry.path().parent_path() / j["$schema"].get<std::string>();
    CHECK(fs::equivalent(target, root / "scenario.schema.json"));
    ++checked;
  }
  CHECK(checked >= 3);  // quickstart and the benchmarks at least
}
