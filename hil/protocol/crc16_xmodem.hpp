// CRC-16/XMODEM (poly 0x1021, init 0, no reflection, no xorout): the checksum of SMP's serial
// console framing (Zephyr "SMP Transport Specification", UART/serial and console).
#pragma once

#include <cstdint>
#include <span>

namespace fleetsim::hil {

std::uint16_t crc16_xmodem(std::span<const std::uint8_t> bytes);

}  // namespace fleetsim::hil
