// MCUboot image version (major.minor.revision+build), as stored in the image header and as
// reported in SMP state read ("version": text).
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fleetsim::hil {

struct ImageVersion {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
  std::uint16_t revision = 0;
  std::uint32_t build = 0;

  // "major.minor.revision", plus ".build" when build ≠ 0 — the text Zephyr's state read sends.
  std::string text() const;
  // Accepts "1.2.3", "1.2.3.4" and "1.2.3+4" (the build number after '.' or '+'); std::nullopt
  // on anything else, including fields out of range.
  static std::optional<ImageVersion> parse(std::string_view text);

  // Field by field, build included (MCUboot's downgrade check ignores build; callers that need
  // that compare the first three fields).
  friend auto operator<=>(const ImageVersion&, const ImageVersion&) = default;
};

}  // namespace fleetsim::hil
