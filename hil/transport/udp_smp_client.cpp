#include "hil/transport/udp_smp_client.hpp"

#include "hil/transport/udp_socket.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace fleetsim::hil {

UdpSmpClient::UdpSmpClient(const std::string& host, std::uint16_t port, std::size_t mtu,
                           TransportTiming timing)
    : mtu_(mtu), timing_(timing) {
  const bool v6 = host.find(':') != std::string::npos;
  uri_ = "udp://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  // Connected: the socket only receives datagrams from the board's address and port.
  fd_ = open_udp_socket(host, port, UdpRole::Connect);
}

UdpSmpClient::~UdpSmpClient() {
  if (fd_ >= 0) close(fd_);
}

Result<SmpPacket, TransportError> UdpSmpClient::transact(const SmpPacket& request) {
  const auto encoded = request.encode();
  if (!encoded) return fail(TransportError{TransportError::Kind::Encode, std::string(describe(encoded.error()))});
  const std::vector<std::uint8_t>& bytes = encoded.value();
  if (bytes.size() > mtu_) {
    return fail(TransportError{TransportError::Kind::Encode,
                               "packet of " + std::to_string(bytes.size()) + " bytes exceeds the MTU of " +
                                   std::to_string(mtu_)});
  }
  std::vector<std::uint8_t> datagram(65536);
  std::vector<std::uint8_t> pending;  // a response whose header announced more than one datagram
  for (int attempt = 0; attempt < timing_.attempts; ++attempt) {
    if (attempt > 0) ++retransmissions_;
    if (send(fd_, bytes.data(), bytes.size(), 0) < 0 && errno != ECONNREFUSED) {
      return fail(TransportError{TransportError::Kind::Io, std::string("send: ") + std::strerror(errno)});
    }
    pending.clear();
    const auto deadline = std::chrono::steady_clock::now() + timing_.response_timeout;
    for (;;) {
      const int ready = wait_readable(fd_, deadline);
      if (ready < 0) return fail(TransportError{TransportError::Kind::Io, std::string("poll: ") + std::strerror(errno)});
      if (ready == 0) break;
      const ssize_t n = recv(fd_, datagram.data(), datagram.size(), 0);
      // ECONNREFUSED: an ICMP "port unreachable" for an earlier datagram (nobody listens yet, e.g.
      // while the board restarts); keep waiting until this attempt's timeout.
      if (n < 0) {
        if (errno == EINTR || errno == ECONNREFUSED || errno == EAGAIN) continue;
        return fail(TransportError{TransportError::Kind::Io, std::string("recv: ") + std::strerror(errno)});
      }
      pending.insert(pending.end(), datagram.begin(), datagram.begin() + n);
      const auto header = SmpHeader::decode(pending);
      if (!header) {
        pending.clear();
        continue;
      }
      const std::size_t total = SmpHeader::kSize + header.value().length;
      if (pending.size() < total) continue;  // more datagrams of this response follow
      const auto packet = SmpPacket::decode(std::span(pending).first(total));
      pending.clear();
      if (packet && answers(packet.value().header, request.header)) return packet.value();
      // Anything else (a late answer to an earlier request, a duplicate, garbage) is ignored.
    }
  }
  return fail(no_response_error(uri_, timing_));
}

}  // namespace fleetsim::hil
