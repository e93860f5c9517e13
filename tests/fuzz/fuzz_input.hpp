// How a fuzz target cuts one libFuzzer input into the parts a parser takes: the parts are
// separated by the line "--8<--" (text formats only; a binary target takes its input whole).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim::fuzz {

inline constexpr std::string_view kPartSeparator = "\n--8<--\n";

// Exactly `count` parts: the input's first count − 1 separators cut it; missing parts are "".
inline std::vector<std::string> split_parts(const std::uint8_t* data, std::size_t size, std::size_t count) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  while (parts.size() + 1 < count) {
    const std::size_t at = rest.find(kPartSeparator);
    if (at == std::string_view::npos) break;
    parts.emplace_back(rest.substr(0, at));
    rest.remove_prefix(at + kPartSeparator.size());
  }
  parts.emplace_back(rest);
  parts.resize(count);
  return parts;
}

}  // namespace fleetsim::fuzz
