// Fuzzes the MCUboot image parser (hil/protocol/mcuboot_image), which reads the images
// `fleetsim hil flash` and the bridge send, and the image version text of SMP state read
// (hil/protocol/image_version). A hash TLV over fuzzed bytes rarely matches, so when the first
// input byte is odd the target writes the right SHA-256 into the TLV the input points at, letting
// the fuzzer reach the checks after the hash.
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "hil/protocol/image_version.hpp"
#include "hil/protocol/mcuboot_image.hpp"
#include "sim/core/sha256.hpp"

namespace hil = fleetsim::hil;

namespace {

std::uint32_t le(const std::uint8_t* p, int n) {
  std::uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Overwrites the 32 bytes after the first SHA-256 TLV head with the hash the parser will compute,
// when the header and TLV info are laid out well enough to find it.
void fix_hash(std::vector<std::uint8_t>& img) {
  if (img.size() < hil::kMcubootHeaderBytes) return;
  const std::size_t hdr = le(&img[8], 2), protect = le(&img[10], 2), body = le(&img[12], 4);
  const std::size_t hashed = hdr + body + protect;
  for (std::size_t at = hashed + 4; at + 4 + 32 <= img.size(); ++at)
    if (img[at] == hil::kMcubootTlvSha256 && img[at + 1] == 0 && img[at + 2] == 32 && img[at + 3] == 0) {
      const fleetsim::Sha256Digest d = fleetsim::sha256(std::span<const std::uint8_t>(img).first(hashed));
      std::memcpy(&img[at + 4], d.data(), d.size());
      return;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::vector<std::uint8_t> img(data + 1, data + size);
  if (data[0] & 1) fix_hash(img);
  const auto r = hil::parse_mcuboot_image(img);
  if (r) {
    const auto& info = r.value();
    if (info.total_size > img.size() || info.hdr_size < hil::kMcubootHeaderBytes) __builtin_trap();
    if (const auto v = hil::ImageVersion::parse(info.version.text()); !v || *v != info.version) __builtin_trap();
  } else {
    (void)hil::describe(r.error());
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto v = hil::ImageVersion::parse(text)) {
    const auto again = hil::ImageVersion::parse(v->text());  // text() round-trips
    if (!again || *again != *v) __builtin_trap();
  }
  return 0;
}
