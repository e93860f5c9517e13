// --version, bash completion and man pages (README "Version", "Shell completion", "Man pages"),
// driven through the real binaries and a real bash and man.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/cli_runner.hpp"
#include "tests/reports/shipped_runs.hpp"

using namespace fleetsim::testing;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

// The version of project(fleetsim VERSION x.y.z) in the top CMakeLists.txt, read here on its own.
std::string project_version() {
  const std::string cmake = slurp(std::string(FLEETSIM_SOURCE_DIR) + "/CMakeLists.txt");
  std::smatch m;
  REQUIRE(std::regex_search(cmake, m, std::regex(R"(project\(fleetsim VERSION ([0-9.]+))")));
  return m[1];
}

// The first 12 hex digits of the source tree's HEAD, or "" when it is not a git checkout.
std::string head_commit() {
  const Cli r = run_program("git", "-C " + shell_quote(FLEETSIM_SOURCE_DIR) + " rev-parse HEAD", "2>/dev/null");
  return r.exit_code == 0 && r.output.size() >= 12 ? r.output.substr(0, 12) : "";
}

// "PROGRAM VERSION (git REVISION)" of this build, checked against the sources.
void check_version_line(const std::string& line, const std::string& program) {
  INFO(line);
  std::smatch m;
  REQUIRE(std::regex_match(line, m, std::regex(program + R"( ([0-9.]+) \(git ([A-Za-z0-9._+-]+)\)\n)")));
  CHECK(m[1] == project_version());
  const std::string head = head_commit();
  if (head.empty()) CHECK(m[2] == "unknown");
  else CHECK(std::string(m[2]).find(head) != std::string::npos);  // git describe's abbreviation of HEAD
}

// COMPREPLY of _fleetsim (sim/cli/completion/fleetsim.bash) in a real bash, run in `cwd`, for the
// command line `line` (cursor at its end) that bash split into `words` (it splits at '=' and ':').
std::set<std::string> complete(const std::string& line, const std::vector<std::string>& words,
                               const std::string& cwd = ".") {
  std::string array;
  for (const std::string& w : words) array += " " + shell_quote(w);
  const std::string script = "source " + shell_quote(std::string(FLEETSIM_SOURCE_DIR) + "/sim/cli/completion/fleetsim.bash") +
                             "; COMP_WORDS=(" + shell_quote(FLEETSIM_BIN) + array + "); COMP_CWORD=" +
                             std::to_string(words.size()) + "; COMP_LINE=" + shell_quote("fleetsim " + line) +
                             "; COMP_POINT=${#COMP_LINE}; _fleetsim; printf '%s\\n' \"${COMPREPLY[@]}\"";
  const Cli r = run_program("bash", "-c " + shell_quote("cd " + shell_quote(cwd) + " && " + script));
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  std::set<std::string> out;
  std::istringstream lines(r.output);
  for (std::string l; std::getline(lines, l);)
    if (!l.empty()) out.insert(l);
  return out;
}

}  // namespace

TEST_CASE("fleetsim --version and fleetsim-board --version print the project version and the git revision",
          "[cli][version]") {
  const Cli fleetsim = run_fleetsim("--version");
  CHECK(fleetsim.exit_code == 0);
  check_version_line(fleetsim.output, "fleetsim");
  const Cli board = run_program(FLEETSIM_BOARD_BIN, "--version");
  CHECK(board.exit_code == 0);
  check_version_line(board.output, "fleetsim-board");
}

