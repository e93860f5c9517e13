// A UDP socket for HOST:PORT, connected to it (a client: it then only hears from that address)
// or bound to it (a server), trying each address the name resolves to. The UDP SMP client and the
// impaired link use it; the emulator's server can too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fleetsim::hil {

struct UdpEndpoint {
  std::string host;
  std::uint16_t port = 0;
};

// "HOST:PORT" or "[V6HOST]:PORT"; std::nullopt when malformed.
std::optional<UdpEndpoint> parse_udp_endpoint(const std::string& text);

enum class UdpRole { Connect, Bind };

// The file descriptor; throws std::runtime_error naming the step that failed (resolve, socket,
// connect/bind) and the address, e.g. "bind udp 127.0.0.1:1337: Address already in use".
int open_udp_socket(const std::string& host, std::uint16_t port, UdpRole role);

// "HOST:PORT", or "[V6HOST]:PORT" for an IPv6 address.
std::string udp_address_text(const std::string& host, std::uint16_t port);

// The local port of a bound socket (e.g. after binding port 0); throws std::runtime_error.
std::uint16_t local_udp_port(int fd);

}  // namespace fleetsim::hil
