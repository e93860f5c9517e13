// A results folder is one unit (README "Outputs"): whatever ends a run — SIGKILL at any point of
// its writes, a full disk, a file size limit, SIGINT/SIGTERM — the real readers (`fleetsim
// report`, `fleetsim compare`, sweep resume) see the previous complete results, the new complete
// results, an interrupted result, or refuse the folder naming what is missing; never a mix.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "reports/results_folder.hpp"
#include "reports/run_outputs.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"
#include "tests/reports/shipped_runs.hpp"
#include "tests/spawned_process.hpp"
#include "tests/syscall_kill.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// The quickstart scenario cut to 2,100 devices sampled hourly (a few hundredths of a second of
// CPU), with devices.csv so that `fleetsim compare` reads the folder too.
const std::vector<std::string> kSmall = {
    "--set", "fleet.cohorts[0].count=1000", "--set", "fleet.cohorts[1].count=500", "--set",
    "fleet.cohorts[2].count=500",           "--set", "fleet.cohorts[3].count=100", "--set",
    "rollout.waves[0].devices=20",          "--set", "output.interval=1h",         "--trace-devices",
    "--quiet"};

std::vector<std::string> run_argv(const std::string& out, int seed) {
  std::vector<std::string> argv = {FLEETSIM_BIN, "run", shipped_scenario("quickstart.json"), "--out", out, "--seed",
                                   std::to_string(seed)};
  argv.insert(argv.end(), kSmall.begin(), kSmall.end());
  return argv;
}

std::string command_line(const std::vector<std::string>& argv) {
  std::string line;
  for (size_t i = 1; i < argv.size(); ++i) line += shell_quote(argv[i]) + " ";
  return line;
}

// name -> bytes of every regular file in `dir`.
std::map<std::string, std::string> files_of(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file()) files[e.path().filename().string()] = slurp(e.path().string());
  return files;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> tmps;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".tmp") tmps.push_back(e.path().filename().string());
  return tmps;
}

void restore(const fs::path& from, const fs::path& to) {
  fs::remove_all(to);
  fs::copy(from, to, fs::copy_options::recursive);
}

// What a folder holds, judged byte by byte against the two runs' complete results (run.json and
// manifest.json, which differ from run to run, compared only for the previous run whose copy we
// restored).
enum class Holds { Previous, New, Other };

Holds judge(const fs::path& dir, const std::map<std::string, std::string>& previous,
            const std::map<std::string, std::string>& fresh) {
  std::map<std::string, std::string> now = files_of(dir);
  for (auto it = now.begin(); it != now.end();) it = it->first.ends_with(".tmp") ? now.erase(it) : std::next(it);
  if (now == previous) return Holds::Previous;
  if (now.size() != fresh.size() || !now.count(kManifestFile)) return Holds::Other;
  for (const auto& [name, bytes] : fresh)
    if (name != "run.json" && name != kManifestFile && (!now.count(name) || now.at(name) != bytes)) return Holds::Other;
  return Holds::New;
}

struct Tally {
  int points = 0, previous = 0, fresh = 0, refused = 0, with_temp_files = 0;
  int accepted_invalid = 0, refused_valid = 0;
  std::string first_problem;
};

// Runs both readers on `dir` after a kill and checks their verdict against what the folder holds.
void check_readers(const fs::path& dir, const std::map<std::string, std::string>& previous,
                   const std::map<std::string, std::string>& fresh, const std::string& where, Tally& t) {
  const Holds holds = judge(dir, previous, fresh);
  ++t.points;
  t.previous += holds == Holds::Previous;
  t.fresh += holds == Holds::New;
  t.with_temp_files += !temp_files(dir).empty();
  const std::string d = shell_quote(dir.string());
  const Cli compare = run_fleetsim("compare " + d + " " + d);
  const Cli report = run_fleetsim("report " + d);
  const bool compare_accepts = compare.exit_code == 0;
  const bool report_accepts = report.exit_code == 0 || report.exit_code == 1;
  const bool refused = compare.exit_code == 2 && report.exit_code == 2 &&
                       report.output.find(dir.string() + ": incomplete results: no manifest.json") != std::string::npos;
  if (holds == Holds::Other) {
    t.refused += refused;
    if (compare_accepts || report_accepts) {
      ++t.accepted_invalid;
      if (t.first_problem.empty()) t.first_problem = where + ": a mixed folder was accepted: " + report.output;
    } else if (!refused && t.first_problem.empty()) {
      t.first_problem = where + ": refused without the expected message: " + report.output + compare.output;
    }
  } else if (!compare_accepts || !report_accepts) {
    ++t.refused_valid;
    if (t.first_problem.empty()) t.first_problem = where + ": complete results refused: " + report.output + compare.output;
  }
}

