#include "hil/protocol/mcuboot_image.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "hil/protocol/image_version.hpp"
#include "sim/core/sha256.hpp"

using fleetsim::hil::build_mcuboot_image;
using fleetsim::hil::ImageVersion;
using fleetsim::hil::McubootImageError;
using fleetsim::hil::McubootImageSpec;
using fleetsim::hil::parse_mcuboot_image;
using fleetsim::sha256;
using Bytes = std::vector<std::uint8_t>;

namespace {

McubootImageSpec spec_1_2_3_4() {
  McubootImageSpec spec;
  spec.version = ImageVersion{1, 2, 3, 4};
  spec.body_size = 1000;
  spec.load_addr = 0x00008000;
  return spec;
}

Bytes slice(const Bytes& bytes, std::size_t from, std::size_t count) {
  return Bytes(bytes.begin() + static_cast<long>(from),
               bytes.begin() + static_cast<long>(from + count));
}

}  // namespace

TEST_CASE("SHA-256 of \"abc\" is the FIPS 180-2 test vector", "[smp]") {
  const std::string abc = "abc";
  const auto digest = sha256(Bytes(abc.begin(), abc.end()));
  const Bytes expected = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                          0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                          0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  CHECK(Bytes(digest.begin(), digest.end()) == expected);
}

TEST_CASE("a built image has the MCUboot header and TLV layout byte for byte", "[smp]") {
  const Bytes image = build_mcuboot_image(spec_1_2_3_4());
  // 0x200 header area + 1000 body + TLV info (4) + SHA-256 TLV (4 + 32).
  REQUIRE(image.size() == 0x200 + 1000 + 40);
  CHECK(slice(image, 0, 32) == Bytes{0x3d, 0xb8, 0xf3, 0x96,    // magic, little-endian
                                     0x00, 0x80, 0x00, 0x00,    // load_addr 0x8000
                                     0x00, 0x02, 0x00, 0x00,    // hdr_size 0x200, protect 0
                                     0xe8, 0x03, 0x00, 0x00,    // img_size 1000
                                     0x00, 0x00, 0x00, 0x00,    // flags
                                     0x01, 0x02, 0x03, 0x00,    // 1.2, revision 3
                                     0x04, 0x00, 0x00, 0x00,    // build 4
                                     0x00, 0x00, 0x00, 0x00});  // pad
  CHECK(slice(image, 0x200 + 1000, 8) == Bytes{0x07, 0x69, 0x28, 0x00, 0x10, 0x00, 0x20, 0x00});
  const auto digest = sha256(slice(image, 0, 0x200 + 1000));
  CHECK(slice(image, 0x200 + 1000 + 8, 32) == Bytes(digest.begin(), digest.end()));
}

TEST_CASE("a built image parses back to its version, sizes and hash", "[smp]") {
  const Bytes image = build_mcuboot_image(spec_1_2_3_4());
  const auto info = parse_mcuboot_image(image);
  REQUIRE(info.ok());
  CHECK(info.value().version == ImageVersion{1, 2, 3, 4});
  CHECK(info.value().version.text() == "1.2.3.4");
  CHECK(info.value().load_addr == 0x8000);
  CHECK(info.value().hdr_size == 0x200);
  CHECK(info.value().protect_tlv_size == 0);
  CHECK(info.value().img_size == 1000);
  CHECK(info.value().total_size == image.size());
  const Bytes tlv_hash = slice(image, 0x200 + 1000 + 8, 32);
  CHECK(Bytes(info.value().hash.begin(), info.value().hash.end()) == tlv_hash);
}

TEST_CASE("images of different versions have different hashes", "[smp]") {
  McubootImageSpec other = spec_1_2_3_4();
  other.version.minor = 3;
  const auto a = parse_mcuboot_image(build_mcuboot_image(spec_1_2_3_4()));
  const auto b = parse_mcuboot_image(build_mcuboot_image(other));
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a.value().hash != b.value().hash);
}

TEST_CASE("slot padding after the image is ignored", "[smp]") {
  Bytes slot = build_mcuboot_image(spec_1_2_3_4());
  const std::size_t image_size = slot.size();
  slot.resize(image_size + 4096, 0xff);
  const auto info = parse_mcuboot_image(slot);
  REQUIRE(info.ok());
  CHECK(info.value().total_size == image_size);
}

TEST_CASE("a flipped body byte fails the hash check", "[smp]") {
  Bytes image = build_mcuboot_image(spec_1_2_3_4());
  image[0x200 + 500] ^= 0x01;
  const auto info = parse_mcuboot_image(image);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error() == McubootImageError::HashMismatch);
}

TEST_CASE("a changed version in the header fails the hash check", "[smp]") {
  Bytes image = build_mcuboot_image(spec_1_2_3_4());
  image[20] = 9;  // major
  const auto info = parse_mcuboot_image(image);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error() == McubootImageError::HashMismatch);
}

