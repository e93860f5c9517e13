// Board addresses in boards.json and on the command line.
#include <catch2/catch.hpp>

#include "hil/transport/transport_uri.hpp"

using fleetsim::hil::parse_transport_uri;
using fleetsim::hil::TransportUri;

TEST_CASE("a udp URI gives host and port, 1337 when the port is left out", "[hil][uri]") {
  auto a = parse_transport_uri("udp://127.0.0.1:4000");
  REQUIRE(a);
  CHECK(a.value().scheme == TransportUri::Scheme::Udp);
  CHECK(a.value().host == "127.0.0.1");
  CHECK(a.value().port == 4000);
  auto b = parse_transport_uri("udp://board-7.lab");
  REQUIRE(b);
  CHECK(b.value().host == "board-7.lab");
  CHECK(b.value().port == 1337);
  auto c = parse_transport_uri("udp://[::1]:1400");
  REQUIRE(c);
  CHECK(c.value().host == "::1");
  CHECK(c.value().port == 1400);
}

TEST_CASE("a serial URI gives the tty path and baud, 115200 when left out", "[hil][uri]") {
  auto a = parse_transport_uri("serial:///dev/pts/3?baud=921600");
  REQUIRE(a);
  CHECK(a.value().scheme == TransportUri::Scheme::Serial);
  CHECK(a.value().path == "/dev/pts/3");
  CHECK(a.value().baud == 921600);
  auto b = parse_transport_uri("serial:///dev/ttyACM0");
  REQUIRE(b);
  CHECK(b.value().baud == 115200);
}

TEST_CASE("malformed board URIs are rejected with what was expected", "[hil][uri]") {
  for (const char* bad : {"tcp://1.2.3.4:1337", "udp://", "udp://host:notaport", "udp://host:70000", "udp://::1:1337",
                          "serial://dev/ttyACM0", "serial:///dev/ttyACM0?baud=fast", "serial:///dev/ttyACM0?parity=n",
                          "udp://127.0.0.1:0"}) {
    INFO(bad);
    auto r = parse_transport_uri(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().find("expected") != std::string::npos);
  }
}

TEST_CASE("a serial URI can ask for the line rate to be emulated", "[hil][uri]") {
  auto a = parse_transport_uri("serial:///dev/pts/3?baud=115200&emulate_baud=1");
  REQUIRE(a);
  CHECK(a.value().emulate_baud);
  CHECK(a.value().baud == 115200);
  auto b = parse_transport_uri("serial:///dev/pts/3?baud=9600");
  REQUIRE(b);
  CHECK_FALSE(b.value().emulate_baud);
}

TEST_CASE("a URI of an unknown scheme is refused with the registered schemes listed", "[hil][uri]") {
  // Registered in transport_uri.cpp: udp, then serial; each contributes its name and how it is written.
  auto r = parse_transport_uri("tcp://1.2.3.4:1337");
  REQUIRE_FALSE(r);
  CHECK(r.error() ==
        "\"tcp://1.2.3.4:1337\" is not a board URI: unknown scheme \"tcp\", the schemes are udp and serial "
        "(expected udp://HOST:PORT, e.g. udp://127.0.0.1:1337, or serial:///dev/ttyACM0?baud=115200)");
}

TEST_CASE("a board address without a scheme is refused with the registered schemes listed", "[hil][uri]") {
  auto r = parse_transport_uri("/dev/ttyACM0");
  REQUIRE_FALSE(r);
  CHECK(r.error() ==
        "\"/dev/ttyACM0\" is not a board URI: no scheme, the schemes are udp and serial "
        "(expected udp://HOST:PORT, e.g. udp://127.0.0.1:1337, or serial:///dev/ttyACM0?baud=115200)");
}
