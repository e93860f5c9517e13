// The user-space impairment between the bridge and a UDP board: delay, outage windows and the
// Gilbert–Elliott bad state, on a clock the test sets.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>

#include "hil/board/board_update.hpp"
#include "hil/transport/impaired_udp_link.hpp"
#include "hil/board/smp_client.hpp"
#include "hil/transport/transport_uri.hpp"
#include "hil/transport/udp_smp_client.hpp"
#include "tests/hil/hil_scenarios.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;
using namespace std::chrono_literals;

namespace {

struct Linked {
  StartedBoard board{BoardLink::Udp};
  std::atomic<double> t{0};
  std::unique_ptr<ImpairedUdpLink> link;
  std::unique_ptr<UdpSmpClient> transport;

  explicit Linked(LinkImpairment imp, TransportTiming timing = {300ms, 1}) {
    imp.clock = [this] { return t.load(); };
    const auto uri = parse_transport_uri(board.uri).value();
    link = std::make_unique<ImpairedUdpLink>(uri.host, uri.port, imp);
    transport = std::make_unique<UdpSmpClient>("127.0.0.1", link->port(), 1500, timing);
  }
};

}  // namespace

TEST_CASE("the impaired link delays every datagram in both directions", "[hil][impair]") {
  LinkImpairment imp;
  imp.delay = 100ms;
  Linked l(imp, TransportTiming{1000ms, 1});
  SmpClient client(*l.transport);
  const auto start = std::chrono::steady_clock::now();
  auto r = client.echo("slow");
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(r);
  CHECK(took >= 200ms);  // 100 ms to the board, 100 ms back
  CHECK(took < 900ms);
  CHECK(l.link->stats().forwarded == 2);
}

TEST_CASE("an outage window drops everything, and the retransmission after it gets through", "[hil][impair]") {
  LinkImpairment imp;
  imp.outages = {{10.0, 20.0}};
  Linked l(imp);
  SmpClient client(*l.transport);
  l.t = 15;  // inside the outage
  auto lost = client.echo("during");
  REQUIRE_FALSE(lost);
  CHECK(lost.error().kind == SmpClientError::Kind::Transport);
  CHECK(l.link->stats().dropped == 1);
  CHECK(l.link->stats().forwarded == 0);
  l.t = 20;  // the window is [10, 20)
  auto ok = client.echo("after");
  REQUIRE(ok);
  CHECK(ok.value() == "after");
}

TEST_CASE("in the Gilbert-Elliott bad state datagrams are dropped, or held with a stalling link", "[hil][impair]") {
  // Mean good 1 µs, mean bad 10^9 s: the link turns bad almost at once and stays bad.
  LinkImpairment imp;
  imp.mean_good = 1e-6;
  imp.mean_bad = 1e9;
  SECTION("drop") {
    Linked l(imp);
    l.t = 1;
    SmpClient client(*l.transport);
    CHECK_FALSE(client.echo("x"));
    CHECK(l.link->stats().dropped == 1);
    CHECK(l.link->stats().forwarded == 0);
  }
  SECTION("stall") {
    imp.stall = true;
    Linked l(imp);
    l.t = 1;
    SmpClient client(*l.transport);
    CHECK_FALSE(client.echo("x"));
    CHECK(l.link->stats().held == 1);
    CHECK(l.link->stats().dropped == 0);
    CHECK(l.link->stats().forwarded == 0);
  }
}

TEST_CASE("a co-simulation with impaired links delays the board by the model's round trip", "[hil][impair][e2e]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  TempDir dir;
  const std::string scenario = write_hil_scenario(dir, 10, "2.0.0", 1);
  Doc doc = Doc::parse(slurp(scenario));
  doc["hil"]["impair"] = true;  // model m: device rtt 1 s, region rtt 2 s → 1.5 s each way at pace 1
  doc["hil"]["pace"] = 30;      // → 50 ms each way in wall time
  std::ofstream(scenario) << doc.dump();
  Cli r = run_fleetsim("run " + shell_quote(scenario) + " --boards " + shell_quote(write_boards(dir, {board.uri})) +
                       " --out " + shell_quote(dir / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK(r.output.find("reached through an impaired link") != std::string::npos);
  CHECK(r.output.find("PASS board b0 update to 2.0.0") != std::string::npos);
}

TEST_CASE("a full update gets through a link that loses 20 % of the datagrams each way", "[hil][impair]") {
  StartedBoard board(BoardLink::Udp, {"--reset-time", "0.2"});
  LinkImpairment imp;
  imp.loss = 0.2;
  const auto uri = parse_transport_uri(board.uri).value();
  ImpairedUdpLink link(uri.host, uri.port, imp);
  // A round trip survives with probability 0.8 × 0.8 = 0.64; 12 attempts leave 0.36^12 ≈ 5e-6
  // per request unanswered.
  UdpSmpClient transport("127.0.0.1", link.port(), 1500, TransportTiming{200ms, 12});
  SmpClient client(transport);
  const auto image = build_mcuboot_image({ImageVersion{1, 7, 0, 0}, 30000});
  BoardUpdateOptions options;
  options.reboot_timeout = 10000ms;
  const BoardUpdateReport report = update_board(client, image, parse_mcuboot_image(image).value(), options);
  INFO(report.message << "\n" << report.detail());
  CHECK(report.outcome == BoardUpdateOutcome::Updated);
  // About 50 exchanges, each losing a datagram with probability 0.36: never none in practice
  // (0.64^50 ≈ 2e-10).
  CHECK(link.stats().dropped > 0);
  CHECK(transport.retransmissions() > 0);
}
