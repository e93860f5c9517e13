#include "hil/smp_transport.hpp"

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

}  // namespace fleetsim::hil
