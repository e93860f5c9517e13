// Fuzzes boards.json (hil/board/board_inventory): the inventory reader and the board URIs it
// parses. Bad input must give problems, never a crash.
#include <cstdint>
#include <string>
#include <vector>

#include "hil/board/board_inventory.hpp"
#include "sim/scenario/device_model_catalog.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> models = [] {
    std::vector<std::string> names;
    for (const auto& m : fleetsim::builtin_device_models()) names.push_back(m.name);
    return names;
  }();
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto r = fleetsim::hil::load_board_inventory_text(text, models);
  if (!r.inventory && r.problems.empty()) __builtin_trap();  // rejected without saying why
  if (r.inventory)
    for (const auto& b : r.inventory->boards)
      if (r.inventory->find(b.id) == nullptr) __builtin_trap();  // a listed board cannot be found
  (void)r.format("boards.json");
  return 0;
}
