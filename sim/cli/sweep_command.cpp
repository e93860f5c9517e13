#include "sim/cli/sweep_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "sim/core/atomic_file.hpp"
#include "sim/core/did_you_mean.hpp"
#include "sim/core/exit_codes.hpp"
#include "reports/summary_metrics.hpp"
#include "reports/sweep_writers.hpp"
#include "sim/cli/command_options.hpp"
#include "sim/cli/sweep_runs.hpp"
#include "sim/shard/rank_agreement.hpp"
#include "sim/scenario/scenario.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/shard/shard_comm.hpp"

namespace po = boost::program_options;

namespace fleetsim {

namespace {

std::string sweep_usage() {
  std::string text =
      "fleetsim sweep SCENARIO.json --vary PATH=V1,V2,... [--vary ...] [options]\n"
      "Runs the scenario for every combination of the varied fields (the cross product), each with\n"
      "--seeds seeds, as parallel `fleetsim run` processes. Writes OUT/sweep.csv (one row per run: the\n"
      "varied values, seed, exit code, verdict pass/fail/error, time_to_50/90/95/99_h in hours, empty\n"
      "when not reached, then each --metric) and OUT/sweep.html (a chart of each --metric against each\n"
      "varied value, numeric values to scale, markers green when the runs passed, red when an assertion\n"
      "or gate failed in one, grey when a run ended without results, and a table of the median, min\n"
      "and max across seeds). Changing --metric reruns nothing.\n"
      "Each run keeps its results in OUT/runs/; running the same sweep again skips complete runs that\n"
      "computed the same effective scenario with the same fleetsim build (a changed file reruns them).\n";
  if (mpi_built())
    text += "Across MPI ranks: `mpirun -np N fleetsim sweep ...` gives run i to rank i mod N (each rank\n"
            "runs its share --jobs at a time); rank 0 then reads every run's results from OUT/runs/, so\n"
            "on a cluster OUT must be on a filesystem every node shares.\n";
  else
    text += "Across MPI ranks (mpirun): not available, this build has no MPI.\n";
  text += "Exit 0 when every run finished (failed assertions are results), 2 on bad input, 3 when a run\n"
          "could not be started or crashed";
  return text;
}

// The --metric help, naming the defaults from default_sweep_metrics() itself so that they agree.
// Broken into lines here, at spaces: boost's own wrapping cuts a long metric name in two.
std::string metric_help() {
  std::vector<std::string> words = {"an", "assertion", "metric", "to", "tabulate", "and", "chart,", "e.g.", "--metric",
                                    "platform.peak_egress_bps", "(repeatable;", "default:"};
  const std::vector<AssertionMetric> defaults = default_sweep_metrics();
  for (size_t i = 0; i < defaults.size(); ++i)
    words.push_back(std::string(metric_info(defaults[i]).name) + (i + 1 < defaults.size() ? "," : ")"));
  constexpr size_t kWidth = 54;  // the description column beside the option names, 80 characters wide
  std::string text, line;
  for (const std::string& word : words) {
    if (!line.empty() && line.size() + 1 + word.size() > kWidth) {
      text += line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return text + line;
}

std::string hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

// How many ranks of the job run on this host: they share its processors, so by default each
// starts its share of them.
int ranks_on_this_host(ShardComm& comm, const std::string& host) {
  char mine[64] = {};
  std::snprintf(mine, sizeof mine, "%s", host.c_str());
  const std::vector<std::byte> all = comm.all_gather(std::as_bytes(std::span<const char>(mine, sizeof mine)));
  int same = 0;
  for (size_t at = 0; at + sizeof mine <= all.size(); at += sizeof mine)
    if (std::memcmp(all.data() + at, mine, sizeof mine) == 0) ++same;
  return std::max(1, same);
}

// Nothing a stream is given reaches the terminal while this lives (ranks other than 0 parsing the
// same command line as rank 0, which alone prints its help or usage errors).
class MutedStreams {
 public:
  explicit MutedStreams(bool mute) {
    if (!mute) return;
    out_ = std::cout.rdbuf(nullptr);
    err_ = std::cerr.rdbuf(nullptr);
    muted_ = true;
  }
  ~MutedStreams() {
    if (!muted_) return;
    std::cout.rdbuf(out_);  // rdbuf() also clears the bad bit a null buffer set
    std::cerr.rdbuf(err_);
  }
  MutedStreams(const MutedStreams&) = delete;
  MutedStreams& operator=(const MutedStreams&) = delete;

 private:
  bool muted_ = false;
  std::streambuf* out_ = nullptr;
  std::streambuf* err_ = nullptr;
};

// Every point must be a valid scenario before anything runs. Returns the exit code and sets
// `message` to what is wrong.
int validate_points(const SweepSpec& spec, const LoadResult& base, const std::vector<SweepRun>& runs,
                    std::string& message) {
  if (!base.problems.empty()) {
    message = base.format(spec.scenario_file);
    return exit_code::kBadInput;
  }
  for (const SweepRun& run : runs) {
    if (run.seed != base.scenario->seed) continue;  // the seed never makes a scenario invalid
    LoadResult point = load_scenario_file(spec.scenario_file, run_overrides(spec, run), run_override_names(spec, run));
    if (point.problems.empty()) continue;
    message = "fleetsim: the sweep point";
    for (size_t i = 0; i < spec.axes.size(); ++i) message += " " + spec.axes[i].path + "=" + run.values[i];
    message += " is not a valid scenario:\n" + point.format(spec.scenario_file);
    return exit_code::kBadInput;
  }
  return exit_code::kOk;
}

// The --metric names as metrics: each an assertion metric summary.json records, each once.
std::optional<std::vector<AssertionMetric>> parse_sweep_metrics(const std::vector<std::string>& names,
                                                                 std::string& error) {
  std::vector<std::string> known;
  for (const AssertionMetricInfo& m : kAssertionMetrics)
    if (summary_records(m.id)) known.emplace_back(m.name);
  std::vector<AssertionMetric> metrics;
  for (const std::string& name : names) {
    const std::optional<AssertionMetric> m = find_assertion_metric(name);
    if (!m) {
      error = "--metric " + name + ": no such metric" + suggestion(name, known) +
              "; the metrics are those of README \"Assertion metrics\"";
      return std::nullopt;
    }
    if (!summary_records(*m)) {
      error = "--metric " + name + ": a sweep cannot show it, summary.json does not record it at the end of a run";
      return std::nullopt;
    }
    if (std::find(metrics.begin(), metrics.end(), *m) == metrics.end()) metrics.push_back(*m);
  }
  return metrics;
}

void print_progress(const SweepSpec& spec, const SweepShare& share, const SweepRun& run, size_t done, size_t total) {
  std::string line = "  [" + (share.ranks > 1 ? "rank " + std::to_string(share.rank) + ": " : std::string()) +
                     std::to_string(done) + "/" + std::to_string(total) + "]";
  for (size_t i = 0; i < spec.axes.size(); ++i) line += " " + spec.axes[i].path + "=" + run.values[i];
  line += " seed " + std::to_string(run.seed) + ": ";
  if (run.exit_code == exit_code::kOk || run.exit_code == exit_code::kFailed) {
    auto state = run.results.find("rollout.state");
    auto frac = run.results.find("fleet.on_target_fraction");
    line += (state != run.results.end() ? state->second : "?") + ", on target " +
            (frac != run.results.end() ? frac->second : "?") +
            (run.exit_code == exit_code::kFailed ? ", an assertion failed" : "") +
            (run.resumed ? " (already complete)" : "");
  } else {
    line += "exit " + std::to_string(run.exit_code);
  }
  std::cerr << line + "\n";  // one write: lines of ranks sharing a terminal do not mix
}

}  // namespace

int sweep_command(int argc, char** argv) {
  static const std::string usage = sweep_usage();
  static const std::string metric_text = metric_help();
  po::options_description desc(usage);
  desc.add_options()
      ("vary", po::value<std::vector<std::string>>()->composing(),
       "a field and its values, e.g. --vary platform.cdn.regions.eu-west.egress=5Gbps,10Gbps (repeatable)")
      ("seeds", po::value<int>()->default_value(1), "seeds per point: the scenario's seed, seed+1, ...")
      ("jobs,j", po::value<int>(),
       "runs at a time (default: the number of processors; under mpirun, shared by the ranks on a host)")
      ("out,o", po::value<std::string>(), "output directory (default: results/<scenario file name>-sweep)")
      ("set", po::value<std::vector<std::string>>()->composing(), "a fixed override for every run (repeatable)")
      ("metric", po::value<std::vector<std::string>>()->composing(), metric_text.c_str())
      ("quiet,q", "print nothing but errors")
      ("help,h", "show this help");
  add_child_limit_options(desc);
  CommandArgs a;
  SweepSpec spec;
  {
    // Under mpirun every rank parses the same arguments and reaches the same verdict; one prints it.
    MutedStreams muted(launched_by_mpi() && launcher_rank() != 0);
    if (auto done = parse_command(argc, argv, desc, a)) return *done;
    if (a.positional.size() != 1) return usage_error("sweep takes exactly one scenario file");
    if (!a.vm.count("vary")) return usage_error("sweep needs at least one --vary PATH=V1,V2,...");
    if (a.vm.count("jobs") && a.vm["jobs"].as<int>() < 1) return usage_error("--jobs must be at least 1");
    spec.seeds = a.vm["seeds"].as<int>();
    if (spec.seeds < 1 || spec.seeds > 1000) return usage_error("--seeds must be between 1 and 1000");
    for (const std::string& text : a.vm["vary"].as<std::vector<std::string>>()) {
      std::string error;
      auto axis = parse_sweep_axis(text, error);
      if (!axis) return usage_error(error);
      spec.axes.push_back(*axis);
    }
    if (const std::string problem = sweep_spec_problem(spec); !problem.empty()) return usage_error(problem);
    if (a.vm.count("metric")) {
      std::string error;
      const auto metrics = parse_sweep_metrics(a.vm["metric"].as<std::vector<std::string>>(), error);
      if (!metrics) return usage_error(error);
      spec.metrics = *metrics;
    }
    std::string limit_error;
    const std::optional<ChildLimits> limits = child_limits(a.vm, limit_error);
    if (!limits) return usage_error(limit_error);
    spec.limits = *limits;
    if (const std::string problem = mpi_launch_problem("the sweep"); !problem.empty()) {
      std::cerr << problem;
      return exit_code::kBadInput;
    }
  }
  spec.scenario_file = a.positional[0];
  spec.sets = a.vm.count("set") ? a.vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};
  spec.out_dir = a.vm.count("out") ? a.vm["out"].as<std::string>()
                                   : "results/" + std::filesystem::path(spec.scenario_file).stem().string() + "-sweep";

  // One process, or one rank of an MPI job: from here on every rank reaches every collective.
  const std::unique_ptr<ShardComm> comm =
      launched_by_mpi() ? mpi_world_comm() : std::make_unique<SingleProcessComm>();
  SweepShare share{comm->rank(), comm->size(), hostname()};
  const bool quiet = a.vm.count("quiet") > 0;
  const int processors = int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  spec.jobs = a.vm.count("jobs") ? a.vm["jobs"].as<int>()
                                 : std::max(1, processors / (share.ranks > 1 ? ranks_on_this_host(*comm, share.host) : 1));

  LoadResult base = load_scenario_file(spec.scenario_file, spec.sets);
  std::vector<SweepRun> runs = plan_sweep(spec, base.scenario ? base.scenario->seed : 0);
  std::string message;
  int code = validate_points(spec, base, runs, message);
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (code == exit_code::kOk && ec) {
    code = exit_code::kInfrastructure;
    message = "fleetsim: cannot find its own executable: " + ec.message() + "\n";
  }
  if (code == exit_code::kOk) {
    std::string why;
    const std::string build_id = program_build_id(self, why);
    if (build_id.empty() || !assign_run_keys(spec, build_id, runs, why)) {
      code = build_id.empty() ? exit_code::kInfrastructure : exit_code::kBadInput;
      message = "fleetsim: " + why + "\n";
    }
  }
  code = agree_across_ranks(*comm, code, message, base.scenario ? text_fingerprint(base.scenario->document) : 0);
  if (code != exit_code::kOk) return code;

  if (!quiet && share.rank == 0)
    std::cerr << "fleetsim: sweep of " << spec.scenario_file << ": " << runs.size() << " runs, "
              << (share.ranks > 1 ? "across " + std::to_string(share.ranks) + " MPI ranks, " : std::string())
              << spec.jobs << " at a time" << (share.ranks > 1 ? " on rank 0" : "") << ", into " << spec.out_dir
              << "/\n";
  size_t mine = 0, done = 0;
  for (size_t i = 0; i < runs.size(); ++i) mine += share.owns(i);
  std::string error;
  const bool ok = execute_sweep(spec, self, share, runs, [&](const SweepRun& run, size_t) {
    ++done;
    if (!quiet) print_progress(spec, share, run, done, mine);
  }, error);
  // Ranks that finish early wait here (asleep) for the others' runs.
  comm->wait_for_all_ranks();
  code = agree_across_ranks(*comm, ok ? exit_code::kOk : exit_code::kInfrastructure, "fleetsim: " + error + "\n");
  if (code != exit_code::kOk) return code;

  if (share.rank == 0) {
    if (!load_other_ranks_runs(share, runs, error)) {
      code = exit_code::kInfrastructure;
    } else {
      error = write_files_atomically({{spec.out_dir + "/sweep.csv", sweep_csv(spec, runs)},
                                      {spec.out_dir + "/sweep.html", sweep_html(spec, runs)}});
      if (!error.empty()) code = exit_code::kInfrastructure;
    }
    if (code != exit_code::kOk) std::cerr << "fleetsim: " << error << "\n";
    else if (!quiet) std::cout << "sweep results in " << spec.out_dir << "/ (sweep.csv, sweep.html, runs/)\n";
  }
  return int(comm->max(code));
}

}  // namespace fleetsim
