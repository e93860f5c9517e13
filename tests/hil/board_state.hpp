// Helpers shared by the board emulator tests: building a request and reading a state-read reply.
#pragma once

#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "hil/smp_packet.hpp"

namespace fleetsim::testing {

// The bytes of one SMP v2 request (as a client sends it).
inline std::vector<std::uint8_t> encode_request(hil::SmpOp op, std::uint16_t group, std::uint8_t command,
                                                std::uint8_t seq, const nlohmann::json& payload) {
  hil::SmpPacket req;
  req.header.op = op;
  req.header.group = group;
  req.header.command = command;
  req.header.seq = seq;
  req.payload = payload;
  const auto bytes = req.encode();
  REQUIRE(bytes.ok());
  return bytes.value();
}

// The entry of `slot` in a state-read reply, or null when the slot is empty.
inline nlohmann::json slot_entry(const nlohmann::json& state, int slot) {
  for (const auto& image : state.at("images")) {
    if (image.at("slot") == slot) return image;
  }
  return nullptr;
}

inline std::vector<std::uint8_t> hash_of(const nlohmann::json& entry) {
  const auto& b = entry.at("hash").get_binary();
  return std::vector<std::uint8_t>(b.begin(), b.end());
}

// A state flag; a missing flag means false.
inline bool flag(const nlohmann::json& entry, const char* name) { return entry.value(name, false); }

}  // namespace fleetsim::testing