// The kill test: a previous complete run (seed 1) in the folder, a new run (seed 2) killed before
// each of its file changes in turn (`stride` apart; 0: about 32 points over them), and at `timed`
// wall-clock points spread over the whole run.
Tally kill_runs(long stride, int timed) {
  TempDir tmp;
  const fs::path pristine = tmp.path / "previous", fresh_dir = tmp.path / "fresh", dir = tmp.path / "out";
  REQUIRE(run_fleetsim(command_line(run_argv(pristine.string(), 1))).exit_code == 0);
  REQUIRE(run_fleetsim(command_line(run_argv(fresh_dir.string(), 2))).exit_code == 0);
  const auto previous = files_of(pristine), fresh = files_of(fresh_dir);
  REQUIRE(previous.at("summary.json") != fresh.at("summary.json"));  // the two runs are told apart

  // How many file changes a whole run makes.
  restore(pristine, dir);
  const TracedRun whole = run_killed_at_change(run_argv(dir.string(), 2), 0);
  INFO(whole.problem);
  REQUIRE(whole.problem.empty());
  REQUIRE(whole.exit_code == 0);
  // Per file: open, write, fsync, close-time nothing; plus the cleanup, the manifest and the renames.
  CHECK(whole.file_changes >= 3 * long(fresh.size()));

  if (stride <= 0) stride = std::max(1L, (whole.file_changes + 31) / 32);
  Tally t;
  for (long k = 1; k <= whole.file_changes + 1; k += stride) {
    restore(pristine, dir);
    const TracedRun r = run_killed_at_change(run_argv(dir.string(), 2), k);
    INFO("kill before file change " << k << ": " << r.problem);
    REQUIRE(r.problem.empty());
    REQUIRE(r.killed == (k <= whole.file_changes));
    check_readers(dir, previous, fresh, "file change " + std::to_string(k), t);
  }
  // Wall-clock points over the whole run (simulation included): SIGKILL after a growing delay.
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(run_fleetsim(command_line(run_argv((tmp.path / "timing").string(), 2))).exit_code == 0);
  const double run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int i = 0; i < timed; ++i) {
    restore(pristine, dir);
    const auto argv = run_argv(dir.string(), 2);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      execv(args[0], args.data());
      _exit(127);
    }
    REQUIRE(pid > 0);
    std::this_thread::sleep_for(std::chrono::duration<double>(run_seconds * (i + 0.5) / timed));
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    check_readers(dir, previous, fresh, "timed point " + std::to_string(i), t);
  }
  // The *.tmp files a killed run left are gone after the next run.
  // The first kill point from the middle of the write on that leaves *.tmp files (instrumented
  // builds make more file changes of their own, so the middle alone may come before them).
  TracedRun mid;
  for (long k = whole.file_changes / 2; k <= whole.file_changes; ++k) {
    restore(pristine, dir);
    mid = run_killed_at_change(run_argv(dir.string(), 2), k);
    if (mid.killed && !temp_files(dir).empty()) break;
  }
  REQUIRE(mid.killed);
  REQUIRE_FALSE(temp_files(dir).empty());
  REQUIRE(run_fleetsim(command_line(run_argv(dir.string(), 2))).exit_code == 0);
  CHECK(temp_files(dir).empty());
  CHECK(judge(dir, previous, fresh) == Holds::New);
  return t;
}

}  // namespace

