// What a hardware-in-the-loop run is given, checked together before any board is touched
// (`fleetsim run --boards` and `fleetsim validate --boards`, README "Hardware in the loop"): the
// boards.json inventory, the scenario's hil.image (a readable MCUboot image of firmware.target's
// version) and hil.baseline (an MCUboot image of an initial version of the boards' cohorts), and a
// device slot for every board. Every problem is reported, one line each, "FILE: /pointer: message".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "hil/board/board_inventory.hpp"
#include "hil/protocol/mcuboot_image.hpp"
#include "sim/scenario/scenario.hpp"

namespace fleetsim {
class World;
}

namespace fleetsim::hil {

struct HilImageFile {
  std::vector<std::uint8_t> bytes;
  McubootImageInfo info;
};

struct HilInputs {
  std::optional<BoardInventory> inventory;
  std::optional<HilImageFile> image;
  std::optional<HilImageFile> baseline;  // only when the scenario names one
  std::string problems;                  // one line per problem
  int problem_count = 0;
  bool ok() const { return problem_count == 0; }
};

// The device models a board may stand for: the catalog and the scenario's own.
std::vector<std::string> board_models(const Scenario& scenario);

HilInputs load_hil_inputs(const Scenario& scenario, const std::string& boards_file);

// A device slot of the scenario's hil scope for each board of `inventory`, in inventory order: one
// whose model the board stands for and, with a baseline, whose initial version is the baseline's.
// Every board without a slot is reported in `problems` (one line each).
std::vector<std::uint32_t> assign_board_slots(const Scenario& scenario, const World& world,
                                              const BoardInventory& inventory, const std::string& boards_file,
                                              const std::optional<HilImageFile>& baseline, std::string& problems,
                                              int& problem_count);

}  // namespace fleetsim::hil
