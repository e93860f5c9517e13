// A way to exchange SMP packets with one board: UDP datagrams or a serial console (Zephyr "SMP
// Transport Specification" and MCUmgr UDP transport). A transport matches a response to its request
// by sequence number, group and command, ignores everything else (stale or duplicated responses),
// and retransmits the same packet — same sequence number — when an answer does not come in time, a
// bounded number of times. Used through SmpClient, which picks sequence numbers and reads the
// payloads.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "hil/protocol/result.hpp"
#include "hil/protocol/smp_packet.hpp"

namespace fleetsim::hil {

struct TransportError {
  enum class Kind {
    Timeout,  // no matching response after every attempt
    Io,       // the socket or tty failed (closed, unreadable, unwritable)
    Encode,   // the request cannot be sent (too large for the transport)
  };
  Kind kind = Kind::Timeout;
  std::string message;
};

std::string_view describe(TransportError::Kind kind);

struct TransportTiming {
  std::chrono::milliseconds response_timeout{1000};  // per attempt
  int attempts = 4;                                  // first send + retransmissions
};

class SmpTransport {
 public:
  virtual ~SmpTransport() = default;
  // Sends `request` and returns the response carrying its sequence number, group and command.
  virtual Result<SmpPacket, TransportError> transact(const SmpPacket& request) = 0;
  // The largest SMP packet (header + CBOR) the transport itself carries in one piece.
  virtual std::size_t max_packet_size() const = 0;
  // The URI it talks to, for messages.
  virtual const std::string& uri() const = 0;
  // Attempts and per-attempt timeout of the following exchanges (e.g. short probes while a
  // board reboots).
  virtual void set_timing(TransportTiming timing) = 0;
  virtual TransportTiming timing() const = 0;
  // How many datagrams/frames were sent again after a timeout, for reports.
  virtual std::size_t retransmissions() const = 0;
  // Console output the board printed on this link since the last call (a serial console's
  // non-SMP lines); none for links that carry only SMP.
  virtual std::vector<std::string> take_console_lines() { return {}; }
};

// True when `response` answers `request`: op + 1, same group, command and sequence number.
bool answers(const SmpHeader& response, const SmpHeader& request);

// Waits until `fd` is readable: 1 readable, 0 `deadline` passed, -1 poll failed (errno set).
int wait_readable(int fd, std::chrono::steady_clock::time_point deadline);

// The error after every attempt went unanswered.
TransportError no_response_error(const std::string& uri, const TransportTiming& timing);

}  // namespace fleetsim::hil
