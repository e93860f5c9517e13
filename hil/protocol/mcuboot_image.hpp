// MCUboot image format (MCUboot design documentation, bootutil/image.h): a 32-byte
// little-endian header at offset 0, the body at hdr_size, then TLVs; the SHA-256 TLV (type
// 0x10) over [0, hdr_size + img_size + protect_tlv_size) is the hash SMP state read reports.
// Wraps a raw application binary into an image as `imgtool sign --pad-header` does (`fleetsim
// hil image create`; the board emulator and tests build theirs the same way), and
// parses/verifies images on both sides of the bridge.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "hil/protocol/image_version.hpp"
#include "hil/protocol/result.hpp"
#include "sim/core/sha256.hpp"

namespace fleetsim::hil {

inline constexpr std::uint32_t kMcubootImageMagic = 0x96f3b83d;
inline constexpr std::uint16_t kMcubootTlvInfoMagic = 0x6907;
inline constexpr std::uint16_t kMcubootProtectedTlvInfoMagic = 0x6908;
inline constexpr std::uint8_t kMcubootTlvKeyHash = 0x01;
inline constexpr std::uint8_t kMcubootTlvSha256 = 0x10;
inline constexpr std::uint8_t kMcubootTlvEcdsaSig = 0x22;  // ECDSA P-256 over SHA-256, DER
inline constexpr std::uint8_t kMcubootTlvEd25519 = 0x24;   // Ed25519 over the SHA-256 digest
inline constexpr std::size_t kMcubootHeaderBytes = 32;

struct McubootImageSpec {
  ImageVersion version;
  std::uint32_t body_size = 0;     // build_mcuboot_image only: bytes of its fixed pattern
  std::uint32_t load_addr = 0;
  std::uint16_t hdr_size = 0x200;  // ≥ 32; the gap after the 32-byte header is 0xff (erased flash)
};

struct McubootTlv {
  std::uint8_t type = 0;
  std::vector<std::uint8_t> value;
};

// Signs an image as imgtool does: given the signed payload (header + body + protected TLVs) and
// its SHA-256, the TLVs that follow the SHA-256 TLV (KEYHASH, then the signature).
using McubootSigner =
    std::function<std::vector<McubootTlv>(std::span<const std::uint8_t> payload, const Sha256Digest& digest)>;

// A complete image of `body`: header (version, load address, hdr_size; hdr_size below 32 is
// raised to 32), the body, TLV info, the SHA-256 TLV and, with a signer, its TLVs — the layout
// of imgtool's Image.create() without protected TLVs or encryption.
std::vector<std::uint8_t> wrap_mcuboot_image(std::span<const std::uint8_t> body, const McubootImageSpec& spec,
                                             const McubootSigner& signer = {});

// wrap_mcuboot_image of spec.body_size deterministic bytes. Images of different versions differ
// in their headers, hence hashes.
std::vector<std::uint8_t> build_mcuboot_image(const McubootImageSpec& spec);

// What parse_mcuboot_image learned from a valid image.
struct McubootImageInfo {
  ImageVersion version;
  std::uint32_t load_addr = 0;
  std::uint16_t hdr_size = 0;
  std::uint16_t protect_tlv_size = 0;
  std::uint32_t img_size = 0;
  std::uint32_t flags = 0;
  Sha256Digest hash{};         // the SHA-256 TLV, verified against the image
  std::size_t total_size = 0;  // header + body + TLV areas; bytes after it (slot padding) ignored
};

enum class McubootImageError {
  TruncatedHeader,   // fewer than 32 bytes
  BadMagic,          // header magic is not 0x96f3b83d
  BadHeaderSize,     // hdr_size < 32
  TruncatedBody,     // hdr_size + img_size runs past the data
  BadTlvInfo,        // TLV info magic/length wrong, or the TLV area runs past the data
  TlvOverrun,        // a TLV's length runs past its area
  HashTlvMissing,    // no SHA-256 TLV
  HashTlvBadLength,  // SHA-256 TLV is not 32 bytes
  HashMismatch,      // recomputed SHA-256 differs from the TLV
};

std::string_view describe(McubootImageError error);

// Validates `bytes` as an MCUboot image (a slot's contents may follow the image with padding).
Result<McubootImageInfo, McubootImageError> parse_mcuboot_image(
    std::span<const std::uint8_t> bytes);

}  // namespace fleetsim::hil
