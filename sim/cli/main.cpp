// fleetsim command line (README "Command line"). Exit codes: 0 success, 1 an assertion or gate failed,
// 2 bad input or usage, 3 runtime / infrastructure failure.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/scenario/device_model_catalog.hpp"
#include "hil/cosim/board_binding.hpp"
#include "sim/cli/board_lock_options.hpp"
#include "hil/cosim/hil_inputs.hpp"
#include "sim/cli/hil_command.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/available_memory.hpp"
#include "sim/core/build_version.hpp"
#include "sim/model/memory_estimate.hpp"
#include "sim/core/exit_codes.hpp"
#include "reports/live_metrics.hpp"
#include "reports/results_folder.hpp"
#include "reports/run_outputs.hpp"
#include "reports/test_cases.hpp"
#include "sim/cli/command_completion.hpp"
#include "sim/cli/command_options.hpp"
#include "sim/cli/hil_image_command.hpp"
#include "sim/cli/manual_pages.hpp"
#include "sim/kernel/native/native_kernel.hpp"
#include "sim/shard/rank_agreement.hpp"
#include "sim/cli/report_commands.hpp"
#include "sim/cli/stop_signals.hpp"
#include "sim/kernel/simgrid/simgrid_kernel.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_warnings.hpp"
#include "sim/shard/shard_comm.hpp"
#include "sim/cli/sweep_command.hpp"
#include "sim/cli/goal_seek_command.hpp"
#include "sim/cli/init_command.hpp"
#include "sim/core/units.hpp"
#include "sim/model/world.hpp"

namespace po = boost::program_options;
using namespace fleetsim;

namespace {

const char* kUsage =
    "fleetsim — fleet firmware-rollout simulator\n"
    "\n"
    "Usage:\n"
    "  fleetsim run SCENARIO.json [options]   simulate a scenario and write results\n"
    "  fleetsim init FILE.json [--devices N] [--regions a,b] [--models m1,m2] [--strategy S] [--force]\n"
    "                                         write a starting scenario that validates and runs\n"
    "  fleetsim validate SCENARIO.json [--set k=v]...   check a scenario; errors name the JSON path\n"
    "  fleetsim schema                        print the JSON Schema of the scenario format\n"
    "  fleetsim models [--json]               list the built-in device-model catalog\n"
    "  fleetsim sweep SCENARIO.json --vary PATH=V1,V2,... [--seeds N] [--jobs N]\n"
    "                                         run the cross product of varied fields; sweep.csv, sweep.html\n"
    "  fleetsim seek SCENARIO.json --vary PATH=LO..HI [--assert 'M OP V']... [--goal smallest|largest]\n"
    "                                         the threshold of one field at which the scenario passes\n"
    "  fleetsim compare RESULTS_A RESULTS_B [--html FILE]\n"
    "                                         a baseline against a variant: scenario differences, results\n"
    "                                         with deltas; runs of one scenario also device by device\n"
    "  fleetsim report OUT_DIR                regenerate report.html, junit.xml, summary.md, metrics.om\n"
    "  fleetsim suite DIR [options]           run every scenario under DIR; suite.html and one JUnit file\n"
    "  fleetsim hil probe|flash|calibrate|state|reset|confirm|erase|image ...\n"
    "                                         single-board operations, MCUboot images (see 'fleetsim hil --help')\n"
    "  fleetsim help [COMMAND]                this text, or a command's options\n"
    "  fleetsim --version                     the version and git revision of this build\n"
    "\n"
    "Exit codes: 0 ok, 1 an assertion or gate failed, 2 bad input or usage, 3 runtime/infrastructure failure.\n";

int64_t peak_rss_bytes() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return int64_t(ru.ru_maxrss) * 1024;
}

std::string hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

