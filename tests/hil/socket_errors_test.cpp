// Socket errors name the address they are about: "bind udp 127.0.0.1:P: Address already in use",
// not "bind: Address already in use".
#include <catch2/catch.hpp>
#include <stdexcept>

#include "hil/transport/udp_socket.hpp"
#include "tests/hil/started_board.hpp"

using namespace fleetsim::hil;
using namespace fleetsim::testing;

TEST_CASE("a second fleetsim-board on a taken UDP port exits 3 naming the address", "[hil][emulator]") {
  StartedBoard first(BoardLink::Udp);
  const std::string address = first.uri.substr(6);  // after "udp://"
  TempDir state;
  Cli second = run_program(FLEETSIM_BOARD_BIN, "--udp " + address + " --state-dir " + shell_quote(state.path.string()));
  INFO(second.output);
  CHECK(second.exit_code == 3);
  CHECK(second.output.find("fleetsim-board: bind udp " + address + ": Address already in use") != std::string::npos);
}

TEST_CASE("open_udp_socket errors name the host and port", "[hil][transport]") {
  const int fd = open_udp_socket("127.0.0.1", 0, UdpRole::Bind);
  const std::uint16_t port = local_udp_port(fd);
  const std::string address = "127.0.0.1:" + std::to_string(port);
  CHECK_THROWS_WITH(open_udp_socket("127.0.0.1", port, UdpRole::Bind),
                    "bind udp " + address + ": Address already in use");
  close(fd);
  // ".invalid" never resolves (RFC 6761).
  CHECK_THROWS_WITH(open_udp_socket("board.invalid", 1337, UdpRole::Connect),
                    Catch::Matchers::StartsWith("cannot resolve board.invalid (udp board.invalid:1337): "));
}
