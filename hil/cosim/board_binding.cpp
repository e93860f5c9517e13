#include "hil/cosim/board_binding.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "sim/scenario/device_model_catalog.hpp"
#include "hil/board/board_health.hpp"
#include "hil/transport/impaired_serial_link.hpp"
#include "hil/transport/impaired_udp_link.hpp"

namespace fleetsim::hil {

namespace {

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

// The link a virtual device of `cohort` would have: half the region and device RTT each way
// (wall time, so divided by the pace), the model's Gilbert–Elliott sojourns and the region's
// outages (virtual time, read from the board's clock).
LinkImpairment impairment_for(const Scenario& scenario, std::uint32_t cohort, std::shared_ptr<BoardClock> clock) {
  const Cohort& c = scenario.cohorts[cohort];
  const DeviceModel& m = scenario.models.at(c.model);
  const Region& region = scenario.regions[std::size_t(scenario.region_index(c.region))];
  const double pace = scenario.hil->pace;
  LinkImpairment imp;
  imp.delay = std::chrono::microseconds(std::llround((region.rtt.value + m.rtt.mean()) / 2 / pace * 1e6));
  imp.mean_good = m.mean_good.value;
  imp.mean_bad = m.mean_bad.value;
  imp.stall = m.bad_state == BadLinkBehaviour::Stall;
  for (const TimeWindow& w : region.outages) imp.outages.push_back({w.at.value, w.end().value});
  for (const Fault& f : scenario.faults)
    if (f.kind == FaultKind::RegionOutage && (f.region.empty() || f.region == region.name))
      imp.outages.push_back({f.window.at.value, f.window.end().value});
  imp.clock = [clock] { return clock->now(); };
  imp.seed = scenario.seed + cohort;
  return imp;
}

}  // namespace

HilSetup attach_boards(const Scenario& scenario, World& world, Kernel& kernel, const std::string& boards_file,
                       HilBridge::Log log, BoardLockOptions lock) {
  HilSetup setup;
  auto bad = [&](std::string error) {
    setup.exit_code = exit_code::kBadInput;
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

  if (lock.dir.empty()) lock.dir = loaded.inventory->lock_dir;
  BoardReserve reserved = reserve_boards(loaded.inventory->boards, lock);
  if (reserved.status != BoardReserve::Status::Reserved) {
    setup.exit_code = exit_code::kInfrastructure;
    setup.error = "fleetsim: " + reserved.message + "\n";
    return setup;
  }
  setup.reservation = std::move(reserved.reservation);
  if (log) log("hil: " + std::to_string(loaded.inventory->boards.size()) + " board(s) reserved");

  setup.bridge = std::make_unique<HilBridge>(kernel, std::move(image), info.value(), hil.pace, BoardUpdateOptions{}, log);
  setup.bridge->expect_console(hil.console);
  for (std::size_t i = 0; i < loaded.inventory->boards.size(); ++i) {
    const BoardSpec& b = loaded.inventory->boards[i];
    std::unique_ptr<SmpTransport> transport;
    std::unique_ptr<ImpairedLink> link;
    std::shared_ptr<BoardClock> clock;
    try {
      TransportUri via = b.uri;
      if (hil.impair) {
        clock = std::make_shared<BoardClock>(hil.pace);
        LinkImpairment imp = impairment_for(scenario, world.cohort_of(slot_of[i]), clock);
        std::string reached_at;
        if (b.uri.scheme == TransportUri::Scheme::Udp) {
          auto udp = std::make_unique<ImpairedUdpLink>(b.uri.host, b.uri.port, std::move(imp));
          via.host = "127.0.0.1";
          via.port = udp->port();
          reached_at = "udp://127.0.0.1:" + std::to_string(via.port);
          link = std::move(udp);
        } else {
          // Same baud (and baud emulation) as the board's URI: the client paces its writes into
          // the relay as it would into the board's tty.
          auto serial = std::make_unique<ImpairedSerialLink>(b.uri.path, b.uri.baud, std::move(imp));
          via.path = serial->path();
          reached_at = "serial://" + via.path;
          link = std::move(serial);
        }
        if (log) log("hil: " + b.id + " reached through an impaired link on " + reached_at);
      }
      transport = open_transport(via);
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
    setup.bridge->bind(b, slot_of[i], std::move(transport), std::move(link), std::move(clock));
  }
  world.attach_external(setup.bridge.get());
  kernel.set_pacer(setup.bridge.get());
  return setup;
}

}  // namespace fleetsim::hil