std::string run_usage() {
  std::string text = "fleetsim run SCENARIO.json [options]\n";
  if (mpi_built())
    text += "Region shards: `mpirun -np N fleetsim run SCENARIO.json` splits the fleet by region (edge\n"
            "site) over N ranks; results are identical for every N and rank 0 writes them. See the README,\n"
            "\"Region shards (MPI)\".\n";
  else
    text += "Region shards (mpirun) are not available: this build has no MPI. Install OpenMPI\n"
            "(apt-get install libopenmpi-dev openmpi-bin) and rebuild to enable them.\n";
  return text +
         "SIGINT/SIGTERM stop the run: it replaces the results in --out by an interrupted result (junit.xml\n"
         "with an <error>, summary.md, summary.json \"state\": \"interrupted\") and exits 3.\n"
         "\nOptions";
}

po::options_description run_options() {
  static const std::string usage = run_usage();
  po::options_description o(usage);
  o.add_options()
      ("out,o", po::value<std::string>(), "output directory (default: results/<scenario file name>)")
      ("seed", po::value<std::string>(), "random seed, an integer from 0 (overrides the scenario's \"seed\")")
      ("set", po::value<std::vector<std::string>>()->composing(),
       "override a scenario field, e.g. --set fleet.cohorts[0].count=2000000 (repeatable)")
      ("kernel", po::value<std::string>()->default_value("native"),
       "simulation kernel: native (fast, millions of devices) or simgrid (SimGrid S4U reference; its network "
       "model is the scenario's kernel.simgrid.network_model: max-min (default), CM02 or LV08)")
      ("trace-devices", "write devices.csv with one row per device")
      ("metrics-listen", po::value<std::string>(),
       "serve live Prometheus metrics at HOST:PORT during the run (default off; \"9100\" or \":9100\" bind "
       "127.0.0.1; port 0 picks a free port)")
      ("metrics-linger", po::value<double>()->default_value(0),
       "with --metrics-listen: keep serving the final values this many seconds (0 to 86400) after the run "
       "(SIGINT/SIGTERM end it early)")
      ("metrics-rate-limit", po::value<std::string>()->default_value("5,10"),
       "with --metrics-listen: RATE,BURST requests per client address: bursts of BURST, then RATE a second; "
       "beyond it a request is answered 429 Too Many Requests with Retry-After (off: no limit)")
      ("boards", po::value<std::string>(),
       "boards.json: real or emulated boards take the device slots of the scenario's \"hil\" section")
      ("strict", "treat warnings (valid input that is probably a mistake) as errors: exit 2 before running")
      ("infra-retries", po::value<int>()->default_value(0),
       "with --boards: a board whose update fails for infrastructure reasons is power-cycled with its hooks "
       "(reset, or power_off + power_on) and its update retried, up to N times (0-10)")
      ("progress", "show the progress line even when stderr is not a terminal")
      ("quiet,q", "print nothing but errors")
      ("help,h", "show this help");
  add_board_lock_options(o);
  return o;
}

std::vector<std::string> sets_of(const po::variables_map& vm) {
  return vm.count("set") ? vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
}

