#include "hil/cosim/board_binding.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <mutex>
#include <set>
#include <thread>

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

// What checking one board and bringing it to its known state came to.
struct BoardAttempt {
  enum class Result { Unavailable, WrongVersion, Ready } result = Result::Unavailable;
  std::string problem;          // Unavailable: why; WrongVersion: the version the board runs
  std::unique_ptr<SmpTransport> transport;
  std::unique_ptr<ImpairedLink> link;
  std::shared_ptr<BoardClock> clock;
  std::string known_state;      // the step's detail, for reports
};

// Everything one board's thread reads: its own copies, and the inputs (images) shared, so that a
// thread abandoned by an interrupted setup outlives attach_boards safely.
struct BoardJob {
  BoardSpec board;
  std::optional<LinkImpairment> impairment;  // with hil.impair
  std::shared_ptr<BoardClock> clock;
  std::string initial;   // the version its device slot starts on
  std::uint32_t device;  // that slot
  std::shared_ptr<const HilInputs> inputs;
  HilBridge::Log log;    // serialised: the boards' threads log concurrently
  std::function<bool()> stop;
};

BoardAttempt attempt_board(const BoardJob& job) {
  const BoardSpec& b = job.board;
  BoardAttempt out;
  auto unavailable = [&](const std::string& problem) {
    if (job.log) job.log("hil: " + b.id + " unavailable: " + problem);
    out.result = BoardAttempt::Result::Unavailable;
    out.problem = problem;
    return std::move(out);
  };
  try {
    TransportUri via = b.uri;
    if (job.impairment) {
      out.clock = job.clock;
      std::string reached_at;
      if (b.uri.scheme == TransportUri::Scheme::Udp) {
        auto udp = std::make_unique<ImpairedUdpLink>(b.uri.host, b.uri.port, *job.impairment);
        via.host = "127.0.0.1";
        via.port = udp->port();
        reached_at = "udp://127.0.0.1:" + std::to_string(via.port);
        out.link = std::move(udp);
      } else {
        // Same baud (and baud emulation) as the board's URI: the client paces its writes into
        // the relay as it would into the board's tty.
        auto serial = std::make_unique<ImpairedSerialLink>(b.uri.path, b.uri.baud, *job.impairment);
        via.path = serial->path();
        reached_at = "serial://" + via.path;
        out.link = std::move(serial);
      }
      if (job.log) job.log("hil: " + b.id + " reached through an impaired link on " + reached_at);
    }
    out.transport = open_transport(via);
  } catch (const std::exception& e) {
    return unavailable(e.what());
  }
  SmpClient client(*out.transport);
  const BoardHealth health = check_board_health(client);
  if (!health.healthy) return unavailable(health.problem);
  // The known-state step: the version the board's device slot starts on, confirmed, slot 1 free.
  std::optional<BaselineImage> baseline;
  if (job.inputs->baseline) baseline = BaselineImage{job.inputs->baseline->bytes, job.inputs->baseline->info};
  BoardUpdateOptions options;
  options.recover = board_recovery(b.reset, b.power_off, b.power_on, {});
  options.stop = job.stop;
  const KnownStateReport known = bring_to_known_state(client, job.initial, baseline, options);
  if (known.wrong_version) {
    out.result = BoardAttempt::Result::WrongVersion;
    out.problem = known.running_version;
    return out;
  }
  if (!known.ready) return unavailable("known state (" + job.initial + ", confirmed): " + known.message);
  if (job.log)
    job.log("hil: " + b.id + " (" + out.transport->uri() + ") healthy, " + known.message + ", stands for device " +
            std::to_string(job.device) + " (" + b.stands_for + ")");
  out.result = BoardAttempt::Result::Ready;
  out.known_state = known.detail();
  return out;
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
  auto inputs = std::make_shared<HilInputs>(load_hil_inputs(scenario, boards_file));
  if (!inputs->ok()) return refuse(exit_code::kBadInput, inputs->problems);
  const std::vector<std::uint32_t> slot_of =
      assign_board_slots(scenario, world, *inputs->inventory, boards_file, inputs->baseline, inputs->problems,
                         inputs->problem_count);
  if (!inputs->ok()) return refuse(exit_code::kBadInput, inputs->problems);
  const std::vector<BoardSpec>& boards = inputs->inventory->boards;

  BoardLockOptions lock = run_options.lock;
  if (lock.dir.empty()) lock.dir = inputs->inventory->lock_dir;
  BoardReserve reserved = reserve_boards(boards, lock);
  if (reserved.status != BoardReserve::Status::Reserved)
    return refuse(exit_code::kInfrastructure, "fleetsim: " + reserved.message + "\n");
  setup.reservation = std::move(reserved.reservation);
  if (log) log("hil: " + std::to_string(boards.size()) + " board(s) reserved");

  // One thread per board (each talks to its own board), then the results in inventory order.
  HilBridge::Log serial_log;
  if (log)
    serial_log = [log, mutex = std::make_shared<std::mutex>()](const std::string& line) {
      std::lock_guard hold(*mutex);
      log(line);
    };
  std::vector<std::future<BoardAttempt>> attempts;
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < boards.size(); ++i) {
    BoardJob job{boards[i], std::nullopt, nullptr,
                 world.versions()[world.device(slot_of[i]).initial_version], slot_of[i], inputs, serial_log,
                 run_options.stop};
    if (hil.impair) {
      job.clock = std::make_shared<BoardClock>(hil.pace);
      job.impairment = impairment_for(scenario, world.cohort_of(slot_of[i]), job.clock);
    }
    std::promise<BoardAttempt> promise;
    attempts.push_back(promise.get_future());
    threads.emplace_back([job = std::move(job), promise = std::move(promise)]() mutable {
      try {
        promise.set_value(attempt_board(job));
      } catch (...) {
        promise.set_exception(std::current_exception());
      }
    });
  }
  const auto stopped = [&] { return run_options.stop && run_options.stop(); };
  for (std::size_t i = 0; i < boards.size() && !setup.interrupted; ++i)
    while (attempts[i].wait_for(std::chrono::milliseconds(50)) != std::future_status::ready)
      if (stopped()) {
        setup.interrupted = true;
        break;
      }
  if (setup.interrupted || stopped()) {
    setup.interrupted = true;
    const auto until = std::chrono::steady_clock::now() + kAbandonAfter;
    for (std::size_t i = 0; i < boards.size(); ++i) {
      if (attempts[i].wait_until(until) == std::future_status::ready) {
        threads[i].join();
      } else {
        setup.abandoned.push_back(boards[i].id);
        threads[i].detach();
      }
    }
    setup.exit_code = exit_code::kInfrastructure;
    return setup;
  }
  for (std::thread& t : threads) t.join();

  setup.bridge =
      std::make_unique<HilBridge>(kernel, inputs->image->bytes, inputs->image->info, hil.pace, BoardUpdateOptions{}, log);
  setup.bridge->set_infra_retries(run_options.infra_retries);
  setup.bridge->expect_console(hil.console);
  std::string wrong_versions;  // boards on another version with no baseline to flash
  for (std::size_t i = 0; i < boards.size(); ++i) {
    const BoardSpec& b = boards[i];
    BoardAttempt a;
    try {
      a = attempts[i].get();
    } catch (const std::exception& e) {
      a.problem = e.what();
    }
    switch (a.result) {
      case BoardAttempt::Result::Unavailable: setup.bridge->add_unavailable(b, a.problem); break;
      case BoardAttempt::Result::WrongVersion: {
        const std::string initial = world.versions()[world.device(slot_of[i]).initial_version];
        wrong_versions += "fleetsim: board " + b.id + " (" + b.uri_text + ") runs " + a.problem + ", but device " +
                          std::to_string(slot_of[i]) + " it stands for starts on " + initial +
                          " (expected the board on " + initial + ": name its image as \"baseline\" in " +
                          scenario.file + "'s hil section, or flash it with `fleetsim hil flash " + b.id +
                          " IMAGE`)\n";
        break;
      }
      case BoardAttempt::Result::Ready:
        setup.bridge->bind(b, slot_of[i], std::move(a.transport), std::move(a.link), std::move(a.clock), a.known_state);
        break;
    }
  }
  if (!wrong_versions.empty()) return refuse(exit_code::kInfrastructure, wrong_versions);
  world.attach_external(setup.bridge.get());
  kernel.set_pacer(setup.bridge.get());
  return setup;
}

}  // namespace fleetsim::hil
