#include "hil/protocol/cbor_nesting_guard.hpp"

#include <vector>

namespace fleetsim::hil {

namespace {

constexpr std::uint64_t kIndefinite = ~std::uint64_t{0};

}  // namespace

bool cbor_nesting_exceeds(std::span<const std::uint8_t> bytes, std::size_t max_depth) {
  // Items still expected by each open container (kIndefinite: until a 0xFF break).
  std::vector<std::uint64_t> open;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::uint8_t initial = bytes[pos++];
    if (initial == 0xFF) {
      if (open.empty() || open.back() != kIndefinite) return false;
      open.pop_back();
    } else {
      const int major = initial >> 5;
      const int info = initial & 0x1F;
      std::uint64_t argument = static_cast<std::uint64_t>(info);
      bool indefinite = false;
      if (info >= 24 && info <= 27) {
        const std::size_t width = std::size_t{1} << (info - 24);
        if (bytes.size() - pos < width) return false;
        argument = 0;
        for (std::size_t i = 0; i < width; ++i) argument = (argument << 8) | bytes[pos++];
      } else if (info == 31) {
        indefinite = true;
      } else if (info > 27) {
        return false;
      }
      if (major == 6) {  // a tag wraps the next item; the decoder recurses for it too
        open.push_back(1);
        if (open.size() > max_depth) return true;
        continue;
      }
      if (indefinite && (major == 2 || major == 3 || major == 4 || major == 5)) {
        open.push_back(kIndefinite);
        if (open.size() > max_depth) return true;
        continue;
      }
      if (indefinite) return false;  // 0xFF handled above; other indefinite heads are malformed
      if (major == 2 || major == 3) {
        if (bytes.size() - pos < argument) return false;
        pos += static_cast<std::size_t>(argument);
      } else if ((major == 4 || major == 5) && argument != 0) {
        // A count larger than the bytes left cannot be met, yet the decoder still parses items
        // until the data runs out (and reads 0xFFFFFFFFFFFFFFFF as indefinite), so such a
        // container is counted as open-ended.
        open.push_back(argument > bytes.size() ? kIndefinite
                                               : (major == 5 ? argument * 2 : argument));
        if (open.size() > max_depth) return true;
        continue;
      }
    }
    // One item completed: count it against its container, closing finished ones.
    while (!open.empty() && open.back() != kIndefinite) {
      if (--open.back() != 0) break;
      open.pop_back();
    }
  }
  return false;
}

}  // namespace fleetsim::hil