int cmd_validate(int argc, char** argv) {
  po::options_description desc("fleetsim validate SCENARIO.json [--set k=v]... [--strict] [--boards boards.json]");
  desc.add_options()("set", po::value<std::vector<std::string>>()->composing(), "override a field")(
      "strict", "treat warnings (valid input that is probably a mistake) as errors: exit 2")(
      "boards", po::value<std::string>(),
      "also check boards.json with the scenario's hil section: the inventory, hil.image and hil.baseline "
      "(readable MCUboot images of the right versions) and a device slot for every board")(
      "help,h", "show this help");
  CommandArgs a;
  if (auto done = parse_command(argc, argv, desc, a)) return *done;
  if (a.positional.size() != 1) return usage_error("validate takes exactly one scenario file");
  LoadResult r = load_scenario_file(a.positional[0], sets_of(a.vm));
  if (!r.problems.empty()) {
    std::cerr << r.format(a.positional[0]);
    std::cerr << r.problems.size() << " problem(s) in " << a.positional[0] << "\n";
    return exit_code::kBadInput;
  }
  std::cerr << format_warnings(a.positional[0], r.warnings);
  if (!r.warnings.empty() && a.vm.count("strict")) {
    std::cerr << r.warnings.size() << " warning(s) in " << a.positional[0] << ", an error with --strict\n";
    return exit_code::kBadInput;
  }
  if (a.vm.count("boards")) {
    const std::string boards = a.vm["boards"].as<std::string>();
    if (!r.scenario->hil)
      return usage_error("--boards needs a \"hil\" section in " + a.positional[0] +
                         " (e.g. \"hil\": {\"image\": \"app.bin\"})");
    hil::HilInputs inputs = hil::load_hil_inputs(*r.scenario, boards);
    if (inputs.inventory) {  // slots are planned by the World, as in a run
      NativeKernel kernel;
      World world(*r.scenario, kernel);
      hil::assign_board_slots(*r.scenario, world, *inputs.inventory, boards, inputs.baseline, inputs.problems,
                              inputs.problem_count);
    }
    if (!inputs.ok()) {
      std::cerr << inputs.problems << inputs.problem_count << " problem(s) in " << a.positional[0] << " with "
                << boards << "\n";
      return exit_code::kBadInput;
    }
    std::cout << a.positional[0] << " with " << boards << ": ok (" << inputs.inventory->boards.size()
              << " boards, image " << inputs.image->info.version.text()
              << (inputs.baseline ? ", baseline " + inputs.baseline->info.version.text() : std::string()) << ")\n";
    return exit_code::kOk;
  }
  const MemoryEstimate need = estimate_run_memory(*r.scenario, false);
  std::cout << a.positional[0] << ": ok (" << r.scenario->device_count() << " devices, "
            << r.scenario->cohorts.size() << " cohorts, " << r.scenario->regions.size() << " regions"
            << (r.warnings.empty() ? std::string() : ", " + std::to_string(r.warnings.size()) + " warning(s)")
            << "; a run needs about " << units::format_size(Bytes(double(need.bytes))) << ": " << need.terms << ")\n";
  return exit_code::kOk;
}

int cmd_schema() {
  std::cout << scenario_json_schema().dump(2) << "\n";
  return exit_code::kOk;
}

int cmd_models(int argc, char** argv) {
  po::options_description desc("fleetsim models [--json]");
  desc.add_options()("json", "print the catalog files as one JSON object")("help,h", "show this help");
  CommandArgs a;
  if (auto done = parse_command(argc, argv, desc, a)) return *done;
  if (a.vm.count("json")) {
    nlohmann::ordered_json j;
    for (const auto& [name, text] : builtin_device_model_sources()) j[name] = nlohmann::ordered_json::parse(text);
    std::cout << j.dump(2) << "\n";
    return exit_code::kOk;
  }
  std::printf("%-16s %-9s %-7s %-6s %12s %10s  %s\n", "model", "link", "storage", "notify", "downlink", "poll",
              "description");
  for (const DeviceModel& m : builtin_device_models()) {
    std::printf("%-16s %-9s %-7s %-6s %12s %10s  %s\n", m.name.c_str(), to_string(m.link_type),
                to_string(m.storage), m.notification == Notification::Push ? "push" : "poll",
                units::format_rate(BytesPerSecond(m.downlink.mean())).c_str(),
                units::format_duration(m.poll_interval).c_str(), m.description.c_str());
  }
  return exit_code::kOk;
}

