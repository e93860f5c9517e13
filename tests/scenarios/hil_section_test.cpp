// The scenario's "hil" section: which device slots boards stand in for, the image, the pace.
#include <catch2/catch.hpp>

#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

TEST_CASE("a hil section gives the image relative to the scenario file, the wave and the pace", "[hil][scenario]") {
  Doc doc = minimal_scenario(10);
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "waves": [{"devices": 2}, {"percent": "100%"}]})");
  doc["hil"] = Doc::parse(R"({"image": "images/app.signed.bin", "boards_in": "wave:1", "pace": 2.5, "impair": true})");
  LoadResult r = load_scenario_text(doc.dump(), "scenarios/ci/canary.json");
  INFO(r.format("canary.json"));
  REQUIRE(r.scenario);
  REQUIRE(r.scenario->hil);
  CHECK(r.scenario->hil->image_path == "scenarios/ci/images/app.signed.bin");
  CHECK(r.scenario->hil->wave == 1);
  CHECK(r.scenario->hil->pace == 2.5);
  CHECK(r.scenario->hil->impair);
}

TEST_CASE("a hil section defaults to the first wave at pace 1 and accepts a cohort scope", "[hil][scenario]") {
  Doc doc = minimal_scenario(10);
  doc["hil"] = Doc::parse(R"({"image": "/abs/app.bin"})");
  LoadResult r = load_scenario_text(doc.dump(), "x.json");
  REQUIRE(r.scenario);
  CHECK(r.scenario->hil->image_path == "/abs/app.bin");
  CHECK(r.scenario->hil->wave == 0);
  CHECK(r.scenario->hil->pace == 1.0);
  CHECK_FALSE(r.scenario->hil->impair);
  doc["hil"]["boards_in"] = "cohort:c";
  LoadResult c = load_scenario_text(doc.dump(), "x.json");
  REQUIRE(c.scenario);
  CHECK(c.scenario->hil->cohort == "c");
  CHECK(c.scenario->hil->wave == -1);
}

TEST_CASE("problems in the hil section are reported at their JSON pointers", "[hil][scenario]") {
  Doc doc = minimal_scenario(10);
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "waves": [{"devices": 2}, {"percent": "100%"}]})");
  doc["hil"] = Doc::parse(R"({"boards_in": "wave:2", "pace": 0, "speed": 1})");
  std::string text = load_scenario_text(doc.dump(), "s.json").format("s.json");
  INFO(text);
  CHECK(text.find("s.json: /hil/image: missing required key \"image\"") != std::string::npos);
  CHECK(text.find("s.json: /hil/boards_in: wave 2 does not exist (expected 0 to 1)") != std::string::npos);
  CHECK(text.find("s.json: /hil/pace: 0 is out of range") != std::string::npos);
  CHECK(text.find("s.json: /hil/speed: unknown key") != std::string::npos);
  doc["hil"] = Doc::parse(R"({"image": "a.bin", "boards_in": "cohort:d"})");
  text = load_scenario_text(doc.dump(), "s.json").format("s.json");
  CHECK(text.find("s.json: /hil/boards_in: unknown cohort \"d\"") != std::string::npos);
  doc["hil"] = Doc::parse(R"({"image": "a.bin", "boards_in": "canary"})");
  text = load_scenario_text(doc.dump(), "s.json").format("s.json");
  CHECK(text.find("s.json: /hil/boards_in: \"canary\" is not a device scope") != std::string::npos);
}

TEST_CASE("a hil section's baseline is relative to the scenario file and boards are required unless it says not",
          "[hil][scenario]") {
  Doc doc = minimal_scenario(10);
  doc["hil"] = Doc::parse(R"({"image": "app.bin", "baseline": "images/base.bin"})");
  LoadResult r = load_scenario_text(doc.dump(), "ci/canary.json");
  REQUIRE(r.scenario);
  CHECK(r.scenario->hil->baseline_path == "ci/images/base.bin");
  CHECK(r.scenario->hil->required);  // the default
  doc["hil"]["required"] = false;
  LoadResult optional = load_scenario_text(doc.dump(), "ci/canary.json");
  REQUIRE(optional.scenario);
  CHECK_FALSE(optional.scenario->hil->required);
  doc["hil"]["required"] = "no";
  const std::string text = load_scenario_text(doc.dump(), "s.json").format("s.json");
  CHECK(text.find("s.json: /hil/required:") != std::string::npos);
}
