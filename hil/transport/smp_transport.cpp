#include "hil/transport/smp_transport.hpp"

#include <poll.h>

#include <cerrno>

namespace fleetsim::hil {

std::string_view describe(TransportError::Kind kind) {
  switch (kind) {
    case TransportError::Kind::Timeout: return "no response";
    case TransportError::Kind::Io: return "I/O error";
    case TransportError::Kind::Encode: return "request cannot be sent";
  }
  return "transport error";
}

bool answers(const SmpHeader& response, const SmpHeader& request) {
  const bool op_matches = (request.op == SmpOp::Read && response.op == SmpOp::ReadResponse) ||
                          (request.op == SmpOp::Write && response.op == SmpOp::WriteResponse);
  return op_matches && response.group == request.group && response.command == request.command &&
         response.seq == request.seq;
}

int wait_readable(int fd, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return 0;
    pollfd pfd{fd, POLLIN, 0};
    const int ready = poll(&pfd, 1, int(left.count()));
    if (ready > 0) return 1;
    if (ready < 0 && errno != EINTR) return -1;
  }
}

TransportError no_response_error(const std::string& uri, const TransportTiming& timing) {
  return TransportError{TransportError::Kind::Timeout, "no response from " + uri + " after " +
                                                           std::to_string(timing.attempts) + " attempt(s) of " +
                                                           std::to_string(timing.response_timeout.count()) + " ms"};
}

}  // namespace fleetsim::hil
