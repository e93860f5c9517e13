// junit.xml of a HIL run as a CI history reads it: one case per board whose name depends only on
// the board id and the target version, properties to chart and filter by, and the SMP exchange in
// the case's system-out.
#include <catch2/catch.hpp>
#include <regex>

#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::testing;

namespace {

// The <testcase …>…</testcase> (or self-closing) element named `name`, or "".
std::string testcase(const std::string& junit, const std::string& name) {
  const auto start = junit.find("<testcase classname=\"hil\" name=\"" + name + "\"");
  if (start == std::string::npos) return "";
  return junit.substr(start, junit.find("</testcase>", start) - start);
}

std::string property(const std::string& testcase, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(testcase, m, std::regex("<property name=\"" + name + "\" value=\"([^\"]*)\"/>"))) return "";
  return m[1];
}

}  // namespace

TEST_CASE("junit.xml names each board's case by board id and target version and gives its properties and SMP transcript",
          "[hil][e2e][junit]") {
  StartedBoard live(BoardLink::Udp, {"--reset-time", "0.2"});
  std::string dead_uri;
  {
    StartedBoard gone(BoardLink::Udp);
    dead_uri = gone.uri;
  }  // nobody answers there any more
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 20, "2.0.0");
  const std::string boards = write_boards(dir, {live.uri, dead_uri});
  Cli r = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(boards) + " --out " +
                       shell_quote(dir / "out") + " --board-lock-dir " + shell_quote(dir / "locks"));
  INFO(r.output);
  CHECK(r.exit_code == 3);  // one board unavailable: an infrastructure error
  const std::string junit = slurp(dir / "out/junit.xml");
  INFO(junit);
  // Updated and unavailable alike: "board ID update to VERSION", nothing that changes run to run.
  const std::string b0 = testcase(junit, "board b0 update to 2.0.0");
  const std::string b1 = testcase(junit, "board b1 update to 2.0.0");
  REQUIRE(!b0.empty());
  REQUIRE(!b1.empty());
  CHECK(property(b0, "board.id") == "b0");
  CHECK(property(b0, "board.uri") == live.uri);
  CHECK(property(b1, "board.uri") == dead_uri);
  // image.sha256: the image's SHA-256 TLV, which is sha256sum of its header and body (0x200 + 40000 bytes).
  const std::string image = slurp(dir / "image.bin");
  std::ofstream(dir / "hashed.bin", std::ios::binary) << image.substr(0, 0x200 + 40000);
  const std::string expected_hash = run_program("sha256sum", shell_quote(dir / "hashed.bin")).output.substr(0, 64);
  CHECK(property(b0, "image.sha256") == expected_hash);
  CHECK(property(b1, "image.sha256") == expected_hash);
  CHECK(property(b0, "version.from") == "1.0.0");
  CHECK(property(b0, "version.to") == "2.0.0");
  CHECK(property(b0, "outcome") == "updated");
  CHECK(std::stod(property(b0, "seconds.upload")) > 0);
  CHECK(std::stod(property(b0, "seconds.wait")) >= 0.2);  // the board stays silent 0.2 s after its reset
  // The SMP exchange, one line each way: the upload's first chunk carries the image length and
  // the board answers with the offset it holds.
  CHECK(std::regex_search(b0, std::regex(R"(\+\d+\.\d{3} s &gt; write image/upload seq \d+ \{[^\n]*len: 40552)")));
  CHECK(std::regex_search(b0, std::regex(R"(\+\d+\.\d{3} s &lt; \{[^\n]*off: )")));
  CHECK(b0.find("&gt; write os/reset") != std::string::npos);
  CHECK(b1.find("<error message=\"board b1 (" + dead_uri + ") unavailable") != std::string::npos);
}