TEST_CASE("fleetsim run killed with SIGKILL before each of its file changes leaves results the readers accept whole "
          "or refuse",
          "[results][cli]") {
  if (!kSyscallKillSupported) {
    WARN("the SIGKILL test needs x86-64 Linux (ptrace): skipped");
    return;
  }
  // tests/kill_points_long.sh sets these for hundreds of points.
  const long stride = std::getenv("FLEETSIM_KILL_STRIDE") ? std::atol(std::getenv("FLEETSIM_KILL_STRIDE")) : 0;
  const int timed = std::getenv("FLEETSIM_KILL_TIMED") ? std::atoi(std::getenv("FLEETSIM_KILL_TIMED")) : 6;
  const Tally t = kill_runs(stride, timed);
  INFO(t.first_problem);
  WARN("kill points " << t.points << ": previous results " << t.previous << ", new results " << t.fresh
                     << ", refused as incomplete " << t.refused << " (with *.tmp left " << t.with_temp_files
                     << "), accepted invalid " << t.accepted_invalid << ", refused valid " << t.refused_valid);
  CHECK(t.accepted_invalid == 0);
  CHECK(t.refused_valid == 0);
  CHECK(t.points >= 30);
  // Every outcome was reached: the kill points span the whole write.
  CHECK(t.previous > 0);
  CHECK(t.fresh > 0);
  CHECK(t.refused > 0);
  CHECK(t.previous + t.fresh + t.refused == t.points);
}

TEST_CASE("A file size limit or a full disk during fleetsim run exits 3 and keeps the previous results complete",
          "[results][cli]") {
  TempDir tmp;
  const fs::path pristine = tmp.path / "previous";
  REQUIRE(run_fleetsim(command_line(run_argv(pristine.string(), 1))).exit_code == 0);
  const auto previous = files_of(pristine);
  size_t total = 0, largest = 0;
  for (const auto& [name, bytes] : previous) {
    total += bytes.size();
    largest = std::max(largest, bytes.size());
  }
  REQUIRE(largest > 64 * 1024);  // devices.csv and report.html: over the 64 KiB limit below

  SECTION("RLIMIT_FSIZE: a file reaching 64 KiB fails with EFBIG (SIGXFSZ ignored)") {
    const fs::path dir = tmp.path / "out";
    restore(pristine, dir);
    // ulimit -f counts 512-byte blocks: 128 = 64 KiB.
    const Cli r = run_program("/bin/sh", "-c " + shell_quote("ulimit -f 128; trap '' XFSZ; exec " +
                                                             shell_quote(FLEETSIM_BIN) + " " +
                                                             command_line(run_argv(dir.string(), 2))));
    INFO(r.output);
    CHECK(r.exit_code == 3);
    CHECK(r.output.find("File too large") != std::string::npos);
    CHECK(files_of(dir) == previous);  // untouched, no *.tmp among them
    CHECK(run_fleetsim("compare " + shell_quote(dir.string()) + " " + shell_quote(pristine.string())).exit_code == 0);
  }
  SECTION("ENOSPC: a tmpfs with room for the previous results and half of the new ones") {
    if (geteuid() != 0 || run_program("unshare", "-m true").exit_code != 0) {
      WARN("mounting a size-limited tmpfs needs root and unshare -m: the ENOSPC part is skipped");
      return;
    }
    const fs::path mnt = tmp.path / "small", saved = tmp.path / "after";
    fs::create_directories(mnt);
    const size_t size_kib = (total + total / 2) / 1024 + 64;
    // In a mount namespace of its own: mount, copy the previous results in, run, copy the folder
    // out, report the run's exit code.
    const std::string script = "mount -t tmpfs -o size=" + std::to_string(size_kib) + "k tmpfs " +
                               shell_quote(mnt.string()) + " && cp -a " + shell_quote(pristine.string()) + " " +
                               shell_quote((mnt / "out").string()) + " && { " + shell_quote(FLEETSIM_BIN) + " " +
                               command_line(run_argv((mnt / "out").string(), 2)) + "; echo \"exit=$?\"; cp -a " +
                               shell_quote((mnt / "out").string()) + " " + shell_quote(saved.string()) + "; }";
    const Cli r = run_program("unshare", "-m sh -c " + shell_quote(script));
    INFO(r.output);
    CHECK(r.output.find("No space left on device") != std::string::npos);
    CHECK(r.output.find("exit=3") != std::string::npos);
    REQUIRE(fs::exists(saved));
    CHECK(files_of(saved) == previous);
    CHECK(run_fleetsim("compare " + shell_quote(saved.string()) + " " + shell_quote(pristine.string())).exit_code == 0);
  }
}

