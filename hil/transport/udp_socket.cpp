#include "hil/transport/udp_socket.hpp"

#include <charconv>

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace fleetsim::hil {

int open_udp_socket(const std::string& host, std::uint16_t port, UdpRole role) {
  // Every error names the address: "bind 127.0.0.1:1337: Address already in use" says which
  // board or port to look at, "bind: Address already in use" does not.
  const std::string address = udp_address_text(host, port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  hints.ai_flags = AI_NUMERICSERV | (role == UdpRole::Bind ? AI_PASSIVE : 0);
  addrinfo* found = nullptr;
  if (const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0)
    throw std::runtime_error("cannot resolve " + host + " (udp " + address + "): " + gai_strerror(rc));
  const char* step = role == UdpRole::Bind ? "bind" : "connect";
  std::string error = "no address for " + host + " (udp " + address + ")";
  int result = -1;
  for (addrinfo* ai = found; ai && result < 0; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      error = "socket for udp " + address + ": " + std::strerror(errno);
      continue;
    }
    const int rc = role == UdpRole::Bind ? bind(fd, ai->ai_addr, ai->ai_addrlen) : connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0) {
      error = std::string(step) + " udp " + address + ": " + std::strerror(errno);
      close(fd);
      continue;
    }
    result = fd;
  }
  freeaddrinfo(found);
  if (result < 0) throw std::runtime_error(error);
  return result;
}

std::string udp_address_text(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::uint16_t local_udp_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error(std::string("getsockname: ") + std::strerror(errno));
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

std::optional<UdpEndpoint> parse_udp_endpoint(const std::string& text) {
  UdpEndpoint out;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return std::nullopt;
    }
    out.host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) return std::nullopt;
    out.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) return std::nullopt;  // IPv6 needs brackets
  }
  if (out.host.empty() || port_text.empty()) return std::nullopt;
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return std::nullopt;
  }
  out.port = static_cast<std::uint16_t>(port);
  return out;
}

}  // namespace fleetsim::hil
