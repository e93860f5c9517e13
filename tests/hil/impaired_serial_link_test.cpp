// The user-space impairment between the bridge and a serial board: a relay on a new
// pseudo-terminal in front of fleetsim-board --pty, impairing whole console lines.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <fstream>
#include <thread>

#include "hil/board/board_update.hpp"
#include "hil/transport/impaired_serial_link.hpp"
#include "hil/transport/serial_smp_client.hpp"
#include "hil/board/smp_client.hpp"
#include "hil/transport/transport_uri.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

// A board on a pty, the relay in front of it (on a clock the test sets unless `wall_clock`) and
// a serial client on the relay's pty.
struct SerialLinked {
  StartedBoard board{BoardLink::Pty, {"--reset-time", "0.2"}};
  std::atomic<double> t{0};
  std::unique_ptr<ImpairedSerialLink> link;
  std::unique_ptr<SerialSmpClient> transport;

  explicit SerialLinked(LinkImpairment imp, TransportTiming timing = {300ms, 1}, bool wall_clock = false) {
    if (!wall_clock) imp.clock = [this] { return t.load(); };
    const auto uri = parse_transport_uri(board.uri).value();
    link = std::make_unique<ImpairedSerialLink>(uri.path, uri.baud, imp);
    transport = std::make_unique<SerialSmpClient>(link->path(), uri.baud, timing);
  }
};

}  // namespace

TEST_CASE("without impairment a frame of several lines crosses the serial relay unchanged", "[hil][impair][serial]") {
  SerialLinked l(LinkImpairment{});
  SmpClient client(*l.transport);
  const std::string text(400, 'x');
  auto r = client.echo(text);
  REQUIRE(r);
  CHECK(r.value() == text);
  // Request: 8-byte header + CBOR {"d": 400-char text} (1 + 2 + 3 + 400 = 406 bytes) = 414
  // bytes; framed 2 + 414 + 2 = 418 bytes → base64 ⌈418/3⌉·4 = 560 characters → ⌈560/124⌉ = 5
  // lines. The answer {"r": …} is as long: 5 lines. All 10 pass, none damaged on the way.
  CHECK(l.link->stats().forwarded == 10);
  CHECK(l.link->stats().dropped == 0);
  CHECK(l.transport->damaged_frames() == 0);
}

TEST_CASE("a serial link's delay holds each line in both directions", "[hil][impair][serial]") {
  LinkImpairment imp;
  imp.delay = 100ms;
  SerialLinked l(imp, TransportTiming{2000ms, 1});
  SmpClient client(*l.transport);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.echo("slow");
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(r);
  CHECK(took >= 200ms);  // the request line waits 100 ms on the way to the board, the answer 100 ms back
  CHECK(l.link->stats().forwarded == 2);
}

TEST_CASE("a serial link that loses every line gives the client its timeout error", "[hil][impair][serial]") {
  LinkImpairment imp;
  imp.loss = 1.0;
  SerialLinked l(imp, TransportTiming{300ms, 2});
  SmpClient client(*l.transport);
  auto r = client.echo("lost");
  REQUIRE_FALSE(r);
  CHECK(r.error().kind == SmpClientError::Kind::Transport);
  CHECK(r.error().transport.kind == TransportError::Kind::Timeout);
  CHECK(l.link->stats().dropped == 2);  // the one-line request, sent twice (2 attempts)
  CHECK(l.link->stats().forwarded == 0);
}

TEST_CASE("a serial outage window drops every line inside it and none outside", "[hil][impair][serial]") {
  LinkImpairment imp;
  imp.outages = {{10.0, 20.0}};
  SerialLinked l(imp);
  SmpClient client(*l.transport);
  l.t = 9.9;  // before the window: request and answer pass (one line each)
  REQUIRE(client.echo("before"));
  CHECK(l.link->stats().forwarded == 2);
  l.t = 15;  // inside: the request line is dropped, so nothing comes back
  CHECK_FALSE(client.echo("during"));
  CHECK(l.link->stats().dropped == 1);
  l.t = 20;  // the window is [10, 20): both lines pass again
  auto after = client.echo("after");
  REQUIRE(after);
  CHECK(after.value() == "after");
  CHECK(l.link->stats().forwarded == 4);
  CHECK(l.link->stats().dropped == 1);
}

