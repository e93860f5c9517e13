// Serves a BoardEmulator over UDP (Zephyr's MCUmgr UDP transport): one datagram is one SMP packet
// (longer datagrams are truncated at the MTU), the reply goes to the sender. After
// answering a reset the server stops answering for the reset time — datagrams that arrive
// meanwhile are dropped, as by a rebooting board — then performs the reset (MCUboot swap).
// Link faults: a dropped request gets no reply; a corrupted reply keeps its header (the client
// can still match it by seq) but its first CBOR byte becomes 0xFF, which is not well-formed.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "hil/emulator/board_emulator.hpp"
#include "hil/emulator/board_link_faults.hpp"
#include "hil/transport/udp_socket.hpp"

namespace fleetsim::hil {

inline constexpr std::size_t kUdpSmpMtu = 1500;

class UdpSmpServer {
 public:
  // Binds a UDP socket on `endpoint` (port 0: the OS picks one); throws std::runtime_error.
  UdpSmpServer(BoardEmulator& emulator, const UdpEndpoint& endpoint,
               std::chrono::milliseconds reset_time, BoardLinkFaults faults = {});
  ~UdpSmpServer();
  UdpSmpServer(const UdpSmpServer&) = delete;
  UdpSmpServer& operator=(const UdpSmpServer&) = delete;

  // The bound address, e.g. "127.0.0.1:40123" or "[::1]:40123".
  std::string local_address() const;
  std::uint16_t local_port() const;

  // Serves until `stop` becomes true (checked at least every 100 ms and on EINTR).
  void run(const std::atomic<bool>& stop);

 private:
  void serve_one(const std::atomic<bool>& stop);
  // Drops everything that arrives until `until` (or stop).
  void stay_silent(std::chrono::steady_clock::time_point until, const std::atomic<bool>& stop);

  BoardEmulator& emulator_;
  std::chrono::milliseconds reset_time_;
  BoardLinkFaults faults_;
  int fd_ = -1;
};

}  // namespace fleetsim::hil
