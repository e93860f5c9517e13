#include "hil/protocol/image_version.hpp"

#include <charconv>
#include <limits>

namespace fleetsim::hil {

namespace {

// Reads a decimal field no larger than `max` and the separator after it (0 at the end).
bool read_field(std::string_view& text, std::uint32_t max, std::uint32_t& value, char& next) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin == end || *begin < '0' || *begin > '9') return false;
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc{} || value > max) return false;
  text.remove_prefix(static_cast<std::size_t>(ptr - begin));
  next = text.empty() ? '\0' : text.front();
  if (!text.empty()) text.remove_prefix(1);
  return true;
}

}  // namespace

std::string ImageVersion::text() const {
  std::string out =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
  if (build != 0) out += "." + std::to_string(build);
  return out;
}

std::optional<ImageVersion> ImageVersion::parse(std::string_view text) {
  std::uint32_t major = 0, minor = 0, revision = 0, build = 0;
  char sep = '\0';
  if (!read_field(text, 0xFF, major, sep) || sep != '.') return std::nullopt;
  if (!read_field(text, 0xFF, minor, sep) || sep != '.') return std::nullopt;
  if (!read_field(text, 0xFFFF, revision, sep)) return std::nullopt;
  if (sep == '.' || sep == '+') {
    if (!read_field(text, std::numeric_limits<std::uint32_t>::max(), build, sep)) {
      return std::nullopt;
    }
  }
  if (sep != '\0') return std::nullopt;
  return ImageVersion{static_cast<std::uint8_t>(major), static_cast<std::uint8_t>(minor),
                      static_cast<std::uint16_t>(revision), build};
}

}  // namespace fleetsim::hil
