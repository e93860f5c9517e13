#include "hil/protocol/mcuboot_image.hpp"

#include <algorithm>

namespace fleetsim::hil {

namespace {

void put_le(std::vector<std::uint8_t>& out, std::size_t at, std::uint64_t value, int width) {
  for (int i = 0; i < width; ++i) out[at + static_cast<std::size_t>(i)] = (value >> (8 * i)) & 0xFF;
}

std::uint32_t get_le(std::span<const std::uint8_t> in, std::size_t at, int width) {
  std::uint32_t value = 0;
  for (int i = width - 1; i >= 0; --i) value = (value << 8) | in[at + static_cast<std::size_t>(i)];
  return value;
}

constexpr std::size_t kTlvInfoBytes = 4;
constexpr std::size_t kTlvHeadBytes = 4;

// Header field offsets (bootutil/image.h, struct image_header).
constexpr std::size_t kOffMagic = 0, kOffLoadAddr = 4, kOffHdrSize = 8, kOffProtectTlvSize = 10,
                      kOffImgSize = 12, kOffFlags = 16, kOffVerMajor = 20, kOffVerMinor = 21,
                      kOffVerRevision = 22, kOffVerBuild = 24;

}  // namespace

std::vector<std::uint8_t> wrap_mcuboot_image(std::span<const std::uint8_t> body, const McubootImageSpec& spec,
                                             const McubootSigner& signer) {
  const std::size_t hdr_size = std::max<std::size_t>(spec.hdr_size, kMcubootHeaderBytes);
  const std::size_t hashed = hdr_size + body.size();  // no protected TLVs
  // imgtool --pad-header: the header area is erased flash (0xff) before the header goes in.
  std::vector<std::uint8_t> image(hdr_size, 0xFF);
  std::fill_n(image.begin(), kMcubootHeaderBytes, 0);  // the header's pad field stays 0
  image.insert(image.end(), body.begin(), body.end());

  put_le(image, kOffMagic, kMcubootImageMagic, 4);
  put_le(image, kOffLoadAddr, spec.load_addr, 4);
  put_le(image, kOffHdrSize, hdr_size, 2);
  put_le(image, kOffProtectTlvSize, 0, 2);
  put_le(image, kOffImgSize, body.size(), 4);
  put_le(image, kOffFlags, 0, 4);
  image[kOffVerMajor] = spec.version.major;
  image[kOffVerMinor] = spec.version.minor;
  put_le(image, kOffVerRevision, spec.version.revision, 2);
  put_le(image, kOffVerBuild, spec.version.build, 4);

  const Sha256Digest digest = sha256(std::span(image).first(hashed));
  std::vector<McubootTlv> tlvs{{kMcubootTlvSha256, {digest.begin(), digest.end()}}};
  if (signer) {
    for (McubootTlv& t : signer(std::span(image).first(hashed), digest)) tlvs.push_back(std::move(t));
  }
  std::size_t tlv_total = kTlvInfoBytes;
  for (const McubootTlv& t : tlvs) tlv_total += kTlvHeadBytes + t.value.size();
  image.resize(hashed + tlv_total, 0);
  put_le(image, hashed, kMcubootTlvInfoMagic, 2);
  put_le(image, hashed + 2, tlv_total, 2);
  std::size_t at = hashed + kTlvInfoBytes;
  for (const McubootTlv& t : tlvs) {
    image[at] = t.type;  // type, a zero byte, the length (imgtool packs 'BBH')
    put_le(image, at + 2, t.value.size(), 2);
    std::copy(t.value.begin(), t.value.end(), image.begin() + static_cast<std::ptrdiff_t>(at + kTlvHeadBytes));
    at += kTlvHeadBytes + t.value.size();
  }
  return image;
}

std::vector<std::uint8_t> build_mcuboot_image(const McubootImageSpec& spec) {
  // Any fixed pattern will do; this one has no short period, so an offset mix-up in an upload
  // shows as a hash mismatch.
  std::vector<std::uint8_t> body(spec.body_size);
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<std::uint8_t>((i * 131 + (i >> 8) * 7 + 0x5A) & 0xFF);
  return wrap_mcuboot_image(body, spec);
}

std::string_view describe(McubootImageError error) {
  switch (error) {
    case McubootImageError::TruncatedHeader: return "image shorter than the 32-byte header";
    case McubootImageError::BadMagic: return "image header magic is not 0x96f3b83d";
    case McubootImageError::BadHeaderSize: return "image hdr_size is below 32";
    case McubootImageError::TruncatedBody: return "image body runs past the data";
    case McubootImageError::BadTlvInfo: return "image TLV info missing or inconsistent";
    case McubootImageError::TlvOverrun: return "image TLV runs past its area";
    case McubootImageError::HashTlvMissing: return "image has no SHA-256 TLV";
    case McubootImageError::HashTlvBadLength: return "image SHA-256 TLV is not 32 bytes";
    case McubootImageError::HashMismatch: return "image SHA-256 does not match its TLV";
  }
  return "unknown image error";
}

Result<McubootImageInfo, McubootImageError> parse_mcuboot_image(
    std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kMcubootHeaderBytes) return fail(McubootImageError::TruncatedHeader);
  if (get_le(bytes, kOffMagic, 4) != kMcubootImageMagic) return fail(McubootImageError::BadMagic);