TEST_CASE("a wrong magic is rejected", "[smp]") {
  Bytes image = build_mcuboot_image(spec_1_2_3_4());
  image[0] = 0x3e;
  const auto info = parse_mcuboot_image(image);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error() == McubootImageError::BadMagic);
}

TEST_CASE("an image without a SHA-256 TLV is rejected", "[smp]") {
  Bytes image = build_mcuboot_image(spec_1_2_3_4());
  image[0x200 + 1000 + 4] = 0x11;  // TLV type 0x10 → 0x11
  const auto info = parse_mcuboot_image(image);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error() == McubootImageError::HashTlvMissing);
}

TEST_CASE("a wrong TLV info magic is rejected", "[smp]") {
  Bytes image = build_mcuboot_image(spec_1_2_3_4());
  image[0x200 + 1000] = 0x08;  // 0x6907 → 0x6908 where no protected area is declared
  const auto info = parse_mcuboot_image(image);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error() == McubootImageError::BadTlvInfo);
}

TEST_CASE("an hdr_size below the 32-byte header is rejected", "[smp]") {
  Bytes image = build_mcuboot_image(spec_1_2_3_4());
  image[8] = 0x10;  // hdr_size 0x0200 → 0x0010
  image[9] = 0x00;
  const auto info = parse_mcuboot_image(image);
  REQUIRE_FALSE(info.ok());
  CHECK(info.error() == McubootImageError::BadHeaderSize);
}

TEST_CASE("every truncation of an image is a typed error", "[smp]") {
  const Bytes image = build_mcuboot_image(spec_1_2_3_4());
  for (std::size_t n = 0; n < image.size(); ++n) {
    const auto info =
        parse_mcuboot_image(Bytes(image.begin(), image.begin() + static_cast<long>(n)));
    REQUIRE_FALSE(info.ok());
    if (n < 32) {
      CHECK(info.error() == McubootImageError::TruncatedHeader);
    } else if (n < 0x200 + 1000) {
      CHECK(info.error() == McubootImageError::TruncatedBody);
    } else {
      CHECK(info.error() == McubootImageError::BadTlvInfo);
    }
  }
}

TEST_CASE("random bytes behind a valid magic never crash the parser", "[smp]") {
  std::mt19937 rng(4);
  std::size_t rejected = 0;
  for (int round = 0; round < 3000; ++round) {
    Bytes bytes(std::uniform_int_distribution<std::size_t>(0, 700)(rng));
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
    if (bytes.size() >= 4) {
      bytes[0] = 0x3d, bytes[1] = 0xb8, bytes[2] = 0xf3, bytes[3] = 0x96;
    }
    if (bytes.size() >= 16 && round % 2 == 0) {
      // Small sizes so the parse reaches the TLV area more often.
      bytes[8] = 32, bytes[9] = 0, bytes[10] = 0, bytes[11] = 0;
      bytes[12] = static_cast<std::uint8_t>(rng() % 64), bytes[13] = 0, bytes[14] = 0,
      bytes[15] = 0;
    }
    if (!parse_mcuboot_image(bytes).ok()) ++rejected;
  }
  CHECK(rejected == 3000);
}

TEST_CASE("version text omits a zero build", "[smp]") {
  CHECK(ImageVersion{1, 2, 3, 0}.text() == "1.2.3");
  CHECK(ImageVersion{0, 0, 0, 0}.text() == "0.0.0");
  CHECK(ImageVersion{255, 255, 65535, 4294967295u}.text() == "255.255.65535.4294967295");
}

TEST_CASE("version text parses with the build after '.' or '+'", "[smp]") {
  CHECK(ImageVersion::parse("1.2.3") == ImageVersion{1, 2, 3, 0});
  CHECK(ImageVersion::parse("1.2.3.4") == ImageVersion{1, 2, 3, 4});
  CHECK(ImageVersion::parse("1.2.3+4") == ImageVersion{1, 2, 3, 4});
  for (const char* bad : {"", "1.2", "1.2.3.", "1.2.3+", "256.0.0", "1.2.65536", "1.2.3x",
                          "1.2.3.4.5", "-1.2.3", "1..3"}) {
    CHECK_FALSE(ImageVersion::parse(bad).has_value());
  }
}

TEST_CASE("versions order field by field", "[smp]") {
  CHECK(ImageVersion{1, 2, 3, 0} < ImageVersion{1, 10, 0, 0});
  CHECK(ImageVersion{1, 2, 3, 0} < ImageVersion{1, 2, 3, 1});
  CHECK(ImageVersion{2, 0, 0, 0} > ImageVersion{1, 255, 65535, 7});
}
