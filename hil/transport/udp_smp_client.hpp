// SMP client over UDP (Zephyr's MCUmgr UDP transport): one request per datagram to the
// board's port (1337 by default), responses read from the connected socket. Packets larger than
// the MTU are refused (SmpClient sizes upload chunks to fit); a response split over several
// datagrams is reassembled by its header length.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "hil/transport/smp_transport.hpp"

namespace fleetsim::hil {

inline constexpr std::uint16_t kSmpUdpDefaultPort = 1337;

class UdpSmpClient final : public SmpTransport {
 public:
  // Resolves `host` and connects a UDP socket to host:port; throws std::runtime_error when the
  // name does not resolve or no socket can be made.
  UdpSmpClient(const std::string& host, std::uint16_t port, std::size_t mtu = 1500,
               TransportTiming timing = {});
  ~UdpSmpClient() override;
  UdpSmpClient(const UdpSmpClient&) = delete;
  UdpSmpClient& operator=(const UdpSmpClient&) = delete;

  Result<SmpPacket, TransportError> transact(const SmpPacket& request) override;
  std::size_t max_packet_size() const override { return mtu_; }
  const std::string& uri() const override { return uri_; }
  void set_timing(TransportTiming timing) override { timing_ = timing; }
  TransportTiming timing() const override { return timing_; }
  std::size_t retransmissions() const override { return retransmissions_; }

 private:
  int fd_ = -1;
  std::size_t mtu_;
  TransportTiming timing_;
  std::string uri_;
  std::size_t retransmissions_ = 0;
};

}  // namespace fleetsim::hil
