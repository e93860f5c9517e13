// Edge sites: a region served by several CDN edge sites splits its devices (each cohort evenly by
// id) and its link capacity evenly among them. Sites are the shards of an MPI run.
#include <catch2/catch.hpp>

#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

TEST_CASE("a region of two edge sites gives each site half its capacity, without lending it") {
  // Three devices with 1000 B/s links on a 1200 B/s region; sites take ids ⌊i·2/3⌋ = 0, 0, 1.
  // One site: all three share 1200 B/s → 400 B/s each, 10000 B from t = 4 s end at 4 + 25 = 29 s.
  // Two sites of 600 B/s: devices 0 and 1 share theirs → 300 B/s each, end at 4 + 33.33 s; device
  // 2 alone → 600 B/s, ends at 4 + 16.67 s, and its idle site does not lend the others anything.
  Doc doc = minimal_scenario(3);
  doc["platform"]["cdn"]["regions"]["r"]["egress"] = "1200B/s";
  auto one = run_scenario(doc);
  for (size_t d = 0; d < 3; ++d) CHECK(one->trace(d).download_end == Approx(29.0).epsilon(1e-12));

  doc["regions"]["r"]["sites"] = 2;
  auto two = run_scenario(doc);
  CHECK(two->trace(0).download_end == Approx(4.0 + 10000.0 / 300.0).epsilon(1e-12));
  CHECK(two->trace(1).download_end == Approx(4.0 + 10000.0 / 300.0).epsilon(1e-12));
  CHECK(two->trace(2).download_end == Approx(4.0 + 10000.0 / 600.0).epsilon(1e-12));
  // The region's capacity in the results is the whole region's: 1200 B/s = 9600 bit/s.
  REQUIRE(two->results.regions.size() == 1);
  CHECK(two->results.regions[0].capacity_bps == Approx(9600.0));
}

TEST_CASE("a cohort splits over its region's sites in id order") {
  // 5 devices, 2 sites: device i is in site ⌊2i/5⌋ → 0, 0, 0, 1, 1.
  Doc doc = minimal_scenario(5);
  doc["regions"]["r"]["sites"] = 2;
  auto run = run_scenario(doc);
  CHECK(run->world->shard_of(0) == 0);
  CHECK(run->world->shard_of(2) == 0);
  CHECK(run->world->shard_of(3) == 1);
  CHECK(run->world->shard_of(4) == 1);
}

TEST_CASE("splitting a region into sites changes no device while its links have room") {
  // 1 GB/s of egress never binds 40 devices of 1000 B/s, so every download runs at the device's
  // own rate on one link or on four: every device's timeline is the same.
  Doc doc = minimal_scenario(40);
  auto one = run_scenario(doc);
  doc["regions"]["r"]["sites"] = 4;
  auto four = run_scenario(doc);
  for (size_t d = 0; d < 40; ++d) {
    INFO("device " << d);
    CHECK(four->trace(d).download_start == one->trace(d).download_start);
    CHECK(four->trace(d).download_end == one->trace(d).download_end);
    CHECK(four->trace(d).finished == one->trace(d).finished);
  }
  CHECK(four->results.on_target == 40);
}

TEST_CASE("shards go to ranks largest first, each to the least loaded rank") {
  // Two ranks, shards of 225, 225, 150, 150, 100, 100, 25, 25 devices (the 1M benchmark's eight
  // sites): they alternate, so each rank gets one site of every region.
  CHECK(assign_shards_to_ranks({225, 225, 150, 150, 100, 100, 25, 25}, 2) == std::vector<int>{0, 1, 0, 1, 0, 1, 0, 1});
  // 5 → rank 0; 3 → rank 1; 3 → rank 1 (3 < 5); 2 → rank 0 (5 < 6).
  CHECK(assign_shards_to_ranks({5, 3, 3, 2}, 2) == std::vector<int>{0, 1, 1, 0});
  // More ranks than shards: the extra ranks simulate nothing.
  CHECK(assign_shards_to_ranks({4, 4}, 3) == std::vector<int>{0, 1});
}

TEST_CASE("a region's sites must be a whole number from 1 to 256") {
  Doc doc = minimal_scenario(1);
  doc["regions"]["r"]["sites"] = 0;
  LoadResult loaded = load_scenario_text(doc.dump(), "test.json");
  REQUIRE(loaded.problems.size() == 1);
  CHECK(loaded.problems[0].pointer == "/regions/r/sites");
  doc["regions"]["r"]["sites"] = 257;
  CHECK(load_scenario_text(doc.dump(), "test.json").problems.size() == 1);
  doc["regions"]["r"]["sites"] = 256;
  CHECK(load_scenario_text(doc.dump(), "test.json").problems.empty());
}