  McubootImageInfo info;
  info.load_addr = get_le(bytes, kOffLoadAddr, 4);
  info.hdr_size = static_cast<std::uint16_t>(get_le(bytes, kOffHdrSize, 2));
  info.protect_tlv_size = static_cast<std::uint16_t>(get_le(bytes, kOffProtectTlvSize, 2));
  info.img_size = get_le(bytes, kOffImgSize, 4);
  info.flags = get_le(bytes, kOffFlags, 4);
  info.version.major = bytes[kOffVerMajor];
  info.version.minor = bytes[kOffVerMinor];
  info.version.revision = static_cast<std::uint16_t>(get_le(bytes, kOffVerRevision, 2));
  info.version.build = get_le(bytes, kOffVerBuild, 4);
  if (info.hdr_size < kMcubootHeaderBytes) return fail(McubootImageError::BadHeaderSize);

  // 64-bit sums: img_size is attacker-controlled and must not wrap.
  const std::uint64_t body_end = std::uint64_t{info.hdr_size} + info.img_size;
  if (body_end > bytes.size()) return fail(McubootImageError::TruncatedBody);

  // Optional protected TLV area (magic 0x6908) precedes the unprotected one and is hashed.
  std::uint64_t pos = body_end;
  if (info.protect_tlv_size != 0) {
    if (pos + kTlvInfoBytes > bytes.size() ||
        get_le(bytes, pos, 2) != kMcubootProtectedTlvInfoMagic ||
        get_le(bytes, pos + 2, 2) != info.protect_tlv_size ||
        pos + info.protect_tlv_size > bytes.size()) {
      return fail(McubootImageError::BadTlvInfo);
    }
    pos += info.protect_tlv_size;
  }
  const std::uint64_t hashed_end = pos;

  if (pos + kTlvInfoBytes > bytes.size() || get_le(bytes, pos, 2) != kMcubootTlvInfoMagic) {
    return fail(McubootImageError::BadTlvInfo);
  }
  const std::uint64_t tlv_total = get_le(bytes, pos + 2, 2);  // includes the info itself
  const std::uint64_t tlv_end = pos + tlv_total;
  if (tlv_total < kTlvInfoBytes || tlv_end > bytes.size()) {
    return fail(McubootImageError::BadTlvInfo);
  }

  bool found = false;
  for (pos += kTlvInfoBytes; pos < tlv_end;) {
    if (pos + kTlvHeadBytes > tlv_end) return fail(McubootImageError::TlvOverrun);
    const std::uint8_t type = bytes[pos];
    const std::uint64_t length = get_le(bytes, pos + 2, 2);
    const std::uint64_t value = pos + kTlvHeadBytes;
    if (value + length > tlv_end) return fail(McubootImageError::TlvOverrun);
    if (type == kMcubootTlvSha256) {
      if (length != info.hash.size()) return fail(McubootImageError::HashTlvBadLength);
      std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(value), info.hash.size(),
                  info.hash.begin());
      found = true;
    }
    pos = value + length;
  }
  if (!found) return fail(McubootImageError::HashTlvMissing);
  if (sha256(bytes.first(static_cast<std::size_t>(hashed_end))) != info.hash) {
    return fail(McubootImageError::HashMismatch);
  }
  info.total_size = static_cast<std::size_t>(tlv_end);
  return info;
}

}  // namespace fleetsim::hil
