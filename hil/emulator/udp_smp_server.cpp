#include "hil/emulator/udp_smp_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

namespace fleetsim::hil {

UdpSmpServer::UdpSmpServer(BoardEmulator& emulator, const UdpEndpoint& endpoint,
                           std::chrono::milliseconds reset_time, BoardLinkFaults faults)
    : emulator_(emulator), reset_time_(reset_time), faults_(std::move(faults)) {
  fd_ = open_udp_socket(endpoint.host, endpoint.port, UdpRole::Bind);
}

UdpSmpServer::~UdpSmpServer() {
  if (fd_ >= 0) close(fd_);
}

std::uint16_t UdpSmpServer::local_port() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

std::string UdpSmpServer::local_address() const {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr, host, sizeof host);
    return "[" + std::string(host) + "]:" + std::to_string(local_port());
  }
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&addr)->sin_addr, host, sizeof host);
  return std::string(host) + ":" + std::to_string(local_port());
}

void UdpSmpServer::run(const std::atomic<bool>& stop) {
  while (!stop.load()) serve_one(stop);
}

void UdpSmpServer::serve_one(const std::atomic<bool>& stop) {
  pollfd pfd{fd_, POLLIN, 0};
  const int ready = poll(&pfd, 1, 100);
  if (ready <= 0 || stop.load()) return;  // timeout, EINTR (a signal) or stop
  std::vector<std::uint8_t> buf(kUdpSmpMtu);
  sockaddr_storage from{};
  socklen_t from_len = sizeof from;
  // A datagram longer than the MTU is truncated (the rest is discarded by recvfrom).
  const ssize_t n = recvfrom(fd_, buf.data(), buf.size(), MSG_DONTWAIT,
                             reinterpret_cast<sockaddr*>(&from), &from_len);
  if (n <= 0) return;
  if (faults_.drop_request()) return;
  auto reply = emulator_.handle(std::span<const std::uint8_t>(buf.data(), static_cast<std::size_t>(n)));
  if (reply && faults_.corrupt_reply() && reply->size() > SmpHeader::kSize) {
    (*reply)[SmpHeader::kSize] = 0xFF;  // a CBOR "break" with nothing to end
  }
  if (reply) {
    // Replies longer than a datagram (not produced in practice) go out in MTU-sized pieces;
    // the client reassembles by the header length.
    for (std::size_t at = 0; at < reply->size(); at += kUdpSmpMtu) {
      const std::size_t len = std::min(kUdpSmpMtu, reply->size() - at);
      sendto(fd_, reply->data() + at, len, 0, reinterpret_cast<sockaddr*>(&from), from_len);
    }
  }
  if (emulator_.take_reset_request()) {
    stay_silent(std::chrono::steady_clock::now() + reset_time_, stop);
    emulator_.reset();
  }
}

void UdpSmpServer::stay_silent(std::chrono::steady_clock::time_point until,
                               const std::atomic<bool>& stop) {
  std::vector<std::uint8_t> buf(kUdpSmpMtu);
  while (!stop.load()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd pfd{fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 100) + 1)) > 0) {
      recv(fd_, buf.data(), buf.size(), MSG_DONTWAIT);  // dropped: the board is rebooting
    }
  }
}

}  // namespace fleetsim::hil