TEST_CASE("SIGINT or SIGTERM during fleetsim run writes an interrupted result with exit 3 and no earlier pass survives",
          "[results][cli]") {
  for (const int sig : {SIGINT, SIGTERM}) {
    const std::string name = sig == SIGINT ? "SIGINT" : "SIGTERM";
    INFO(name);
    TempDir tmp;
    const fs::path dir = tmp.path / "out";
    // The previous run passed: junit.xml without failures, summary.md "passed".
    REQUIRE(run_shipped("quickstart.json", dir.string()).exit_code == 0);
    REQUIRE(slurp((dir / "summary.md").string()).find("passed") != std::string::npos);
    // 1,000,000 devices: several seconds, long enough to be stopped in the middle.
    const std::vector<std::string> argv = {FLEETSIM_BIN, "run", shipped_scenario("quickstart.json"), "--out",
                                           dir.string(), "--progress", "--set", "fleet.cohorts[0].count=400000",
                                           "--set", "fleet.cohorts[1].count=250000", "--set",
                                           "fleet.cohorts[2].count=300000", "--set", "fleet.cohorts[3].count=50000"};
    // The first progress line: the simulation is under way.
    Spawned run(argv, "simulated");
    REQUIRE(run.stderr_text.find("simulated") != std::string::npos);
    const auto signalled = std::chrono::steady_clock::now();
    kill(run.pid, sig);
    const int code = run.wait();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
    const std::string& stderr_text = run.stderr_text;
    INFO(stderr_text);
    CHECK(code == 3);
    CHECK(seconds < 2.0);  // stops at the next of 200 chunks, then writes four small files
    CHECK(stderr_text.find("interrupted by " + name + " at simulated t=") != std::string::npos);

    // Exactly the interrupted result: the previous timeseries.csv, report.html, run.json … are gone.
    const auto files = files_of(dir);
    std::vector<std::string> names;
    for (const auto& [n, bytes] : files) names.push_back(n);
    CHECK(names == std::vector<std::string>{"junit.xml", "manifest.json", "scenario.json", "summary.json", "summary.md"});
    const Json manifest = Json::parse(files.at("manifest.json"));
    CHECK(manifest["state"] == "interrupted");
    const Json summary = Json::parse(files.at("summary.json"));
    CHECK(summary["state"] == "interrupted");
    CHECK(summary["interrupted"]["signal"] == name);
    const double t = summary["interrupted"]["simulated_s"].get<double>();
    CHECK(t >= 0);
    CHECK(t < 5 * 86400.0);  // before the scenario's end (5 days)
    const std::string& junit = files.at("junit.xml");
    CHECK(junit.find("<error message=\"interrupted by " + name + " at simulated t=") != std::string::npos);
    CHECK(junit.find("errors=\"1\"") != std::string::npos);
    CHECK(files.at("summary.md").find("INTERRUPTED") != std::string::npos);
    CHECK(files.at("summary.md").find("passed") == std::string::npos);

    // The readers say so instead of reporting.
    const Cli report = run_fleetsim("report " + shell_quote(dir.string()));
    CHECK(report.exit_code == 3);
    CHECK(report.output.find("the run was interrupted") != std::string::npos);
    const Cli compare = run_fleetsim("compare " + shell_quote(dir.string()) + " " + shell_quote(dir.string()));
    CHECK(compare.exit_code == 2);
    CHECK(compare.output.find("the run was interrupted") != std::string::npos);
  }
}

