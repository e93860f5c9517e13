// Emulated boards left with a test image pending in slot 1, as a gate stopped before its reset
// leaves them: the known-state step of the next run then takes two resets of --reset-time each
// (erase is refused while the slot is pending; a reset boots the test image unconfirmed, a second
// one reverts it). For tests that need slow known-state steps.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "hil/board/smp_client.hpp"
#include "hil/transport/transport_uri.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

namespace fleetsim::testing {

// Leaves the board at `uri` with `image` uploaded and marked for test.
inline void leave_pending(const std::string& uri, const std::string& image) {
  auto transport = hil::open_transport(hil::parse_transport_uri(uri).value());
  hil::SmpClient client(*transport);
  const std::string text = slurp(image);
  const std::vector<std::uint8_t> bytes(text.begin(), text.end());
  const auto info = hil::parse_mcuboot_image(bytes);
  REQUIRE(info);
  auto params = client.params();
  REQUIRE(params);
  REQUIRE(client.upload(bytes, params.value().buf_size));
  REQUIRE(client.test(info.value().hash));
}

// `count` UDP boards with --reset-time `reset_time`, each left pending with dir/image.bin (2.0.0),
// a scenario whose canary wave they stand for, and their boards.json.
struct PendingBoards {
  std::vector<std::unique_ptr<StartedBoard>> boards;
  std::string scenario, inventory;
  PendingBoards(const TempDir& dir, int count, const std::string& reset_time) {
    // The boards stand for the canary wave: one device each.
    scenario = write_hil_scenario(dir, 10, "2.0.0", count);
    std::vector<std::string> uris;
    for (int i = 0; i < count; ++i) {
      boards.push_back(std::make_unique<StartedBoard>(BoardLink::Udp, std::vector<std::string>{"--reset-time", reset_time}));
      leave_pending(boards.back()->uri, dir / "image.bin");
      uris.push_back(boards.back()->uri);
    }
    inventory = write_boards(dir, uris);
  }
};

}  // namespace fleetsim::testing
