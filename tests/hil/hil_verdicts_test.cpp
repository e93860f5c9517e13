// The verdict of `fleetsim run --boards` and `fleetsim validate --boards` under misconfiguration
// and interruption (README "Hardware in the loop"): images of the wrong version or no image at all
// (exit 2 before any board is touched), a demonstrated firmware failure beside an infrastructure
// error (exit 1 wins), a board lost mid-upload (withdrawn from its wave, only its own <error>),
// required boards, and --infra-retries. Real fleetsim-board processes on 127.0.0.1.
#include <catch2/catch.hpp>

#include <csignal>
#include <fstream>

#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

// The <testsuite name="NAME"> element of a junit.xml, or "" if there is none.
std::string junit_suite(const std::string& junit, const std::string& name) {
  const auto start = junit.find("<testsuite name=\"" + name + "\"");
  if (start == std::string::npos) return "";
  return junit.substr(start, junit.find("</testsuite>", start) - start);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A UDP address nobody answers on (a board started and stopped again).
std::string dead_board_uri() {
  StartedBoard gone(BoardLink::Udp);
  return gone.uri;
}

Cli run_with(const TempDir& dir, const std::string& scenario, const std::string& boards, const std::string& more = "") {
  return run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                      shell_quote(dir / "out") + more);
}

// The scenario at `path` with `edit` applied, written to dir/name.
template <class Edit>
std::string edited(const TempDir& dir, const std::string& path, const std::string& name, Edit&& edit) {
  Doc doc = Doc::parse(slurp(path));
  edit(doc);
  std::ofstream(dir / name) << doc.dump(2);
  return dir / name;
}

}  // namespace

TEST_CASE("an image whose version is not firmware.target, or a baseline not of the initial version, exits 2 before "
          "any board is touched",
          "[hil][verdicts]") {
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "5.1.0", 1);
  write_image_file(dir, "image.bin", {5, 2, 0, 0}, 1000);  // the build produced 5.2.0
  // A URI with no board behind it: a check that touched a board would end in exit 3.
  const std::string boards = write_boards(dir, {"udp://127.0.0.1:9"});
  const Cli r = run_with(dir, scenario, boards);
  INFO(r.output);
  CHECK(r.exit_code == 2);  // before: the gate ran (and here, with no board, exited 3)
  CHECK(has(r.output, scenario + ": /hil/image: " + (dir / "image.bin") +
                          " is version 5.2.0, but /firmware/target is 5.1.0 (expected the image of the target: set "
                          "firmware.target to 5.2.0, or point hil.image at the 5.1.0 build)"));

  write_image_file(dir, "image.bin", {5, 1, 0, 0}, 1000);
  write_image_file(dir, "base.bin", {0, 9, 0, 0}, 1000);  // the cohort starts on 1.0.0
  const std::string with_baseline =
      edited(dir, scenario, "b.json", [](Doc& d) { d["hil"]["baseline"] = "base.bin"; });
  const Cli b = run_with(dir, with_baseline, boards);
  INFO(b.output);
  CHECK(b.exit_code == 2);
  CHECK(has(b.output, with_baseline + ": /hil/baseline: " + (dir / "base.bin") +
                          " is version 0.9.0, but the devices the boards stand in for (wave:0) start on 1.0.0"));
}

TEST_CASE("a hil image that is a directory, missing or not an MCUboot image exits 2 naming the file and the JSON path",
          "[hil][verdicts]") {
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  const std::string boards = write_boards(dir, {"udp://127.0.0.1:9"});
  std::filesystem::create_directories(dir / "build");
  const std::string directory = edited(dir, scenario, "d.json", [](Doc& d) { d["hil"]["image"] = "build"; });
  const Cli d = run_with(dir, directory, boards);
  INFO(d.output);
  CHECK(d.exit_code == 2);  // before: 3, "internal error: basic_filebuf::underflow error reading the file"
  CHECK(has(d.output, directory + ": /hil/image: " + (dir / "build") + " is a directory (expected a signed MCUboot "
                                                                        "image file such as build/zephyr/zephyr.signed.bin)"));
  CHECK_FALSE(has(d.output, "internal error"));

  const std::string missing = edited(dir, scenario, "m.json", [](Doc& d) { d["hil"]["baseline"] = "nope.bin"; });
  const Cli m = run_with(dir, missing, boards);
  CHECK(m.exit_code == 2);
  CHECK(has(m.output, missing + ": /hil/baseline: cannot read " + (dir / "nope.bin") + ": No such file or directory"));

  std::ofstream(dir / "text.bin") << "not an image";
  const std::string text = edited(dir, scenario, "t.json", [](Doc& d) { d["hil"]["image"] = "text.bin"; });
  const Cli t = run_with(dir, text, boards);
  CHECK(t.exit_code == 2);
  CHECK(has(t.output, text + ": /hil/image: " + (dir / "text.bin") + " is not an MCUboot image"));
}