class ProgressLine {
 public:
  ProgressLine(bool enabled, double duration) : enabled_(enabled), duration_(duration) {}
  void update(double sim_t, uint64_t events) {
    if (!enabled_) return;
    double wall = seconds_since_start();
    if (sim_t < duration_ && wall - last_print_ < 0.2) return;  // a few updates per second
    last_print_ = wall;
    double frac = duration_ > 0 ? sim_t / duration_ : 1.0;
    double eta = frac > 0 ? wall / frac - wall : 0.0;
    std::fprintf(stderr, "\r  simulated %s / %s  %5.1f%%  %6.2fM events/s  ETA %4.0fs ",
                 units::format_duration(Seconds(sim_t)).c_str(), units::format_duration(Seconds(duration_)).c_str(),
                 frac * 100.0, wall > 0 ? double(events) / wall / 1e6 : 0.0, eta);
  }
  void done() {
    if (enabled_) std::fprintf(stderr, "\n");
  }
  double seconds_since_start() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  bool enabled_;
  double duration_;
  double last_print_ = -1.0;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// run.json of a sharded run: events summed over ranks, the largest rank's peak RSS, and one
// entry per rank. Returns the ranks' peak RSS summed (the memory the whole run needed).
int64_t gather_rank_stats(ShardComm& comm, const World& world, RunStats& stats) {
  const int64_t owned = world.owned_devices();
  struct Row {
    int64_t events, rss, devices;
    char host[64];
  };
  Row mine{int64_t(stats.events), stats.peak_rss_bytes, owned, {}};
  std::snprintf(mine.host, sizeof mine.host, "%s", stats.host.c_str());
  const std::vector<std::byte> all =
      comm.all_gather(std::span<const std::byte>(reinterpret_cast<const std::byte*>(&mine), sizeof mine));
  stats.events = 0;
  stats.peak_rss_bytes = 0;
  int64_t rss_sum = 0;
  for (size_t at = 0; at + sizeof(Row) <= all.size(); at += sizeof(Row)) {
    Row r;
    std::memcpy(&r, all.data() + at, sizeof r);
    rss_sum += r.rss;
    stats.events += uint64_t(r.events);
    stats.peak_rss_bytes = std::max(stats.peak_rss_bytes, r.rss);
    stats.rank_events.push_back(uint64_t(r.events));
    stats.rank_peak_rss_bytes.push_back(r.rss);
    stats.rank_devices.push_back(r.devices);
    stats.rank_hosts.push_back(r.host);
  }
  return rss_sum;
}

// A run stopped by SIGINT/SIGTERM: the interrupted result replaces the folder's results, so that
// no earlier pass survives (README "Outputs"), and the exit code is kInfrastructure. Board
// operations still running get a bounded wait, then the process ends without them.
int write_interrupted(const Scenario& scenario, const std::string& out_dir, double simulated_s,
                      hil::HilBridge* bridge) {
  const Interruption why{StopSignals::name(StopSignals::received()), simulated_s};
  std::cerr << "fleetsim: " << why.message() << "\n";
  if (std::string err = commit_results(out_dir, interrupted_output_files(scenario.name, scenario.seed,
                                                                         scenario.document, why),
                                       RunState::Interrupted);
      !err.empty())
    std::cerr << "fleetsim: " << err << "\n";
  else
    std::cerr << "fleetsim: " << out_dir << "/junit.xml and summary.md say so; run the scenario again\n";
  if (bridge) {
    constexpr auto kBoardBound = std::chrono::seconds(10);
    const std::vector<std::string> running = bridge->wait_for_operations(kBoardBound);
    if (!running.empty()) {
      for (const std::string& id : running)
        std::cerr << "fleetsim: board " << id << " is still updating after " << kBoardBound.count()
                  << " s: abandoned (it may be left mid-update; probe it with fleetsim hil probe)\n";
      // The update threads cannot be cancelled inside a board request: end the process without
      // joining them.
      std::cout.flush();
      std::cerr.flush();
      std::_Exit(exit_code::kInfrastructure);
    }
  }
  return exit_code::kInfrastructure;
}

int cmd_run(int argc, char** argv) {
  po::options_description desc = run_options();
  CommandArgs a;
  if (auto done = parse_command(argc, argv, desc, a)) return *done;
  if (a.positional.size() != 1) return usage_error("run takes exactly one scenario file");
  const std::string file = a.positional[0];
  if (!a.vm["metrics-linger"].defaulted()) {
    const double linger = a.vm["metrics-linger"].as<double>();
    if (!a.vm.count("metrics-listen"))
      return usage_error("--metrics-linger needs --metrics-listen HOST:PORT (it keeps that endpoint serving)");
    if (!std::isfinite(linger) || linger < 0 || linger > 86400)
      return usage_error("--metrics-linger must be a number of seconds from 0 to 86400, e.g. 30");
  }
  std::string rate_error;
  const std::optional<RequestRateLimit> rate_limit =
      RequestRateLimit::parse(a.vm["metrics-rate-limit"].as<std::string>(), rate_error);
  if (!rate_limit) return usage_error(rate_error);
  if (!a.vm["metrics-rate-limit"].defaulted() && !a.vm.count("metrics-listen"))
    return usage_error("--metrics-rate-limit needs --metrics-listen HOST:PORT (it limits that endpoint's clients)");
  const std::string kernel_name = a.vm["kernel"].as<std::string>();
  if (kernel_name != "native" && kernel_name != "simgrid")
    return usage_error("unknown --kernel \"" + kernel_name + "\" (expected native or simgrid)");
  bool quiet = a.vm.count("quiet") > 0;

  // Under an MPI launcher every rank runs this; each simulates the regions it owns.
  std::unique_ptr<ShardComm> comm;
  if (launched_by_mpi()) {
    if (const std::string problem = mpi_launch_problem("the scenario"); !problem.empty()) {
      std::cerr << problem;
      return exit_code::kBadInput;
    }
    if (kernel_name != "native")
      return usage_error("region shards (mpirun) run on the native kernel; run --kernel simgrid without mpirun");
    if (a.vm.count("boards")) return usage_error("--boards (hardware in the loop) runs without mpirun");
    if (a.vm.count("metrics-listen")) return usage_error("--metrics-listen runs without mpirun");
    comm = mpi_world_comm();
  }
  const bool writer = !comm || comm->rank() == 0;  // the rank that writes results and talks
  // SIGINT/SIGTERM from here on stop the run at its next chunk (not under mpirun: the ranks would
  // stop at different chunks; mpirun ends the job itself).
  std::optional<StopSignals> stop_signals;
  if (!comm) stop_signals.emplace();
  auto stop = [&] { return stop_signals && StopSignals::received() != 0; };
  if (!writer) quiet = true;

  // The seed is checked like the scenario's own "seed"; a problem with it names --seed.
  std::vector<std::string> sets = sets_of(a.vm);
  std::vector<std::string> set_names(sets.size());
  if (a.vm.count("seed")) {
    const std::string seed = a.vm["seed"].as<std::string>();
    sets.push_back("seed=" + seed);
    set_names.push_back("--seed " + seed);
  }
  LoadResult loaded = load_scenario_file(file, sets, set_names);
  std::string out_dir = a.vm.count("out") ? a.vm["out"].as<std::string>()
                                          : "results/" + std::filesystem::path(file).stem().string();
  int start_code = exit_code::kOk;
  std::string start_error;
  if (!loaded.problems.empty()) {
    start_code = exit_code::kBadInput;
    start_error = loaded.format(file);
  } else if (writer) {
    std::error_code ec;
    std::filesystem::create_directories(out_dir, ec);
    if (ec) {
      start_code = exit_code::kInfrastructure;
      start_error = "fleetsim: cannot create output directory " + out_dir + ": " + ec.message() + "\n";
    }
  }
  if (comm) {
    const int agreed = agree_across_ranks(*comm, start_code, start_error,
                                          loaded.scenario ? text_fingerprint(loaded.scenario->document) : 0);
    if (agreed != exit_code::kOk) return agreed;
  } else if (start_code != exit_code::kOk) {
    std::cerr << start_error;
    return start_code;
  }
  const Scenario& scenario = *loaded.scenario;
  if (writer && (!quiet || a.vm.count("strict"))) std::cerr << format_warnings(file, loaded.warnings);
  if (!loaded.warnings.empty() && a.vm.count("strict")) {
    if (writer) std::cerr << loaded.warnings.size() << " warning(s) in " << file << ", an error with --strict\n";
    return exit_code::kBadInput;
  }
  // Refused before anything large is allocated. A sharded run splits the fleet over the ranks (and
  // hosts), so only a run in one process is checked.
  if (!comm) {
    const MemoryEstimate need = estimate_run_memory(scenario, a.vm.count("trace-devices") > 0, kernel_name == "simgrid");
    if (const auto limit = available_memory(); limit && need.bytes > limit->bytes) {
      std::cerr << file << ": the run needs about " << units::format_size(Bytes(double(need.bytes))) << " ("
                << need.terms << ") but only " << units::format_size(Bytes(double(limit->bytes)))
                << " are available (" << limit->source
                << ") (expected fewer devices, a longer output.interval or a larger machine; mpirun splits the fleet "
                   "by region over ranks)\n";
      return exit_code::kBadInput;
    }
  }

  const bool show_progress = !quiet && (a.vm.count("progress") || isatty(STDERR_FILENO));
  if (!quiet)
    std::cerr << "fleetsim: " << scenario.name << ": " << scenario.device_count() << " devices, "
              << units::format_duration(scenario.duration) << " simulated, seed " << scenario.seed
              << (comm ? ", " + std::to_string(comm->size()) + " ranks" : std::string()) << "\n";
  std::unique_ptr<Kernel> kernel_ptr;
  if (kernel_name == "simgrid") kernel_ptr = std::make_unique<SimgridKernel>(scenario.kernel.simgrid_network_model);
  else kernel_ptr = std::make_unique<NativeKernel>();
  Kernel& kernel = *kernel_ptr;
  World world(scenario, kernel, WorldOptions{a.vm.count("trace-devices") > 0, comm.get()});
  hil::BoardReservation reservation;       // the boards stay reserved until the bridge is gone
  std::unique_ptr<hil::HilBridge> bridge;  // outlives world.run: the world and kernel call it
  const int infra_retries = a.vm["infra-retries"].as<int>();
  if (infra_retries < 0 || infra_retries > 10) return usage_error("--infra-retries: expected 0 to 10");
  if (a.vm.count("boards")) {
    if (!scenario.hil)
      return usage_error("--boards needs a \"hil\" section in " + file + " (e.g. \"hil\": {\"image\": \"app.bin\"})");
    auto log = [quiet](const std::string& line) {
      if (!quiet) std::cerr << line << "\n";
    };
    std::string lock_error;
    const auto lock = board_lock_options(a.vm, "fleetsim " + hil::command_line(argc, argv), lock_error);
    if (!lock) return usage_error(lock_error);
    hil::HilSetup setup = hil::attach_boards(scenario, world, kernel, a.vm["boards"].as<std::string>(), log,
                                             hil::HilRunOptions{infra_retries, *lock, stop});
    if (setup.interrupted) {
      const int interrupted = write_interrupted(scenario, out_dir, 0, nullptr);
      if (!setup.abandoned.empty()) {
        for (const std::string& id : setup.abandoned)
          std::cerr << "fleetsim: board " << id << " is still being brought to its known state after "
                    << hil::kAbandonAfter.count() << " ms: abandoned (the next run's known-state step recovers "
                    << "it; probe it with fleetsim hil probe)\n";
        // Their threads cannot be cancelled inside a board request: end without joining them.
        std::cout.flush();
        std::cerr.flush();
        std::_Exit(interrupted);
      }
      return interrupted;
    }
    if (!setup.bridge) {
      std::cerr << setup.error;
      return setup.exit_code;
    }
    reservation = std::move(setup.reservation);
    bridge = std::move(setup.bridge);
  } else if (scenario.hil && scenario.hil->required) {
    return usage_error(file + ": " + scenario.hil->pointer +
                       ": the scenario needs boards (expected --boards boards.json, or \"required\": false in the hil "
                       "section to simulate every device without them)");
  } else if (scenario.hil && !quiet) {
    std::cerr << "fleetsim: note: the \"hil\" section is ignored without --boards (all devices are simulated)\n";
  }
  if (bridge) bridge->stop_holding_when(stop);
  ProgressLine progress(show_progress, scenario.duration.value);
  std::unique_ptr<LiveMetrics> live;
  int code = exit_code::kOk;
  if (a.vm.count("metrics-listen") &&
      !(live = LiveMetrics::start(a.vm["metrics-listen"].as<std::string>(), *rate_limit, scenario, world, quiet, code)))
    return code;
  const bool finished = world.run(
      [&](double t) {
        progress.update(t, kernel.events_processed());
        if (live) live->update(t, kernel.events_processed(), progress.seconds_since_start());
      },
      stop);
  progress.done();
  if (!finished) return write_interrupted(scenario, out_dir, kernel.now().value, bridge.get());
  const double wall = progress.seconds_since_start();

  Results results = world.results();
  results.warnings = loaded.warnings;
  if (bridge) results.checks = bridge->checks();
  RunStats stats;
  stats.kernel = kernel.name();
  if (kernel_name == "simgrid") stats.network_model = scenario.kernel.simgrid_network_model;
  stats.wall_seconds = wall;
  stats.events = kernel.events_processed();
  stats.peak_rss_bytes = peak_rss_bytes();
  stats.devices = scenario.device_count();
  stats.host = hostname();
  stats.version = build_version();
  stats.revision = build_revision();
  int64_t rss_all_ranks = stats.peak_rss_bytes;
  if (comm) rss_all_ranks = gather_rank_stats(*comm, world, stats);
  stats.events_per_second = wall > 0 ? double(stats.events) / wall : 0.0;
  stats.bytes_per_device = stats.devices ? double(rss_all_ranks) / double(stats.devices) : 0.0;

  int write_code = exit_code::kOk;
  std::string written;  // the names of the files written, for the closing message
  if (writer) {
    const OutputFiles files = run_output_files(results, stats);
    for (const auto& [name, content] : files) written += (written.empty() ? "" : ", ") + name;
    written += std::string(", ") + kManifestFile;
    std::string err = commit_results(out_dir, files, RunState::Complete);
    if (!err.empty()) {
      std::cerr << "fleetsim: " << err << "\n";
      write_code = exit_code::kInfrastructure;
    }
  }
  if (comm) write_code = int(comm->max(write_code));
  if (write_code != exit_code::kOk) return write_code;

  const int verdict = run_exit_code(results);  // assertions, gates and checks
  if (!quiet) {
    std::cout << "rollout " << results.rollout_state << ": " << results.on_target << " of " << results.devices
              << " devices on " << results.target_version << " ("
              << (results.devices ? 100.0 * double(results.on_target) / double(results.devices) : 0.0) << "%)\n";
    for (const AssertionResult& r : results.assertions)
      std::cout << (r.passed ? "  PASS " : "  FAIL ") << r.metric << " " << r.op << " " << r.expected << " at "
                << r.at << " (actual " << r.actual << ")\n";
    for (const CheckResult& c : results.checks)
      std::cout << (c.outcome == CheckResult::Outcome::Passed ? "  PASS " : c.outcome == CheckResult::Outcome::Failed ? "  FAIL " : "  ERROR ")
                << c.name << ": " << c.message << "\n";
    std::printf("%.2f s wall, %llu events, %.2fM events/s, peak RSS %.1f MiB%s (%.0f bytes/device)\n", wall,
                (unsigned long long)stats.events, stats.events_per_second / 1e6,
                double(stats.peak_rss_bytes) / 1048576.0,
                comm ? (" on the largest of " + std::to_string(comm->size()) + " ranks").c_str() : "",
                stats.bytes_per_device);
    std::cout << "results in " << out_dir << "/ (" << written << ")\n";
  }
  if (live) {
    live->finish();
    // A signal after the last chunk (while the results were written) also ends the linger.
    LiveMetrics::linger(a.vm["metrics-linger"].as<double>(), stop);
  }
  return verdict;  // a demonstrated failure (exit 1) wins over an infrastructure error (exit 3)
}



}  // namespace

