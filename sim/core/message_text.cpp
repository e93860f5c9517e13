#include "sim/core/message_text.hpp"

#include <cmath>
#include <sstream>

#include <nlohmann/json.hpp>

namespace fleetsim {

std::string quote(std::string_view s) {
  constexpr size_t kMax = 80;
  using Json = nlohmann::json;
  std::string text(s.substr(0, kMax));
  std::string out = Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > kMax) out.insert(out.size() - 1, "...");
  return out;
}

std::string join_quoted(const std::vector<std::string>& names, const char* last_sep) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? last_sep : ", ";
    out += quote(names[i]);
  }
  return out;
}

std::string number_text(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string percent_text(double fraction) { return number_text(std::round(fraction * 1e8) / 1e6) + "%"; }

size_t display_width(std::string_view utf8) {
  size_t n = 0;
  for (char c : utf8) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // not a continuation byte
  return n;
}

}  // namespace fleetsim
