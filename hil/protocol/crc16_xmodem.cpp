#include "hil/protocol/crc16_xmodem.hpp"

#include <boost/crc.hpp>

namespace fleetsim::hil {

std::uint16_t crc16_xmodem(std::span<const std::uint8_t> bytes) {
  boost::crc_optimal<16, 0x1021, 0, 0, false, false> crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

}  // namespace fleetsim::hil
