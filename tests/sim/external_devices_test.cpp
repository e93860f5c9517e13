// The HIL seam in the model: a device slot owned by an external backend gets its job when it is
// notified, and the outcome the backend reports counts in the rollout like any other.
#include <catch2/catch.hpp>

#include "sim/model/world_events.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {
constexpr double kEps = 1e-6;

// A stand-in board for device 0: its update "finishes" 30 s after it was started, with the
// outcome given. The pacer delivers the outcome only when simulated time wants to pass it,
// as the HIL bridge will when the real board answers.
struct FakeBoard : ExternalDevices, ExternalPacer {
  Kernel& kernel;
  DeviceState outcome;
  double started = -1;
  bool reported = false;
  FakeBoard(Kernel& k, DeviceState o) : kernel(k), outcome(o) {}
  bool owns(uint32_t device) const override { return device == 0; }
  void start_update(uint32_t, Seconds now) override { started = now.value; }
  void advance_to(Seconds t) override {
    if (started >= 0 && !reported && t.value > started + 30) {
      reported = true;
      kernel.schedule(Seconds(started + 30), 0, event::kExternalOutcome, 0, uint16_t(outcome));
    }
  }
};

std::unique_ptr<Run> run_with_board(const Doc& doc, DeviceState outcome, FakeBoard*& board_out) {
  LoadResult loaded = load_scenario_text(doc.dump(), "test.json");
  REQUIRE(loaded.problems.empty());
  auto run = std::make_unique<Run>();
  run->scenario = std::move(*loaded.scenario);
  run->world = std::make_unique<World>(run->scenario, run->kernel, WorldOptions{true});
  static std::unique_ptr<FakeBoard> board;
  board = std::make_unique<FakeBoard>(run->kernel, outcome);
  run->world->attach_external(board.get());
  run->kernel.set_pacer(board.get());
  run->world->run();
  run->results = run->world->results();
  board_out = board.get();
  return run;
}
}  // namespace

TEST_CASE("a board-backed device updates when its board reports success", "[hil]") {
  // Device 0 is notified at 1 s (push, region rtt 2 s / 2) and handed to the board, which reports
  // success at 1 + 30 = 31 s. Device 1 is virtual: the default timeline, finished at 50 s.
  Doc doc = minimal_scenario(2);
  FakeBoard* board = nullptr;
  auto run = run_with_board(doc, DeviceState::Updated, board);
  CHECK(board->started == Approx(1).margin(kEps));
  CHECK(run->state(0) == DeviceState::Updated);
  CHECK(run->trace(0).finished == Approx(31).margin(kEps));
  CHECK(run->trace(0).bytes == 0);  // nothing went over the simulated network
  CHECK(run->trace(1).finished == Approx(50).margin(kEps));
  CHECK(run->results.on_target == 2);
}

TEST_CASE("a board that rolls back fails the canary gate like a virtual device would", "[hil]") {
  // Canary wave of 1 device (the board), gate max_failure 0 → pause. The board reports
  // rolled_back at 31 s; the tick at 60 s sees 1 failure of 1 > 0 and pauses: device 1 (wave 1)
  // is never released.
  Doc doc = minimal_scenario(2);
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "order": "cohort",
      "waves": [{"devices": 1}, {"percent": "100%"}], "gates": {"max_failure": 0, "action": "pause"}})");
  FakeBoard* board = nullptr;
  auto run = run_with_board(doc, DeviceState::RolledBack, board);
  CHECK(run->state(0) == DeviceState::RolledBack);
  CHECK(run->results.rollout_state == "paused");
  CHECK(run->state(1) == DeviceState::Idle);
  REQUIRE(run->results.decisions.size() >= 3);
  CHECK(run->results.decisions.back().action == "pause");
  CHECK(run->results.decisions.back().at.value == Approx(60));
}
