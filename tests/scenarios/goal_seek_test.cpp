// Goal seeking (sim/scenario/goal_seek.hpp): the search on predicates whose threshold is known,
// then `fleetsim seek` on a scenario whose threshold follows from hand arithmetic.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>

#include "sim/scenario/goal_seek.hpp"
#include "tests/cli_runner.hpp"
#include "tests/test_scenarios.hpp"

namespace fleetsim {
namespace {

// Runs the search to the end on `passes(value)` with every seed agreeing; returns the probes made.
int run_search(GoalSeek& seek, const std::function<bool(double)>& passes) {
  int probes = 0;
  while (!seek.done())
    for (double v : seek.next()) {
      seek.record({v, 3, passes(v) ? 3 : 0});
      ++probes;
    }
  return probes;
}

SeekRange plain_range(const char* text) {
  std::string error;
  auto r = parse_seek_range(text, error);
  INFO(error);
  REQUIRE(r);
  return *r;
}

TEST_CASE("a seek range keeps the unit of its low end and converts the high end") {
  const SeekRange r = plain_range("100Mbps..2Gbps");
  CHECK(r.lo == Approx(100e6 / 8));  // bytes per second
  CHECK(r.hi == Approx(2e9 / 8));
  CHECK_FALSE(r.integer);
  CHECK(seek_value_text(r, 162.5e6 / 8) == "162.5Mbps");
  CHECK(plain_range("1000..50000").integer);
}

TEST_CASE("a seek range with ends of different kinds or reversed is refused") {
  std::string error;
  CHECK_FALSE(parse_seek_range("10Mbps..2h", error));
  CHECK_THAT(error, Catch::Contains("different kinds"));
  CHECK_FALSE(parse_seek_range("5..1", error));
  CHECK_THAT(error, Catch::Contains("below the high end"));
  CHECK_FALSE(parse_seek_range("5-10", error));
  CHECK_THAT(error, Catch::Contains("LO..HI"));
}

TEST_CASE("the smallest passing integer is found with its bracket one apart") {
  // Passes from 37 up on [0, 100]. The grid 0, 25, 50, 75, 100 brackets it in (25, 50]; bisection
  // probes 37 (passes), 31, 34, 35, 36 (fail): bracket 36 fails, 37 passes.
  GoalSeek seek(plain_range("0..100"), SeekGoal::Smallest, 1);
  const int probes = run_search(seek, [](double v) { return v >= 37; });
  const SeekAnswer a = seek.answer();
  REQUIRE(a.status == SeekAnswer::Status::Found);
  CHECK(a.threshold == 37);
  CHECK(a.failing == 36);
  CHECK(a.monotone);
  CHECK(probes == 5 + 5);  // the grid, then ⌈log2(25)⌉ = 5 halvings of the 25-wide bracket
}

TEST_CASE("the largest passing value is found within the resolution") {
  // Passes up to 0.3 on [0, 1] with resolution 0.01: the bracket ends within 0.01 around 0.3.
  GoalSeek seek(plain_range("0.0..1.0"), SeekGoal::Largest, 0.01);
  run_search(seek, [](double v) { return v <= 0.3; });
  const SeekAnswer a = seek.answer();
  REQUIRE(a.status == SeekAnswer::Status::Found);
  CHECK(a.threshold <= 0.3);
  CHECK(a.failing > 0.3);
  CHECK(a.failing - a.threshold <= 0.01);
}

TEST_CASE("a range that passes everywhere or nowhere says so") {
  GoalSeek always(plain_range("0..100"), SeekGoal::Smallest, 1);
  CHECK(run_search(always, [](double) { return true; }) == 5);  // the grid only
  CHECK(always.answer().status == SeekAnswer::Status::WholeRangePasses);
  CHECK(always.answer().threshold == 0);

  GoalSeek never(plain_range("0..100"), SeekGoal::Smallest, 1);
  run_search(never, [](double) { return false; });
  CHECK(never.answer().status == SeekAnswer::Status::NoValuePasses);
  CHECK(never.answer().monotone);
}

TEST_CASE("an outcome that is not monotone in the field is reported") {
  // Passes at 25 only and from 75 up: the grid 0, 25, 50, 75, 100 sees pass, fail, pass.
  GoalSeek seek(plain_range("0..100"), SeekGoal::Smallest, 1);
  run_search(seek, [](double v) { return v == 25 || v >= 75; });
  const SeekAnswer a = seek.answer();
  REQUIRE(a.status == SeekAnswer::Status::Found);
  CHECK(a.threshold == 75);
  CHECK_FALSE(a.monotone);
  REQUIRE_FALSE(a.notes.empty());
  CHECK_THAT(a.notes[0], Catch::Contains("passes at 25") && Catch::Contains("not monotone"));
}

TEST_CASE("a value where only some seeds pass counts as failing and is reported") {
  GoalSeek seek(plain_range("0..4"), SeekGoal::Smallest, 1, 5);
  for (double v : seek.next()) seek.record({v, 3, v >= 3 ? 3 : v == 2 ? 1 : 0});
  const SeekAnswer a = seek.answer();
  CHECK(a.threshold == 3);
  CHECK(a.failing == 2);
  REQUIRE(a.notes.size() == 1);
  CHECK_THAT(a.notes[0], Catch::Contains("at 2 1 of 3 seeds pass"));
}

TEST_CASE("fleetsim seek finds the smallest release rate that meets a deadline") {
  // 600 devices need the update; with an all-at-once rollout limited to R releases a minute the
  // last device is released after 600 / R minutes, and its update then takes 50 s (the minimal
  // scenario's timeline). "Every device updated within 30 min" needs 600 / R min + 50 s ≤ 30 min,
  // i.e. R ≥ 600 / 29.17 = 20.6 releases a minute: the answer is 21 (bracket 20..21) — within one
  // tick of rounding, which the assertion's 30-minute bound leaves room for.
  testing::TempDir dir;
  testing::Doc doc = testing::minimal_scenario(600);
  doc["rollout"]["max_per_minute"] = 100;
  std::ofstream(dir / "s.json") << doc.dump();
  const testing::Cli r = testing::run_fleetsim(
      "seek " + testing::shell_quote(dir / "s.json") +
      " --vary rollout.max_per_minute=5..60 --assert 'devices.updated >= 600' --assert 'at' --seeds 1 --quiet"
      " --out " + testing::shell_quote(dir / "seek"));
  CHECK(r.exit_code == 2);  // the malformed --assert 'at' is a usage error
  const testing::Cli seek = testing::run_fleetsim(
      "seek " + testing::shell_quote(dir / "s.json") +
      " --vary rollout.max_per_minute=5..60 --assert 'fleet.on_target_fraction >= 1' --set duration=30m"
      " --seeds 1 --quiet --out " + testing::shell_quote(dir / "seek"));
  INFO(seek.output);
  REQUIRE(seek.exit_code == 0);
  const auto j = nlohmann::json::parse(testing::slurp(dir / "seek/seek.json"));
  CHECK(j["answer"]["status"] == "found");
  CHECK(j["answer"]["monotone"] == true);
  const int threshold = std::stoi(j["answer"]["threshold"].get<std::string>());
  CHECK(threshold >= 20);
  CHECK(threshold <= 22);
  CHECK(std::stoi(j["answer"]["bracket"]["fails"].get<std::string>()) == threshold - 1);
}

}  // namespace
}  // namespace fleetsim