TEST_CASE("run.json and manifest.json name the fleetsim that wrote them and a folder of another results format is "
          "refused naming it",
          "[cli][version][results]") {
  TempDir tmp;
  const std::string out = tmp / "run";
  REQUIRE(run_shipped("quickstart.json", out, " --set fleet.cohorts[0].count=100 --set output.interval=1h --trace-devices")
              .exit_code <= 1);
  const std::string version = run_fleetsim("--version").output;  // "fleetsim 0.1.0 (git ...)\n"
  const Json run = Json::parse(slurp(out + "/run.json"));
  CHECK(run["fleetsim_version"] == project_version());
  CHECK("fleetsim " + run["fleetsim_version"].get<std::string>() + " (git " +
            run["fleetsim_revision"].get<std::string>() + ")\n" == version);
  Json manifest = Json::parse(slurp(out + "/manifest.json"));
  CHECK(manifest["written_by"].get<std::string>() + "\n" == version);
  const std::string md = slurp(out + "/summary.md");  // its last line
  CHECK(md.substr(md.rfind("\n_Written by ")) == "\n_Written by " + version.substr(0, version.size() - 1) + "._\n");

  // The same folder as a later fleetsim with results format 2 would leave it.
  const std::string other = tmp / "other";
  fs::copy(out, other);
  manifest["fleetsim_results"] = 2;
  manifest["written_by"] = "fleetsim 9.9.9 (git 0123456789ab)";
  std::ofstream(other + "/manifest.json") << manifest.dump(2);
  for (const std::string& args : {"report " + shell_quote(other), "compare " + shell_quote(other) + " " + shell_quote(out)}) {
    const Cli r = run_fleetsim(args);
    INFO(args << "\n" << r.output);
    CHECK(r.exit_code == 2);
    CHECK(r.output.find(other + "/manifest.json: results format 2, written by fleetsim 9.9.9 (git 0123456789ab); this "
                        "fleetsim " + project_version()) != std::string::npos);
    CHECK(r.output.find("reads format 1 (run the scenario again with this fleetsim") != std::string::npos);
  }
  CHECK(run_fleetsim("report " + shell_quote(out)).exit_code <= 1);  // its own format: read
}

TEST_CASE("bash completion offers commands, options per command, scenario files, folders, set paths and model names",
          "[cli][completion]") {
  // Commands: README "Command line" lists run validate report suite schema models compare sweep
  // seek help hil; those starting with "s":
  CHECK(complete("s", {"s"}) == std::set<std::string>{"schema", "seek", "suite", "sweep"});
  CHECK(complete("ru", {"ru"}) == std::set<std::string>{"run"});
  CHECK(complete("--v", {"--v"}) == std::set<std::string>{"--version"});
  // validate's options (its --help): --set, --strict, --boards, --help.
  CHECK(complete("validate --", {"validate", "--"}) ==
        std::set<std::string>{"--set", "--strict", "--boards", "--help"});
  CHECK(complete("run x.json --tr", {"run", "x.json", "--tr"}) == std::set<std::string>{"--trace-devices"});
  CHECK(complete("hil fl", {"hil", "fl"}) == std::set<std::string>{"flash"});
  CHECK(complete("hil image ", {"hil", "image", ""}) == std::set<std::string>{"create"});

  // Files: a scenario argument offers *.json files and folders; compare's RESULTS_A folders only.
  TempDir tmp;
  fs::create_directories(tmp.path / "runs");
  std::ofstream(tmp / "a.json") << "{}";
  std::ofstream(tmp / "notes.txt") << "x";
  CHECK(complete("run ", {"run", ""}, tmp.path) == std::set<std::string>{"a.json", "runs"});
  CHECK(complete("validate a.json --boards ", {"validate", "a.json", "--boards", ""}, tmp.path) ==
        std::set<std::string>{"a.json", "runs"});
  CHECK(complete("compare ", {"compare", ""}, tmp.path) == std::set<std::string>{"runs"});
  CHECK(complete("report r", {"report", "r"}, tmp.path) == std::set<std::string>{"runs"});

  // --set paths: the schema's cohort fields starting with "t" are tags (an array) and timezone;
  // scenarios/quickstart.json has 4 cohorts, so [3] is its last and [4] does not exist.
  const std::string qs = shipped_scenario("quickstart.json");
  CHECK(complete("run " + qs + " --set fleet.cohorts[3].t", {"run", qs, "--set", "fleet.cohorts[3].t"}) ==
        std::set<std::string>{"fleet.cohorts[3].tags[0]=", "fleet.cohorts[3].timezone="});
  CHECK(complete("run " + qs + " --set fleet.cohorts[4]", {"run", qs, "--set", "fleet.cohorts[4]"}).empty());
  // Its regions are eu-west, us-east and ap-south: the region keys come from the scenario.
  std::set<std::string> rtts;
  for (const std::string& p : complete("sweep " + qs + " --vary regions.", {"sweep", qs, "--vary", "regions."}))
    if (p.size() > 4 && p.compare(p.size() - 4, 4, "rtt=") == 0) rtts.insert(p);
  CHECK(rtts == std::set<std::string>{"regions.eu-west.rtt=", "regions.us-east.rtt=", "regions.ap-south.rtt="});
  // A model value: bash splits at '=', so the candidates are the catalog's names
  // (device-models/catalog/*.json) starting with "nbiot".
  CHECK(complete("run " + qs + " --set fleet.cohorts[0].model=nbiot",
                 {"run", qs, "--set", "fleet.cohorts[0].model", "=", "nbiot"}) ==
        std::set<std::string>{"nbiot-meter", "nbiot-meter-ab"});
}

