// Runs the bridge's update flow on a board through a given SMP client and reads the slots it
// left, for tests of the update flow.
#pragma once

#include <catch2/catch.hpp>
#include <chrono>

#include "hil/board/board_update.hpp"
#include "hil/protocol/mcuboot_image.hpp"

namespace fleetsim::testing {

struct Flashed {
  hil::BoardUpdateReport report;
  hil::ImageState after;  // the board's slots after the update (empty after an infrastructure failure)
};

// Updates the board to an image of `version` with `payload` bytes; a reboot timeout left at its
// default is bounded to 10 s.
inline Flashed flash_image(hil::SmpClient& client, hil::ImageVersion version, std::uint32_t payload,
                           hil::BoardUpdateOptions options = {}) {
  using namespace std::chrono_literals;
  const auto image = hil::build_mcuboot_image({version, payload});
  const auto info = hil::parse_mcuboot_image(image);
  REQUIRE(info);
  if (options.reboot_timeout == hil::BoardUpdateOptions{}.reboot_timeout) options.reboot_timeout = 10000ms;
  Flashed f{hil::update_board(client, image, info.value(), options), {}};
  if (f.report.outcome != hil::BoardUpdateOutcome::Infrastructure) {
    auto state = client.state_read();
    REQUIRE(state);
    f.after = state.value();
  }
  return f;
}

}  // namespace fleetsim::testing
