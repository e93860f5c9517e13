#include "sim/cli/sweep_runs.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <span>
#include <system_error>

#include "sim/core/sha256.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/child_process.hpp"
#include "reports/results_folder.hpp"
#include "reports/summary_metrics.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::json;

Json read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) return nullptr;
  return Json::parse(in, nullptr, false);
}

// Every metric summary.json records (reports/summary_metrics.hpp), so that sweep.csv and
// sweep.html can show any of them without running again.
std::map<std::string, std::string> summary_results(const nlohmann::ordered_json& s) {
  std::map<std::string, std::string> r;
  for (const AssertionMetricInfo& m : kAssertionMetrics) {
    if (!summary_records(m.id)) continue;
    if (m.kind == MetricKind::Text) {
      r[std::string(m.name)] = summary_metric_text(s, m.id);
    } else {
      const std::optional<double> v = summary_metric_number(s, m.id);
      r[std::string(m.name)] = v ? Json(*v).dump() : "";
    }
  }
  return r;
}

// A run that passed or failed simulated the scenario (its assertions decided which).
bool simulated(const SweepRun& run) { return sweep_verdict(run) != SweepVerdict::Error; }

Json point_record(const SweepSpec& spec, const SweepRun& run) {
  return Json{{"scenario", spec.scenario_file}, {"sets", run_overrides(spec, run)}, {"seed", run.seed},
              {"key", run.key}};
}

// The run's summary.json from its complete results (reports/results_folder.hpp), or null when the
// folder is incomplete, mixed or interrupted (the run is then run again); `run_id` from its manifest.
Json complete_summary(const std::string& dir, std::string& run_id) {
  const ResultsFolderRead read = read_results_folder(dir, {"summary.json"});
  if (!read.folder || read.folder->state != RunState::Complete || !read.folder->lists("summary.json")) return Json();
  run_id = read.folder->run_id;
  const Json summary = Json::parse(read.folder->text("summary.json"), nullptr, false);
  return summary.is_object() ? summary : Json();
}

// A finished run's results, when its directory holds complete results of the same computation
// (the manifest's run id is the one point.json recorded when that run ended):
// the key, not the path or the --set values, decides (run_key).
bool load_finished(SweepRun& run) {
  const Json record = read_json(run.dir + "/point.json");
  if (run.key.empty() || !record.is_object() || !record.contains("point") || !record["point"].is_object() ||
      record["point"].value("key", "") != run.key)
    return false;
  std::string run_id;
  const Json summary = complete_summary(run.dir, run_id);
  if (!summary.is_object() || record.value("run_id", Json()) != Json(run_id)) return false;
  run.exit_code = record.value("exit_code", -1);
  run.results = summary_results(summary);
  return simulated(run);
}

}  // namespace

std::string program_build_id(const std::string& executable, std::string& error) {
  std::ifstream in(executable, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    error = "cannot read " + executable + " to identify the build";
    return "";
  }
  return sha256_hex(bytes);
}

std::string run_key(const std::string& scenario_document, const std::string& build_id) {
  // Canonical JSON: object keys sorted, no whitespace, so layout and key order do not matter.
  const Json canonical = Json::parse(scenario_document, nullptr, false);
  const std::string text = build_id + "\n" + (canonical.is_discarded() ? scenario_document : canonical.dump());
  return sha256_hex(text);
}

bool assign_run_keys(const SweepSpec& spec, const std::string& build_id, std::vector<SweepRun>& runs,
                     std::string& error) {
  for (SweepRun& run : runs) {
    const LoadResult point = load_scenario_file(spec.scenario_file, run_overrides(spec, run));
    if (!point.scenario) {
      error = "the sweep point in " + run.dir + " is not a valid scenario:\n" + point.format(spec.scenario_file);
      return false;
    }
    run.key = run_key(point.scenario->document, build_id);
  }
  return true;
}

bool execute_sweep(const SweepSpec& spec, const std::string& fleetsim_exe, const SweepShare& share,
                   std::vector<SweepRun>& runs, const std::function<void(const SweepRun&, size_t)>& on_done,
                   std::string& error) {
  std::vector<size_t> pending;
  for (size_t i = 0; i < runs.size(); ++i) {
    if (!share.owns(i)) continue;
    if (load_finished(runs[i])) {
      runs[i].resumed = true;
      on_done(runs[i], i);
    } else {
      pending.push_back(i);
    }
  }
  ChildProcessPool pool(spec.jobs, spec.limits);
  size_t next = 0;
  bool ok = true;
  while (next < pending.size() || !pool.idle()) {
    while (ok && next < pending.size() && !pool.full()) {
      const size_t index = pending[next++];
      SweepRun& run = runs[index];
      std::error_code ec;
      std::filesystem::remove(run.dir + "/point.json", ec);
      std::filesystem::create_directories(run.dir, ec);
      if (ec) {
        error = "cannot create " + run.dir + ": " + ec.message();
        ok = false;
        break;
      }
      std::vector<std::string> argv = {fleetsim_exe, "run", spec.scenario_file, "--quiet", "--out", run.dir};
      for (const std::string& set : run_overrides(spec, run)) {
        argv.push_back("--set");
        argv.push_back(set);
      }
      if (const std::string why = pool.start(index, argv, run.dir + "/run.log"); !why.empty()) {
        error = "cannot start " + fleetsim_exe + ": " + why;
        ok = false;
        break;
      }
    }
    if (pool.idle()) break;
    EndedChild ended;
    try {
      ended = pool.wait_any();
    } catch (const std::system_error& e) {
      error = "waiting for a run failed: " + e.code().message();
      return false;
    }
    SweepRun& run = runs[ended.id];
    run.exit_code = ended.exit.status();
    std::string run_id;
    const Json summary = simulated(run) ? complete_summary(run.dir, run_id) : Json();
    if (summary.is_object()) {
      run.results = summary_results(summary);
      const Json record = {{"point", point_record(spec, run)},
                           {"run_id", run_id},
                           {"exit_code", run.exit_code},
                           {"rank", share.rank},
                           {"host", share.host}};
      const std::string werr = write_files_atomically({{run.dir + "/point.json", record.dump(2) + "\n"}});
      if (!werr.empty()) {
        error = werr;
        ok = false;
      }
    } else if (ok) {
      // A run that exits 0 or 1 without a summary.json did not run the scenario either.
      error = "the run in " + run.dir + " ended with exit code " + std::to_string(run.exit_code) +
              (simulated(run) ? " but left no complete results" : "") + " (see " + run.dir +
              "/run.log)";
      ok = false;
    }
    on_done(run, ended.id);
  }
  return ok;
}

bool load_other_ranks_runs(const SweepShare& share, std::vector<SweepRun>& runs,
                           std::string& error) {
  for (size_t i = 0; i < runs.size(); ++i) {
    if (share.owns(i) || load_finished(runs[i])) continue;
    error = "rank " + std::to_string(i % size_t(share.ranks)) + " ran " + runs[i].dir +
            " but its complete results (point.json, and manifest.json verifying summary.json) are not there on rank " +
            std::to_string(share.rank) + ": OUT must be on a filesystem every rank shares";
    return false;
  }
  return true;
}

}  // namespace fleetsim
