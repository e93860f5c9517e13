// Helpers shared by the board emulator tests: building a request, uploading an image, reading a
// state-read reply.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "hil/protocol/mcuboot_image.hpp"
#include "sim/core/sha256.hpp"
#include "hil/protocol/smp_packet.hpp"

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

// The payload of the reply with `seq`, or std::nullopt after `timeout`. `next(left)` returns the
// next packet that arrives within `left` (std::nullopt: nothing, or nothing readable); other
// seqs are stale replies and are skipped.
template <class Next>
std::optional<nlohmann::json> reply_with_seq(std::uint8_t seq, std::chrono::milliseconds timeout,
                                             Next&& next) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    const std::optional<std::vector<std::uint8_t>> packet = next(left);
    if (!packet) continue;
    const auto reply = hil::SmpPacket::decode(*packet);
    if (reply.ok() && reply.value().header.seq == seq) return reply.value().payload;
  }
}

// A valid MCUboot image of `version` with a `body`-byte body, and its SHA-256 TLV (the hash
// state read reports).
inline std::vector<std::uint8_t> make_image(hil::ImageVersion version, std::uint32_t body = 3000) {
  hil::McubootImageSpec spec;
  spec.version = version;
  spec.body_size = body;
  return hil::build_mcuboot_image(spec);
}

inline std::vector<std::uint8_t> tlv_hash(const std::vector<std::uint8_t>& image) {
  const auto info = hil::parse_mcuboot_image(image);
  REQUIRE(info.ok());
  return std::vector<std::uint8_t>(info.value().hash.begin(), info.value().hash.end());
}

// The upload request for the chunk of `image` at `off` (at most `chunk` bytes); the first chunk
// also carries `len` and the SHA-256 of the whole file, as Zephyr's image management upload defines
// them.
inline nlohmann::json upload_request(const std::vector<std::uint8_t>& image, std::size_t off,
                                     std::size_t chunk) {
  const std::size_t n = std::min(chunk, image.size() - off);
  nlohmann::json req = {
      {"off", off},
      {"data", nlohmann::json::binary(std::vector<std::uint8_t>(image.begin() + off, image.begin() + off + n))}};
  if (off == 0) {
    req["len"] = image.size();
    const auto sha = sha256(image);
    req["sha"] = nlohmann::json::binary(std::vector<std::uint8_t>(sha.begin(), sha.end()));
  }
  return req;
}

// Uploads `image` from `from`, following the offsets the board returns; `call` sends one upload
// request payload and returns the reply payload. Returns the last reply.
template <class Call>
nlohmann::json upload_image(Call&& call, const std::vector<std::uint8_t>& image, std::size_t chunk,
                            std::size_t from = 0) {
  std::size_t off = from;
  nlohmann::json reply;
  int guard = 0;
  while (off < image.size()) {
    REQUIRE(++guard < 100000);
    reply = call(upload_request(image, off, chunk));
    REQUIRE(reply.contains("off"));
    off = reply["off"].template get<std::size_t>();
  }
  return reply;
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