TEST_CASE("a stalling serial link holds lines while bad and passes them when good again", "[hil][impair][serial]") {
  // On the wall clock, good and bad alternate with mean sojourns of 0.1 s each (half the time
  // bad). 40 echoes, 60 ms apart: a request arriving 60 ms after a good one finds the link bad
  // with probability 0.5·(1 − e^(−60 ms·(1/0.1 s + 1/0.1 s))) ≈ 0.35, so none is ever held
  // with probability < 0.65^40 ≈ 3e-8. A held line waits for the next good sojourn (mean
  // 0.1 s; longer than the 3 s timeout with probability e^(−30)), so every echo is answered.
  LinkImpairment imp;
  imp.mean_good = 0.1;
  imp.mean_bad = 0.1;
  imp.stall = true;
  SerialLinked l(imp, TransportTiming{3000ms, 1}, true);
  SmpClient client(*l.transport);
  int answered = 0;
  for (int i = 0; i < 40; ++i) {
    if (client.echo("e" + std::to_string(i))) ++answered;
    std::this_thread::sleep_for(60ms);
  }
  CHECK(answered == 40);
  const auto s = l.link->stats();
  CHECK(s.held > 0);
  CHECK(s.dropped == 0);
  CHECK(s.forwarded == 80);  // 40 one-line requests and 40 one-line answers, held ones included
}

TEST_CASE("a full update gets through a serial link that loses 2 % of the lines", "[hil][impair][serial]") {
  LinkImpairment imp;
  imp.loss = 0.02;
  SerialLinked l(imp, TransportTiming{300ms, 16}, true);
  SmpClient client(*l.transport);
  const auto image = build_mcuboot_image({ImageVersion{1, 7, 0, 0}, 30000});
  BoardUpdateOptions options;
  options.reboot_timeout = 10000ms;
  const BoardUpdateReport report = update_board(client, image, parse_mcuboot_image(image).value(), options);
  INFO(report.message << "\n" << report.detail());
  CHECK(report.outcome == BoardUpdateOutcome::Updated);
  // The pty emulator's buf_size is 384: an upload request of ≤ 384 bytes is framed in ≤ 388
  // bytes → ≤ 520 base64 characters → 5 lines, so it survives with probability 0.98^5 ≈ 0.90
  // and its one-line answer with 0.98: ≈ 0.89 an attempt; 16 attempts leave 0.11^16 ≈ 5e-16
  // per request unanswered. About 30000 / 360 ≈ 84 requests all get through at the first try
  // with probability ≈ 0.89^84 ≈ 6e-5, so drops and retransmissions are seen.
  CHECK(l.link->stats().dropped > 0);
  CHECK(l.transport->retransmissions() > 0);
}

TEST_CASE("a co-simulation with impaired links reaches a serial board through the relay at its baud settings", "[hil][impair][serial][e2e]") {
  StartedBoard board(BoardLink::Pty, {"--reset-time", "0.2"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  Doc doc = Doc::parse(slurp(scenario));
  doc["hil"]["impair"] = true;  // model m: device rtt 1 s, region rtt 2 s → 1.5 s each way at pace 1
  doc["hil"]["pace"] = 30;      // → 50 ms each way in wall time
  std::ofstream(scenario) << doc.dump();
  // The client behind the relay keeps the board's baud and its line-rate emulation.
  std::string uri = board.uri;
  uri.replace(uri.find("?baud=115200"), std::string::npos, "?baud=921600&emulate_baud=1");
  Cli r = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(write_boards(dir, {uri})) +
                       " --out " + shell_quote(dir / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("reached through an impaired link on serial://") != std::string::npos);
  CHECK(r.output.find("?baud=921600&emulate_baud=1) healthy") != std::string::npos);
  CHECK(r.output.find("PASS board b0 update to 2.0.0") != std::string::npos);
  // The board's check (checks.json) counts the relay's console lines.
  CHECK(slurp(dir / "out/checks.json").find(" lines forwarded, ") != std::string::npos);
}
