#include "sim/core/problem.hpp"

namespace fleetsim {

std::string format_problems(const std::string& file, const std::vector<Problem>& problems) {
  std::string out;
  for (const Problem& p : problems)
    out += (p.origin.empty() ? file : p.origin) + ": " + (p.pointer.empty() ? "" : p.pointer + ": ") + p.message + "\n";
  return out;
}

std::string json_pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace fleetsim