TEST_CASE("fleetsim report and compare refuse a missing or empty or garbage input or a directory in its place with "
          "exit 2 naming the file",
          "[results][cli]") {
  TempDir tmp;
  const fs::path pristine = tmp.path / "previous";
  REQUIRE(run_fleetsim(command_line(run_argv(pristine.string(), 1))).exit_code == 0);
  struct Damage {
    std::string what;
    std::function<void(const fs::path&)> apply;
  };
  const std::vector<Damage> damages = {
      {"missing", [](const fs::path& p) { fs::remove(p); }},
      {"empty", [](const fs::path& p) { std::ofstream(p, std::ios::trunc); }},
      {"garbage", [](const fs::path& p) { std::ofstream(p, std::ios::trunc) << "\x01garbage,\"{[\n"; }},
      {"a directory", [](const fs::path& p) {
         fs::remove(p);
         fs::create_directory(p);
       }}};
  for (const std::string file : {"summary.json", "timeseries.csv", "scenario.json", "devices.csv", "run.json"}) {
    for (const Damage& damage : damages) {
      INFO(file << " " << damage.what);
      const fs::path dir = tmp.path / "out";
      restore(pristine, dir);
      damage.apply(dir / file);
      const std::string d = shell_quote(dir.string());
      // The manifest still lists the file as it was: both readers name it.
      const std::string named = (dir / file).string() + ": ";
      const Cli report = run_fleetsim("report " + d);
      CHECK(report.exit_code == 2);
      CHECK(report.output.find(named) != std::string::npos);
      CHECK(report.output.find("internal error") == std::string::npos);
      const Cli compare = run_fleetsim("compare " + d + " " + shell_quote(pristine.string()));
      CHECK(compare.exit_code == 2);
      CHECK(compare.output.find(named) != std::string::npos);
      CHECK(compare.output.find("internal error") == std::string::npos);
    }
  }
  // A manifest that lists the damaged file as it now is (a buggy or hand-made folder): the parsers
  // themselves name the file and what is wrong.
  struct Listed {
    std::string file, content, expected;
    bool compare_reads;
  };
  const std::vector<Listed> listed = {
      {"timeseries.csv", "", "timeseries.csv: empty", false},
      {"timeseries.csv", "x,y\n1,2\n", "timeseries.csv: line 1: not a fleetsim timeseries.csv header", false},
      {"timeseries.csv", "t_s,rollout_state\n", "timeseries.csv: no rows after the header", false},
      {"timeseries.csv", "t_s,rollout_state\nabc,running\n", "timeseries.csv: line 2, column t_s: \"abc\" is not a number",
       false},
      {"summary.json", "", "summary.json: empty", true},
      {"summary.json", "{\"scenario\": ", "summary.json: ", true},
      {"summary.json", "[1, 2]", "summary.json: not a JSON object", true},
      {"scenario.json", "", "scenario.json: empty", false},
      {"scenario.json", "not json", "scenario.json: line 1, column 2: syntax error", false},  // parse_json_document's problem
      {"checks.json", "{\"checks\": 5}", "checks.json: ", false},
      {"run.json", "{", "run.json: not a JSON object", true},
      {"devices.csv", "", "devices.csv:1: not a fleetsim devices.csv header", true},
  };
  for (const Listed& l : listed) {
    INFO(l.file << " = \"" << l.content << "\"");
    const fs::path dir = tmp.path / "out";
    restore(pristine, dir);
    std::vector<ResultFile> kept;
    const Json manifest = Json::parse(slurp((dir / kManifestFile).string()));
    for (const Json& f : manifest["files"])
      if (f["name"] != l.file) kept.push_back({f["name"], f["bytes"], f["sha256"]});
    REQUIRE(commit_results(dir.string(), {{l.file, l.content}}, RunState::Complete, kept).empty());
    const std::string d = shell_quote(dir.string());
    const Cli r = l.compare_reads ? run_fleetsim("compare " + d + " " + shell_quote(pristine.string()))
                                  : run_fleetsim("report " + d);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(dir.string() + "/" + l.expected) != std::string::npos);
    CHECK(r.output.find("internal error") == std::string::npos);
  }
}

