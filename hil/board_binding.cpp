#include "hil/board_binding.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "device-models/device_model.hpp"
#include "hil/board_health.hpp"

namespace fleetsim::hil {

namespace {

constexpr int kBadInput = 2;

// Device slots of the scenario's hil scope, in release order (wave) or id order (cohort), without
// devices that already run the target.
std::vector<std::uint32_t> scope_devices(const Scenario& scenario, const World& world) {
  const HilBinding& hil = *scenario.hil;
  if (hil.wave >= 0) return world.planned_wave_members(hil.wave, int64_t(1) << 20);
  std::vector<std::uint32_t> out;
  const auto target = std::find(world.versions().begin(), world.versions().end(), scenario.firmware.target) -
                      world.versions().begin();
  int64_t first = 0;
  for (const Cohort& c : scenario.cohorts) {
    if (c.name == hil.cohort) {
      for (int64_t d = first; d < first + c.count && out.size() < (1u << 20); ++d)
        if (world.device(std::uint32_t(d)).initial_version != target) out.push_back(std::uint32_t(d));
    }
    first += c.count;
  }
  return out;
}

}  // namespace

HilSetup attach_boards(const Scenario& scenario, World& world, Kernel& kernel, const std::string& boards_file,
                       HilBridge::Log log) {
  HilSetup setup;
  auto bad = [&](std::string error) {
    setup.exit_code = kBadInput;
    setup.error = std::move(error);
    return std::move(setup);
  };
  const HilBinding& hil = *scenario.hil;

  std::vector<std::string> models;
  for (const auto& m : builtin_device_models()) models.push_back(m.name);
  for (const auto& [name, model] : scenario.models)
    if (std::find(models.begin(), models.end(), name) == models.end()) models.push_back(name);
  auto loaded = load_board_inventory_file(boards_file, models);
  if (!loaded.inventory) return bad(loaded.format(boards_file));

  std::ifstream in(hil.image_path, std::ios::binary);
  if (!in) return bad(scenario.file + ": " + hil.pointer + "/image: cannot read " + hil.image_path + "\n");
  std::vector<std::uint8_t> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto info = parse_mcuboot_image(image);
  if (!info) {
    return bad(scenario.file + ": " + hil.pointer + "/image: " + hil.image_path + " is not a valid MCUboot image: " +
               std::string(describe(info.error())) + " (expected a signed image with a SHA-256 TLV)\n");
  }

  // Slots first, so that a board without one is a bad-input error before any board is touched.
  const std::vector<std::uint32_t> candidates = scope_devices(scenario, world);
  std::set<std::uint32_t> taken;
  std::vector<std::uint32_t> slot_of;
  for (std::size_t i = 0; i < loaded.inventory->boards.size(); ++i) {
    const BoardSpec& b = loaded.inventory->boards[i];
    const auto slot = std::find_if(candidates.begin(), candidates.end(), [&](std::uint32_t d) {
      return !taken.count(d) && scenario.cohorts[world.cohort_of(d)].model == b.stands_for;
    });
    if (slot == candidates.end()) {
      return bad(boards_file + ": /boards/" + std::to_string(i) + "/stands_for: no free device of model \"" +
                 b.stands_for + "\" in the scenario's hil scope " + hil.boards_in + " (" +
                 std::to_string(candidates.size()) + " devices; expected a board model that occurs there)\n");
    }
    taken.insert(*slot);
    slot_of.push_back(*slot);
  }

  setup.bridge = std::make_unique<HilBridge>(kernel, std::move(image), info.value(), hil.pace, BoardUpdateOptions{}, log);
  for (std::size_t i = 0; i < loaded.inventory->boards.size(); ++i) {
    const BoardSpec& b = loaded.inventory->boards[i];
    std::unique_ptr<SmpTransport> transport;
    try {
      transport = open_transport(b.uri);
    } catch (const std::exception& e) {
      if (log) log("hil: " + b.id + " unavailable: " + e.what());
      setup.bridge->add_unavailable(b, e.what());
      continue;
    }
    SmpClient client(*transport);
    const BoardHealth health = check_board_health(client);
    if (!health.healthy) {
      if (log) log("hil: " + b.id + " unavailable: " + health.problem);
      setup.bridge->add_unavailable(b, health.problem);
      continue;
    }
    if (log)
      log("hil: " + b.id + " (" + transport->uri() + ") healthy, running " + health.running_version +
          ", stands for device " + std::to_string(slot_of[i]) + " (" + b.stands_for + ")");
    setup.bridge->bind(b, slot_of[i], std::move(transport));
  }
  world.attach_external(setup.bridge.get());
  kernel.set_pacer(setup.bridge.get());
  return setup;
}

}  // namespace fleetsim::hil
