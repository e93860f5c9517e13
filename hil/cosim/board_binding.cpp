#include "hil/cosim/board_binding.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "hil/board/board_health.hpp"
#include "hil/board/board_hook.hpp"
#include "hil/board/known_state.hpp"
#include "hil/cosim/hil_inputs.hpp"
#include "hil/transport/impaired_serial_link.hpp"
#include "hil/transport/impaired_udp_link.hpp"

namespace fleetsim::hil {

namespace {

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
                       HilBridge::Log log, const HilRunOptions& run_options) {
  HilSetup setup;
  auto refuse = [&](int code, std::string error) {
    setup.exit_code = code;
    setup.error = std::move(error);
    setup.bridge.reset();
    return std::move(setup);
  };
  const HilBinding& hil = *scenario.hil;

  // The inventory, the images and a slot for every board: all checked before any board is touched.
  HilInputs inputs = load_hil_inputs(scenario, boards_file);
  if (!inputs.ok()) return refuse(exit_code::kBadInput, inputs.problems);
  const std::vector<std::uint32_t> slot_of =
      assign_board_slots(scenario, world, *inputs.inventory, boards_file, inputs.baseline, inputs.problems,
                         inputs.problem_count);
  if (!inputs.ok()) return refuse(exit_code::kBadInput, inputs.problems);
  std::optional<BaselineImage> baseline;
  if (inputs.baseline) baseline = BaselineImage{inputs.baseline->bytes, inputs.baseline->info};
  std::string wrong_versions;  // boards on another version with no baseline to flash

  BoardLockOptions lock = run_options.lock;
  if (lock.dir.empty()) lock.dir = inputs.inventory->lock_dir;
  BoardReserve reserved = reserve_boards(inputs.inventory->boards, lock);
  if (reserved.status != BoardReserve::Status::Reserved)
    return refuse(exit_code::kInfrastructure, "fleetsim: " + reserved.message + "\n");
  setup.reservation = std::move(reserved.reservation);
  if (log) log("hil: " + std::to_string(inputs.inventory->boards.size()) + " board(s) reserved");

  setup.bridge =
      std::make_unique<HilBridge>(kernel, inputs.image->bytes, inputs.image->info, hil.pace, BoardUpdateOptions{}, log);
  setup.bridge->set_infra_retries(run_options.infra_retries);
  setup.bridge->expect_console(hil.console);
  for (std::size_t i = 0; i < inputs.inventory->boards.size(); ++i) {
    const BoardSpec& b = inputs.inventory->boards[i];
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
    // The known-state step: the version the board's device slot starts on, confirmed, slot 1 free.
    const std::string initial = world.versions()[world.device(slot_of[i]).initial_version];
    BoardUpdateOptions options;
    options.recover = board_recovery(b.reset, b.power_off, b.power_on, {});
    const KnownStateReport known = bring_to_known_state(client, initial, baseline, options);
    if (known.wrong_version) {
      wrong_versions += "fleetsim: board " + b.id + " (" + b.uri_text + ") runs " + known.running_version +
                        ", but device " + std::to_string(slot_of[i]) + " it stands for starts on " + initial +
                        " (expected the board on " + initial + ": name its image as \"baseline\" in " +
                        scenario.file + "'s hil section, or flash it with `fleetsim hil flash " + b.id + " IMAGE`)\n";
      continue;
    }
    if (!known.ready) {
      if (log) log("hil: " + b.id + " unavailable: known state: " + known.message);
      setup.bridge->add_unavailable(b, "known state (" + initial + ", confirmed): " + known.message);
      continue;
    }
    if (log)
      log("hil: " + b.id + " (" + transport->uri() + ") healthy, " + known.message + ", stands for device " +
          std::to_string(slot_of[i]) + " (" + b.stands_for + ")");
    setup.bridge->bind(b, slot_of[i], std::move(transport), std::move(link), std::move(clock), known.detail());
  }
  if (!wrong_versions.empty()) return refuse(exit_code::kInfrastructure, wrong_versions);
  world.attach_external(setup.bridge.get());
  kernel.set_pacer(setup.bridge.get());
  return setup;
}

}  // namespace fleetsim::hil
