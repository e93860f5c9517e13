#include "sim/cli/goal_seek_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/cli/command_options.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/child_process.hpp"
#include "sim/core/exit_codes.hpp"
#include "sim/scenario/goal_seek.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace po = boost::program_options;

namespace fleetsim {

namespace {

const char* const kUsage =
    "fleetsim seek SCENARIO.json --vary PATH=LO..HI [--goal smallest|largest] [--assert 'METRIC OP VALUE']...\n"
    "              [--seeds N] [--resolution V] [--grid N] [--set k=v]... [--jobs N] [--out DIR]\n"
    "Finds the threshold of one numeric field at which the scenario passes (every assertion and gate,\n"
    "exit 0 of `fleetsim run`): the smallest value that passes (--goal smallest, e.g. CDN egress) or\n"
    "the largest (--goal largest, e.g. a release rate). --assert adds assertions to the scenario's own,\n"
    "as in the scenario format: --assert 'rollout.time_to_95 <= 48h'. A grid of --grid values over the\n"
    "range is run first, then bisection between its last failing and first passing value until the\n"
    "bracket is no wider than --resolution (in the field's unit; default 1/100 of the range, 1 for\n"
    "integers). A value passes when all --seeds seeds pass. Prints the threshold with its bracket, and\n"
    "says when the outcome is not monotone in the field or depends on the seed. Writes OUT/seek.json\n"
    "and each run's results under OUT/runs/.\n"
    "Exit 0 when a threshold was found (or the whole range passes), 1 when no value in the range\n"
    "passes, 2 on bad input, 3 when a run could not be started or crashed";

// "METRIC OP VALUE" as an assertion object; VALUE is JSON when it parses as JSON, else a string
// (a duration such as 48h, a state such as completed).
std::optional<nlohmann::ordered_json> parse_assert(const std::string& text, std::string& error) {
  static const char* const ops[] = {">=", "<=", "==", "!=", ">", "<"};
  for (const char* op : ops) {
    const size_t at = text.find(op);
    if (at == std::string::npos) continue;
    auto trim = [](std::string s) {
      s.erase(0, s.find_first_not_of(" \t"));
      s.erase(s.find_last_not_of(" \t") + 1);
      return s;
    };
    const std::string metric = trim(text.substr(0, at)), value = trim(text.substr(at + std::string(op).size()));
    if (metric.empty() || value.empty()) break;
    nlohmann::ordered_json a = {{"metric", metric}, {"op", op}};
    a["value"] = nlohmann::ordered_json::accept(value) ? nlohmann::ordered_json::parse(value)
                                                       : nlohmann::ordered_json(value);
    return a;
  }
  error = "--assert \"" + text + "\": expected METRIC OP VALUE with OP one of >= <= == != > <, e.g. "
          "'rollout.time_to_95 <= 48h'";
  return std::nullopt;
}

struct Probe {
  double value = 0;
  std::vector<int> codes;  // exit status per seed
};

}  // namespace

int goal_seek_command(int argc, char** argv) {
  po::options_description desc(kUsage);
  desc.add_options()
      ("vary", po::value<std::string>(), "the field and its range, e.g. platform.cdn.regions.ap-south.egress=100Mbps..2Gbps")
      ("goal", po::value<std::string>()->default_value("smallest"), "smallest or largest passing value")
      ("assert", po::value<std::vector<std::string>>()->composing(), "an extra assertion 'METRIC OP VALUE' (repeatable)")
      ("seeds", po::value<int>()->default_value(3), "seeds per value: the scenario's seed, seed+1, ...")
      ("resolution", po::value<std::string>(), "stop when the bracket is this narrow (the field's unit)")
      ("grid", po::value<int>()->default_value(5), "values run first, evenly over the range, ends included (2-50)")
      ("set", po::value<std::vector<std::string>>()->composing(), "a fixed override for every run (repeatable)")
      ("jobs,j", po::value<int>(), "runs at a time (default: the number of processors)")
      ("out,o", po::value<std::string>(), "output directory (default: results/<scenario file name>-seek)")
      ("quiet,q", "print nothing but errors and the answer")
      ("help,h", "show this help");
  CommandArgs a;
  if (auto done = parse_command(argc, argv, desc, a)) return *done;
  if (a.positional.size() != 1) return usage_error("seek takes exactly one scenario file");
  if (!a.vm.count("vary")) return usage_error("seek needs --vary PATH=LO..HI");
  const std::string vary = a.vm["vary"].as<std::string>();
  const size_t eq = vary.find('=');
  if (eq == std::string::npos || eq == 0) return usage_error("--vary \"" + vary + "\": expected PATH=LO..HI");
  const std::string path = vary.substr(0, eq);
  std::string error;
  auto range = parse_seek_range(vary.substr(eq + 1), error);
  if (!range) return usage_error("--vary: " + error);
  const std::string goal_text = a.vm["goal"].as<std::string>();
  if (goal_text != "smallest" && goal_text != "largest")
    return usage_error("--goal \"" + goal_text + "\": expected smallest or largest");
  const SeekGoal goal = goal_text == "smallest" ? SeekGoal::Smallest : SeekGoal::Largest;
  const int seeds = a.vm["seeds"].as<int>();
  if (seeds < 1 || seeds > 100) return usage_error("--seeds must be between 1 and 100");
  const int grid = a.vm["grid"].as<int>();
  if (grid < 2 || grid > 50) return usage_error("--grid must be between 2 and 50");
  double resolution = range->integer ? 1.0 : (range->hi - range->lo) / 100.0;
  if (a.vm.count("resolution")) {
    auto r = parse_seek_value(*range, a.vm["resolution"].as<std::string>(), error);
    if (!r) return usage_error("--resolution: " + error);
    resolution = *r;
  }
  const int jobs = a.vm.count("jobs") ? a.vm["jobs"].as<int>() : int(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  if (jobs < 1) return usage_error("--jobs must be at least 1");
  const bool quiet = a.vm.count("quiet") > 0;
  const std::string file = a.positional[0];
  const std::string out = a.vm.count("out") ? a.vm["out"].as<std::string>()
                                            : "results/" + std::filesystem::path(file).stem().string() + "-seek";
  const std::vector<std::string> sets =
      a.vm.count("set") ? a.vm["set"].as<std::vector<std::string>>() : std::vector<std::string>{};

  // The scenario every probe runs: the file with --set and the extra assertions, written to OUT.
  LoadResult base = load_scenario_file(file, sets);
  if (!base.problems.empty()) {
    std::cerr << base.format(file);
    return exit_code::kBadInput;
  }
  nlohmann::ordered_json doc = nlohmann::ordered_json::parse(base.scenario->document);
  if (a.vm.count("assert"))
    for (const std::string& text : a.vm["assert"].as<std::vector<std::string>>()) {
      auto assertion = parse_assert(text, error);
      if (!assertion) return usage_error(error);
      doc["assertions"].push_back(*assertion);
    }
  if (!doc.contains("assertions") || doc["assertions"].empty())
    std::cerr << "fleetsim: note: " << file << " has no assertions: only its gates decide whether a value passes "
              << "(add --assert 'METRIC OP VALUE')\n";
  // Relative paths in the scenario (a hil image) stay relative to the scenario's own folder.
  const std::string effective = (std::filesystem::path(out) / "scenario.json").string();
  for (double v : {range->lo, range->hi}) {
    LoadResult point = load_scenario_text(doc.dump(), file, {path + "=" + seek_value_text(*range, v)});
    if (!point.problems.empty()) {
      std::cerr << "fleetsim: " << path << "=" << seek_value_text(*range, v) << " is not a valid scenario:\n"
                << point.format(file);
      return exit_code::kBadInput;
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(out) / "runs", ec);
  if (ec) {
    std::cerr << "fleetsim: cannot create " << out << "/runs: " << ec.message() << "\n";
    return exit_code::kInfrastructure;
  }
  if (std::string e = write_files_atomically({{effective, doc.dump(2) + "\n"}}); !e.empty()) {
    std::cerr << "fleetsim: " << e << "\n";
    return exit_code::kInfrastructure;
  }
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) {
    std::cerr << "fleetsim: cannot find its own executable: " << ec.message() << "\n";
    return exit_code::kInfrastructure;
  }
  const uint64_t seed0 = base.scenario->seed;
  if (!quiet)
    std::cerr << "fleetsim: seeking the " << goal_text << " " << path << " in " << seek_value_text(*range, range->lo)
              << ".." << seek_value_text(*range, range->hi) << " that passes, " << seeds << " seed(s) a value, "
              << jobs << " run(s) at a time, into " << out << "/\n";

  const auto wall_start = std::chrono::steady_clock::now();
  GoalSeek seek(*range, goal, resolution, grid);
  std::vector<Probe> probes;
  int runs = 0;
  while (!seek.done()) {
    // One round: every value of next() × every seed, as parallel `fleetsim run` processes.
    const std::vector<double> values = seek.next();
    std::vector<Probe> round(values.size());
    struct Job {
      size_t probe;
      int seed;
    };
    std::vector<Job> todo;
    for (size_t i = 0; i < values.size(); ++i) {
      round[i].value = values[i];
      round[i].codes.assign(size_t(seeds), -1);
      for (int s = 0; s < seeds; ++s) todo.push_back({i, s});
    }
    ChildProcessPool pool(jobs);
    size_t next_job = 0;
    std::vector<Job> started;
    while (next_job < todo.size() || !pool.idle()) {
      while (next_job < todo.size() && !pool.full()) {
        const Job j = todo[next_job];
        const std::string value = seek_value_text(*range, round[j.probe].value);
        const std::string dir =
            (std::filesystem::path(out) / "runs" / (value + "-seed" + std::to_string(seed0 + uint64_t(j.seed)))).string();
        const std::vector<std::string> argv = {self, "run", effective, "--quiet", "--out", dir,
                                               "--seed", std::to_string(seed0 + uint64_t(j.seed)),
                                               "--set", path + "=" + value};
        std::filesystem::create_directories(dir, ec);
        if (std::string e = pool.start(started.size(), argv, dir + ".log"); !e.empty()) {
          std::cerr << "fleetsim: cannot start a run: " << e << "\n";
          return exit_code::kInfrastructure;
        }
        started.push_back(j);
        ++next_job;
      }
      const EndedChild ended = pool.wait_any();
      const Job j = started[ended.id];
      round[j.probe].codes[size_t(j.seed)] = ended.exit.status();
      ++runs;
      if (ended.exit.status() != exit_code::kOk && ended.exit.status() != exit_code::kFailed) {
        const std::string value = seek_value_text(*range, round[j.probe].value);
        std::cerr << "fleetsim: the run " << path << "=" << value << " seed " << seed0 + uint64_t(j.seed)
                  << " ended with status " << ended.exit.status() << " (see " << out << "/runs/" << value << "-seed"
                  << seed0 + uint64_t(j.seed) << ".log)\n";
        return ended.exit.status() == exit_code::kBadInput ? exit_code::kBadInput : exit_code::kInfrastructure;
      }
    }
    for (const Probe& p : round) {
      const int passed = int(std::count(p.codes.begin(), p.codes.end(), exit_code::kOk));
      seek.record({p.value, seeds, passed});
      probes.push_back(p);
      if (!quiet)
        std::cerr << "  " << path << "=" << seek_value_text(*range, p.value) << ": " << passed << "/" << seeds
                  << " seeds pass\n";
    }
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();

  const SeekAnswer answer = seek.answer();
  nlohmann::ordered_json j;
  j["scenario"] = file;
  j["field"] = path;
  j["goal"] = goal_text;
  j["range"] = {seek_value_text(*range, range->lo), seek_value_text(*range, range->hi)};
  j["seeds"] = seeds;
  j["assertions"] = doc.value("assertions", nlohmann::ordered_json::array());
  std::vector<SeekProbe> ordered = seek.probes();
  std::sort(ordered.begin(), ordered.end(), [](auto& x, auto& y) { return x.value < y.value; });
  for (const SeekProbe& p : ordered)
    j["probes"].push_back({{"value", seek_value_text(*range, p.value)}, {"passed", p.passed}, {"seeds", p.seeds}});
  const char* status = answer.status == SeekAnswer::Status::Found              ? "found"
                       : answer.status == SeekAnswer::Status::WholeRangePasses ? "whole_range_passes"
                                                                                : "no_value_passes";
  j["answer"] = {{"status", status}, {"monotone", answer.monotone}, {"notes", answer.notes}};
  if (answer.status != SeekAnswer::Status::NoValuePasses)
    j["answer"]["threshold"] = seek_value_text(*range, answer.threshold);
  if (answer.status == SeekAnswer::Status::Found)
    j["answer"]["bracket"] = {{"fails", seek_value_text(*range, answer.failing)},
                              {"passes", seek_value_text(*range, answer.threshold)}};
  j["runs"] = runs;
  j["wall_seconds"] = wall;  // not deterministic, like run.json
  if (std::string e = write_files_atomically({{out + "/seek.json", j.dump(2) + "\n"}}); !e.empty()) {
    std::cerr << "fleetsim: " << e << "\n";
    return exit_code::kInfrastructure;
  }

  char tail[96];
  std::snprintf(tail, sizeof tail, " (%d runs in %.1f s; %s/seek.json)\n", runs, wall, out.c_str());
  if (answer.status == SeekAnswer::Status::Found)
    std::cout << goal_text << " " << path << " that passes: " << seek_value_text(*range, answer.threshold)
              << " (bracket: " << seek_value_text(*range, answer.failing) << " fails, "
              << seek_value_text(*range, answer.threshold) << " passes)" << tail;
  else if (answer.status == SeekAnswer::Status::WholeRangePasses)
    std::cout << "every probed value of " << path << " passes, " << (goal == SeekGoal::Smallest ? "down to " : "up to ")
              << seek_value_text(*range, answer.threshold) << ": widen the range" << tail;
  else
    std::cout << "no probed value of " << path << " in " << seek_value_text(*range, range->lo) << ".."
              << seek_value_text(*range, range->hi) << " passes" << tail;
  for (const std::string& note : answer.notes) std::cout << "  note: " << note << "\n";
  return answer.status == SeekAnswer::Status::NoValuePasses ? exit_code::kFailed : exit_code::kOk;
}

}  // namespace fleetsim
