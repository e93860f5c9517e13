// Board addresses as written in boards.json and on the command line: `udp://HOST[:PORT]` (port
// 1337 when omitted, IPv6 hosts in brackets) and `serial:///dev/ttyACM0?baud=115200` (any tty
// path; baud 115200 when omitted; `&emulate_baud=1` holds writes to that line rate, for
// pseudo-terminals, which have none). Each scheme is one entry of the registry in
// transport_uri.cpp — its name, parser and transport factory — and a URI of any other scheme is
// refused with the registered ones listed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hil/protocol/result.hpp"
#include "hil/transport/smp_transport.hpp"

namespace fleetsim::hil {

struct TransportUri {
  enum class Scheme { Udp, Serial };
  Scheme scheme = Scheme::Udp;
  std::string host;           // udp
  std::uint16_t port = 1337;  // udp
  std::string path;           // serial
  std::uint32_t baud = 115200;
  bool emulate_baud = false;  // serial: hold writes to the baud rate (for pseudo-terminals)
};

// The reason is a sentence ending with what is expected; for an unknown scheme it lists the
// registered ones.
Result<TransportUri, std::string> parse_transport_uri(std::string_view text);

// Opens the transport; throws std::runtime_error when the host does not resolve or the tty
// cannot be opened (an infrastructure failure).
std::unique_ptr<SmpTransport> open_transport(const TransportUri& uri, TransportTiming timing = {});

}  // namespace fleetsim::hil
