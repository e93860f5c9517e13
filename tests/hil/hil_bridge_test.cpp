// The co-simulation clock (README "Hardware in the loop") with a real board: the board's outcome
// lands in virtual time at notification + measured duration × pace, and the simulation waits for
// it.
#include <catch2/catch.hpp>

#include <chrono>

#include "hil/cosim/hil_bridge.hpp"
#include "hil/transport/transport_uri.hpp"
#include "tests/hil/started_board.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::hil;
using namespace fleetsim::testing;

namespace {

struct CoRun {
  std::unique_ptr<Run> run;
  std::vector<HilBridge::Timing> timings;
  std::vector<CheckResult> checks;
  double wall_seconds = 0;
};

// Two devices of the minimal scenario; device 0 is the board at `uri`.
CoRun run_with_board(const std::string& uri, double pace) {
  LoadResult loaded = load_scenario_text(minimal_scenario(2).dump(), "test.json");
  REQUIRE(loaded.scenario);
  CoRun out;
  out.run = std::make_unique<Run>();
  Run& run = *out.run;
  run.scenario = std::move(*loaded.scenario);
  run.world = std::make_unique<World>(run.scenario, run.kernel, WorldOptions{true});
  const auto image = build_mcuboot_image({ImageVersion{2, 0, 0, 0}, 20000});
  HilBridge bridge(run.kernel, image, parse_mcuboot_image(image).value(), pace);
  BoardSpec spec;
  spec.id = "emu";
  spec.uri_text = uri;
  spec.stands_for = "m";
  bridge.bind(spec, 0, open_transport(parse_transport_uri(uri).value()));
  run.world->attach_external(&bridge);
  run.kernel.set_pacer(&bridge);
  const auto start = std::chrono::steady_clock::now();
  run.world->run();
  out.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.results = run.world->results();
  out.timings = bridge.timings();
  out.checks = bridge.checks();
  return out;
}

}  // namespace

TEST_CASE("at pace 1 a board's update takes as long in the simulation as on the board", "[hil][pacing]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.3"});
  CoRun co = run_with_board(board.uri, 1.0);
  REQUIRE(co.timings.size() == 1);
  const auto& t = co.timings[0];
  INFO("measured " << t.measured_seconds << " s, simulated " << t.simulated_seconds << " s");
  // At least the 0.3 s reset silence; the simulated duration adds only the thread start and the
  // hand-over (well under 50 ms), never less than the board took.
  CHECK(t.measured_seconds >= 0.3);
  CHECK(t.simulated_seconds >= t.measured_seconds);
  CHECK(t.simulated_seconds - t.measured_seconds < 0.05);
  // Notified at 1 s (the minimal timeline); finished when the outcome event fired.
  CHECK(co.run->trace(0).finished == Approx(1.0 + t.simulated_seconds).margin(1e-6));
  CHECK(co.run->state(0) == DeviceState::Updated);
  CHECK(co.run->results.on_target == 2);
  REQUIRE(co.checks.size() == 1);
  CHECK(co.checks[0].outcome == CheckResult::Outcome::Passed);
  CHECK(co.checks[0].detail.find("co-simulation: notified at t=1.000 s") != std::string::npos);
}

TEST_CASE("at pace 100 a board's second is 100 simulated seconds and later events wait for the board",
          "[hil][pacing]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.3"});
  CoRun co = run_with_board(board.uri, 100.0);
  REQUIRE(co.timings.size() == 1);
  const auto& t = co.timings[0];
  INFO("measured " << t.measured_seconds << " s, simulated " << t.simulated_seconds << " s");
  // simulated = measured × 100, plus at most 100 × 50 ms for thread start and hand-over.
  CHECK(t.simulated_seconds >= 100 * t.measured_seconds);
  CHECK(t.simulated_seconds - 100 * t.measured_seconds < 5.0);
  // The virtual device 1 still finishes at 50 s (minimal timeline) and the board-backed device
  // at its paced time: each event at its own virtual time, whichever comes first.
  CHECK(co.run->trace(1).finished == Approx(50.0).margin(1e-6));
  CHECK(co.run->trace(0).finished == Approx(1.0 + t.simulated_seconds).margin(1e-6));
  // The 1 h run could not finish before the board did.
  CHECK(co.wall_seconds >= t.measured_seconds);
}