TEST_CASE("a firmware failure on one board wins over an infrastructure error on another: exit 1", "[hil][verdicts]") {
  StartedBoard bad(BoardLink::Udp, {"--reset-time", "0.2", "--boot-fail", "2.0.0"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0");
  const Cli r = run_with(dir, scenario, write_boards(dir, {bad.uri, dead_board_uri()}));
  INFO(r.output);
  // b0 reverted 2.0.0 (a demonstrated firmware failure), b1 did not answer (infrastructure).
  // Before: exit 3, so a CI retrying exit 3 retried a demonstrably bad build.
  CHECK(r.exit_code == 1);
  CHECK(has(r.output, "FAIL board b0 update to 2.0.0"));
  CHECK(has(r.output, "ERROR board b1 update to 2.0.0"));
}

TEST_CASE("a board lost mid-upload is withdrawn from the canary, which completes with only the board's own error",
          "[hil][verdicts]") {
  StartedBoard good(BoardLink::Udp, {"--reset-time", "0.2"});
  StartedBoard lost(BoardLink::Udp, {"--reset-time", "0.2", "--die-at-offset", "20000"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 300, "2.0.0");
  const Cli r = run_with(dir, scenario, write_boards(dir, {good.uri, lost.uri}));
  INFO(r.output);
  CHECK(r.exit_code == 3);
  // The canary is b0's and b1's devices; b1's is withdrawn, b0's succeeded: 1 of 1 judged, the
  // canary passes, every other device updates; b1's device stays on 1.0.0 (299 of 300).
  CHECK(has(r.output, "rollout completed: 299 of 300 devices on 2.0.0"));
  CHECK(has(r.output, "PASS rollout.state == completed"));
  CHECK(has(r.output, "withdrawn from its wave (not judged by the gate)"));
  const std::string junit = slurp(dir / "out/junit.xml");
  const std::string hil = junit_suite(junit, "hil"), gates = junit_suite(junit, "gates"),
                    assertions = junit_suite(junit, "assertions");
  INFO(junit);
  // Before: the device stayed "installing", the canary never completed, and the gate and the
  // rollout.state assertion failed besides b1's error.
  CHECK(has(hil, "tests=\"2\" failures=\"0\" errors=\"1\""));
  CHECK(has(gates, "failures=\"0\" errors=\"0\""));
  CHECK(has(gates, "1 succeeded, 0 failed of 2 released, 1 withdrawn"));
  CHECK(has(assertions, "failures=\"0\" errors=\"0\""));
  const auto summary = Doc::parse(slurp(dir / "out/summary.json"));
  CHECK(summary["rollout"]["waves"][0]["withdrawn"] == 1);
}

TEST_CASE("a scenario whose hil section is required refuses to run without --boards", "[hil][verdicts]") {
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  const Cli r = run_fleetsim("run " + shell_quote(scenario) + " --out " + shell_quote(dir / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 2);  // before: 0, every device simulated, with a note
  CHECK(has(r.output, scenario + ": /hil: the scenario needs boards (expected --boards boards.json, or \"required\": "
                                 "false in the hil section"));
  const std::string optional = edited(dir, scenario, "o.json", [](Doc& d) { d["hil"]["required"] = false; });
  const Cli o = run_fleetsim("run " + shell_quote(optional) + " --out " + shell_quote(dir / "out"));
  INFO(o.output);
  CHECK(o.exit_code == 0);
  CHECK(has(o.output, "the \"hil\" section is ignored without --boards"));
}

TEST_CASE("validate --boards reports every problem of the scenario, the inventory and the images at once",
          "[hil][verdicts]") {
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0");
  write_image_file(dir, "image.bin", {2, 1, 0, 0}, 1000);
  const std::string with_baseline =
      edited(dir, scenario, "s.json", [](Doc& d) { d["hil"]["baseline"] = "missing.bin"; });
  // Every board stands for a catalog model that does not occur in the canary (model "m").
  Doc boards;
  for (int i = 0; i < 3; ++i)
    boards["boards"].push_back(
        {{"id", "b" + std::to_string(i)}, {"uri", "udp://127.0.0.1:" + std::to_string(9 + i)}, {"stands_for", "nbiot-meter"}});
  std::ofstream(dir / "boards.json") << boards.dump(2);
  const Cli r = run_fleetsim("validate " + shell_quote(with_baseline) + " --boards " + shell_quote(dir / "boards.json"));
  INFO(r.output);
  CHECK(r.exit_code == 2);  // before: 2, "unrecognised option '--boards'"
  CHECK(has(r.output, "/hil/image: " + (dir / "image.bin") + " is version 2.1.0, but /firmware/target is 2.0.0"));
  CHECK(has(r.output, "/hil/baseline: cannot read " + (dir / "missing.bin")));
  for (int i = 0; i < 3; ++i)
    CHECK(has(r.output, (dir / "boards.json") + ": /boards/" + std::to_string(i) +
                            "/stands_for: no free device of model \"nbiot-meter\""));
  CHECK(has(r.output, "5 problem(s) in " + with_baseline));

  write_image_file(dir, "image.bin", {2, 0, 0, 0}, 1000);
  const Cli ok = run_fleetsim("validate " + shell_quote(scenario) + " --boards " +
                              shell_quote(write_boards(dir, {"udp://127.0.0.1:9", "udp://127.0.0.1:10"})));
  INFO(ok.output);
  CHECK(ok.exit_code == 0);
  CHECK(has(ok.output, "ok (2 boards, image 2.0.0)"));
}

TEST_CASE("with --infra-retries a board lost mid-upload is power-cycled by its reset hook and its upload resumes",
          "[hil][verdicts]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2", "--die-at-offset", "20000"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  // The reset hook brings the board back on the same port and state directory, without the fault.
  const std::string address = board.uri.substr(std::string("udp://").size());
  const std::string pid_file = dir / "restarted.pid";
  const std::string restart = shell_quote(FLEETSIM_BOARD_BIN) + " --udp " + address + " --state-dir " +
                              shell_quote(board.state.path.string()) + " --reset-time 0.2 >/dev/null 2>&1 & echo $! > " +
                              shell_quote(pid_file);
  Doc boards;
  boards["boards"].push_back(
      {{"id", "b0"}, {"uri", board.uri}, {"stands_for", "m"}, {"reset", {"sh", "-c", restart}}});
  std::ofstream(dir / "boards.json") << boards.dump(2);
  const Cli r = run_with(dir, scenario, dir / "boards.json", " --infra-retries 1");
  if (std::ifstream pid{pid_file}; pid) {  // stop the restarted board
    int p = 0;
    if (pid >> p && p > 0) kill(p, SIGTERM);
  }
  INFO(r.output);
  CHECK(r.exit_code == 0);  // before: 2, unknown option; and without retries the board's check is an error (3)
  CHECK(has(r.output, "PASS board b0 update to 2.0.0"));
  const std::string checks = slurp(dir / "out/checks.json");
  INFO(checks);
  CHECK(has(checks, "infrastructure retry 1 of 1 after: upload: no response from " + board.uri));
  CHECK(has(checks, "power-cycled (reset hook ran); then updated, upload resumed from offset 20000"));

  const Cli bad = run_fleetsim("run " + shell_quote(scenario) + " --boards x.json --infra-retries 11");
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.output, "--infra-retries: expected 0 to 10"));
}