TEST_CASE("fleetsim __man, __man scenario and fleetsim-board __man write man pages that man renders without warnings",
          "[cli][man]") {
  if (run_program("man", "--version", ">/dev/null 2>&1").exit_code != 0) {
    WARN("skipped: man is not installed (apt-get install man-db groff-base)");
    return;
  }
  TempDir tmp;
  // The check fails on a bad page: an unknown macro is a groff warning.
  std::ofstream(tmp / "bad.1") << ".TH BAD 1\n.SH NAME\nbad\n.XX unknown\n";
  CHECK_FALSE(run_program("man", "--warnings -l " + shell_quote(tmp / "bad.1"), "2>&1 >/dev/null").output.empty());

  const Cli fleetsim = run_fleetsim("__man", "> " + shell_quote(tmp / "fleetsim.1") + " 2>&1");
  const Cli board = run_program(FLEETSIM_BOARD_BIN, "__man", "> " + shell_quote(tmp / "fleetsim-board.1") + " 2>&1");
  const Cli scenario = run_fleetsim("__man scenario", "> " + shell_quote(tmp / "fleetsim-scenario.5") + " 2>&1");
  REQUIRE(fleetsim.exit_code == 0);
  REQUIRE(board.exit_code == 0);
  REQUIRE(scenario.exit_code == 0);
  for (const char* page : {"fleetsim.1", "fleetsim-board.1", "fleetsim-scenario.5"}) {
    INFO(page);
    // At 80 columns: much narrower, groff warns that it cannot adjust or break long lines.
    const Cli warnings = run_program("env", "MANWIDTH=80 man --warnings -l " + shell_quote(tmp / page), "2>&1 >/dev/null");
    CHECK(warnings.exit_code == 0);
    CHECK(warnings.output.empty());
  }
  // Rendered, the page has a section per command and the options of their --help texts.
  const std::string text =
      run_program("env", "MANWIDTH=80 man -l " + shell_quote(tmp / "fleetsim.1"), "2>/dev/null").output;
  for (const char* heading : {"fleetsim run", "fleetsim validate", "fleetsim sweep", "fleetsim seek", "fleetsim compare",
                              "fleetsim report", "fleetsim suite", "fleetsim hil", "fleetsim hil image"})
    CHECK(text.find(std::string("\n   ") + heading + "\n") != std::string::npos);
  for (const char* option : {"--trace-devices", "--metrics-listen arg", "--tolerance REL (=1e-6)", "--child-timeout",
                             "--reboot-timeout arg (=30)", "--header-size arg (=0x200)"})
    CHECK(text.find(option) != std::string::npos);
  const std::string board_text =
      run_program("env", "MANWIDTH=80 man -l " + shell_quote(tmp / "fleetsim-board.1"), "2>/dev/null").output;
  for (const char* option : {"--state-dir arg", "--die-at-offset N", "--version", "EXIT STATUS"})
    CHECK(board_text.find(option) != std::string::npos);
  // fleetsim-scenario(5), 80 columns wide: a cohort's count is an integer from 1 to 1,000,000,000
  // (read by hand in `fleetsim schema`: $defs/cohort), a rollout strategy "all-at-once" or "waves" (README "Scenario format").
  const std::string scenario_text =
      run_program("env", "MANWIDTH=80 man -l " + shell_quote(tmp / "fleetsim-scenario.5"), "2>/dev/null").output;
  CHECK(scenario_text.find("fleet.cohorts[0].count\n              integer; from 1; up to 1000000000\n") !=
        std::string::npos);
  CHECK(scenario_text.find("rollout.strategy\n              one of all-at-once, waves\n") != std::string::npos);
  CHECK(scenario_text.find("regions.NAME.rtt") != std::string::npos);
}