// Runs sub-command `cmd`; argv[0] is the command. nullopt: there is no such command.
static std::optional<int> run_command(const std::string& cmd, int argc, char** argv) {
  if (cmd == "run") return cmd_run(argc, argv);
  if (cmd == "validate") return cmd_validate(argc, argv);
  if (cmd == "schema") return cmd_schema();
  if (cmd == "models") return cmd_models(argc, argv);
  if (cmd == "compare") return compare_command(argc, argv);
  if (cmd == "sweep") return sweep_command(argc, argv);
  if (cmd == "seek") return goal_seek_command(argc, argv);
  if (cmd == "init") return init_command(argc, argv);
  if (cmd == "report") return report_command(argc, argv);
  if (cmd == "suite") return suite_command(argc, argv);
  if (cmd == "hil") return hil::run_hil_command(argc, argv);
  return std::nullopt;
}

// The options of a command as its --help describes them: `words` is {"run"} or {"hil", "image"}.
static std::optional<po::options_description> options_of(const std::vector<std::string>& words) {
  std::vector<std::string> args = words;
  args.push_back("--help");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return describe_options([&] { (void)run_command(args[0], int(args.size()), argv.data()); });
}

// `fleetsim __complete LINE` (sim/cli/completion/fleetsim.bash) and `fleetsim __man` (fleetsim(1)):
// hidden, for the shell and the build.
static int complete_command(const std::string& line) {
  CompletionSources sources{kUsage, hil::hil_usage(), options_of, scenario_json_schema(), {}};
  for (const DeviceModel& m : builtin_device_models()) sources.model_names.push_back(m.name);
  std::cout << complete_command_line(line, sources);
  return exit_code::kOk;
}

