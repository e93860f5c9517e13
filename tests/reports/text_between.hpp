// Finding pieces of generated text in tests (plain searches: std::regex draws false
// -Wmaybe-uninitialized warnings from GCC 12 in the sanitizer build).
#pragma once

#include <string>
#include <vector>

namespace fleetsim::testing {

// Every piece of `text` that follows `before` and ends at the next `after`, in order.
inline std::vector<std::string> all_between(const std::string& text, const std::string& before,
                                            const std::string& after) {
  std::vector<std::string> out;
  for (size_t at = text.find(before); at != std::string::npos; at = text.find(before, at + 1)) {
    const size_t from = at + before.size(), to = text.find(after, from);
    if (to == std::string::npos) break;
    out.push_back(text.substr(from, to - from));
  }
  return out;
}

}  // namespace fleetsim::testing