TEST_CASE("fleetsim report refuses a folder without a manifest such as a lone summary.json as incomplete",
          "[results][cli]") {
  TempDir tmp;
  const fs::path pristine = tmp.path / "previous", dir = tmp.path / "out";
  REQUIRE(run_fleetsim(command_line(run_argv(pristine.string(), 1))).exit_code == 0);
  fs::create_directories(dir);
  fs::copy_file(pristine / "summary.json", dir / "summary.json");
  const Cli r = run_fleetsim("report " + shell_quote(dir.string()));
  CHECK(r.exit_code == 2);
  CHECK(r.output.find(dir.string() + ": incomplete results: no manifest.json") != std::string::npos);
  CHECK(r.output.find("run the scenario again") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "report.html"));  // nothing written from it
}

TEST_CASE("fleetsim sweep runs again a finished run whose folder is incomplete or mixed and resumes the complete one",
          "[results][sweep][cli]") {
  TempDir tmp;
  std::string args = "sweep " + shell_quote(shipped_scenario("quickstart.json")) + " --jobs 1 --out " +
                     shell_quote(tmp / "out") + " --vary rollout.max_concurrent=2000,5000,20000";
  for (size_t i = 0; i + 1 < kSmall.size(); i += 2)
    if (kSmall[i] == "--set") args += " --set " + shell_quote(kSmall[i + 1]);
  const Cli first = run_fleetsim(args);
  INFO(first.output);
  REQUIRE(first.exit_code <= 1);
  const std::string first_csv = slurp(tmp / "out/sweep.csv");
  std::vector<fs::path> runs;
  for (const auto& e : fs::directory_iterator(tmp.path / "out/runs")) runs.push_back(e.path());
  REQUIRE(runs.size() == 3);
  std::sort(runs.begin(), runs.end());
  // Run 0 was killed while committing (no manifest); run 1 mixes in another run's run.json (wall
  // times differ from run to run).
  fs::remove(runs[0] / kManifestFile);
  REQUIRE(slurp((runs[1] / "run.json").string()) != slurp((runs[2] / "run.json").string()));
  fs::copy_file(runs[2] / "run.json", runs[1] / "run.json", fs::copy_options::overwrite_existing);
  // Regenerating run 2's reports keeps it the same run: it is still resumed.
  REQUIRE(run_fleetsim("report " + shell_quote(runs[2].string())).exit_code <= 1);
  const Cli again = run_fleetsim(args);
  INFO(again.output);
  REQUIRE(again.exit_code == first.exit_code);
  size_t skipped = 0;
  for (size_t pos = 0; (pos = again.output.find("(already complete)", pos)) != std::string::npos; ++pos) ++skipped;
  CHECK(skipped == 1);  // run 2 only
  CHECK(slurp(tmp / "out/sweep.csv") == first_csv);  // the re-run points give the same rows
  for (const fs::path& run : runs) CHECK(read_results_folder(run.string(), {}).folder.has_value());
}

TEST_CASE("SIGINT during a run with boards stops holding simulated time and abandons a board update after 10 s",
          "[results][hil][cli]") {
  // One emulated board flashing at 2,000 B/s: the 40,000-byte image takes 20 s, longer than the
  // 10 s the run waits for board operations once interrupted.
  StartedBoard board(BoardLink::Udp, {"--flash-rate", "2000"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 20, "2.0.0", 1);
  const std::string boards = write_boards(dir, {board.uri});
  Spawned run({FLEETSIM_BIN, "run", scenario, "--boards", boards, "--out", dir / "out"}, "takes device");
  REQUIRE(run.stderr_text.find("takes device") != std::string::npos);
  const auto signalled = std::chrono::steady_clock::now();
  kill(run.pid, SIGINT);
  const int code = run.wait();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  INFO(run.stderr_text);
  CHECK(code == 3);
  // The signal is seen within 200 ms, the interrupted result written, then 10 s for the board.
  CHECK(seconds >= 10.0);
  CHECK(seconds < 13.0);
  CHECK(run.stderr_text.find("board b0 is still updating after 10 s: abandoned") != std::string::npos);
  const Json summary = Json::parse(slurp(dir / "out/summary.json"));
  CHECK(summary["state"] == "interrupted");
  CHECK(slurp(dir / "out/junit.xml").find("interrupted by SIGINT") != std::string::npos);
}
