// Each file in tests/scenarios/malformed/ is broken in exactly one way; expected.json names the
// JSON pointer the report must point at and a phrase its message must contain. The same files
// are checked through the loader API and through `fleetsim validate`.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/scenario/scenario_loader.hpp"
#include "tests/cli_runner.hpp"

using namespace fleetsim::testing;

namespace {

const std::string kDir = std::string(FLEETSIM_SOURCE_DIR) + "/tests/scenarios/malformed";

struct Expectation {
  std::string file;
  std::string pointer;
  std::string contains;
};

std::vector<Expectation> expectations() {
  std::ifstream in(kDir + "/expected.json");
  const auto j = nlohmann::json::parse(in);
  std::vector<Expectation> out;
  for (const auto& [file, e] : j.items())
    out.push_back({file, e.at("pointer").get<std::string>(), e.at("contains").get<std::string>()});
  return out;
}

std::vector<std::string> malformed_files() {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(kDir)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && name != "expected.json") names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Runs `fleetsim validate FILE`, keeping only its stderr.
Cli validate(const std::string& path) { return run_fleetsim("validate " + shell_quote(path), "2>&1 >/dev/null"); }

// The line prefix LoadResult::format gives a problem: "FILE: /pointer: " or "FILE: ".
std::string line_prefix(const std::string& path, const std::string& pointer) {
  return path + ": " + (pointer.empty() ? "" : pointer + ": ");
}

}  // namespace

TEST_CASE("every malformed scenario file has an expectation, and every expectation a file") {
  std::vector<std::string> expected;
  for (const auto& e : expectations()) expected.push_back(e.file);
  std::sort(expected.begin(), expected.end());
  CHECK(malformed_files() == expected);
  CHECK(expected.size() >= 32);
}

TEST_CASE("the loader reports each malformed file's flaw at the expected pointer") {
  for (const auto& e : expectations()) {
    const std::string path = kDir + "/" + e.file;
    const auto result = fleetsim::load_scenario_file(path);
    INFO(e.file << ": expected a problem at \"" << e.pointer << "\" containing \"" << e.contains << "\"; got:\n"
                << result.format(path));
    CHECK_FALSE(result.scenario.has_value());
    const bool reported = std::any_of(result.problems.begin(), result.problems.end(), [&](const auto& p) {
      return p.pointer == e.pointer && p.message.find(e.contains) != std::string::npos;
    });
    CHECK(reported);
  }
}

TEST_CASE("fleetsim validate exits with 2 and prints FILE: /pointer: message for each malformed file") {
  for (const auto& e : expectations()) {
    const std::string path = kDir + "/" + e.file;
    const Cli run = validate(path);
    INFO(e.file << ": stderr was:\n" << run.output);
    CHECK(run.exit_code == 2);
    CHECK(run.output.find(line_prefix(path, e.pointer)) != std::string::npos);
    CHECK(run.output.find(e.contains) != std::string::npos);
  }
}