static int print_manual() {
  std::vector<CommandManual> commands;
  for (const std::string& name : commands_in_usage(kUsage, "fleetsim")) {
    if (name == "help") continue;
    if (name == "hil") {
      commands.push_back({"hil", hil::hil_usage(), options_of({"hil"})});
      commands.push_back({"hil image", hil::hil_image_usage(), options_of({"hil", "image"})});
    } else {
      commands.push_back({name, "", options_of({name})});
    }
  }
  std::cout << fleetsim_manual_page(kUsage, commands);
  return exit_code::kOk;
}

int main(int argc, char** argv) {
  try {
    if (argc < 2) {
      std::cerr << kUsage;
      return exit_code::kBadInput;
    }
    const std::string cmd = argv[1];
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      if (argc < 3) {
        std::cout << kUsage;
        return exit_code::kOk;
      }
      // `fleetsim help COMMAND` is `fleetsim COMMAND --help`.
      const std::string topic = argv[2];
      if (topic == "schema") {
        std::cout << "fleetsim schema\nPrints the JSON Schema (draft 2020-12) of the scenario format.\n";
        return exit_code::kOk;
      }
      std::string help_flag = "--help";
      char* sub[] = {argv[2], help_flag.data(), nullptr};
      if (auto code = run_command(topic, 2, sub)) return *code;
      return usage_error("unknown command \"" + topic + "\"");
    }
    if (cmd == "--version") {
      std::cout << version_line("fleetsim") << "\n";
      return exit_code::kOk;
    }
    if (cmd == "__complete" && argc == 3) return complete_command(argv[2]);
    if (cmd == "__man" && argc == 2) return print_manual();
    if (cmd == "__man" && argc == 3 && std::string(argv[2]) == "scenario") {  // fleetsim-scenario(5)
      std::cout << scenario_manual_page(scenario_json_schema());
      return exit_code::kOk;
    }
    if (auto code = run_command(cmd, argc - 1, argv + 1)) return *code;
    return usage_error("unknown command \"" + cmd + "\"");
  } catch (const std::bad_alloc&) {
    std::cerr << "fleetsim: out of memory\n";
    abort_mpi_job_if_running(exit_code::kInfrastructure);  // the other ranks would wait for this one forever
    return exit_code::kInfrastructure;
  } catch (const std::exception& e) {
    std::cerr << "fleetsim: internal error: " << e.what() << "\n";
    abort_mpi_job_if_running(exit_code::kInfrastructure);
    return exit_code::kInfrastructure;
  }
}
