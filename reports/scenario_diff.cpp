#include "reports/scenario_diff.hpp"

#include "sim/core/problem.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

void diff(const Json& a, const Json& b, const std::string& at, std::vector<ScenarioDifference>& out) {
  if (a.is_object() && b.is_object()) {
    for (const auto& [key, va] : a.items()) {
      const auto in_b = b.find(key);
      if (in_b == b.end())
        out.push_back({at + "/" + json_pointer_token(key), value_text(va), "absent"});
      else
        diff(va, *in_b, at + "/" + json_pointer_token(key), out);
    }
    for (const auto& [key, vb] : b.items())
      if (!a.contains(key)) out.push_back({at + "/" + json_pointer_token(key), "absent", value_text(vb)});
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) diff(a[i], b[i], at + "/" + std::to_string(i), out);
    return;
  }
  // Numbers compare by value: 1 and 1.0 are the same number to the loader. Integers compare
  // exactly (as doubles, seeds above 2^53 one apart would be equal); as doubles only when one is
  // written as a float.
  if (a.is_number() && b.is_number() && (a.is_number_float() || b.is_number_float()) &&
      a.get<double>() == b.get<double>())
    return;
  if (a != b) out.push_back({at, value_text(a), value_text(b)});
}

std::string counted(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::vector<ScenarioDifference> scenario_differences(const Json& a, const Json& b) {
  std::vector<ScenarioDifference> out;
  diff(a, b, "", out);
  return out;
}

std::string value_text(const Json& v) {
  std::string text = v.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() <= kShownChars) return text;
  if (v.is_array()) return "[" + counted(v.size(), "item", "items") + "]";
  if (v.is_object()) return "{" + counted(v.size(), "field", "fields") + "}";
  size_t cut = kShownChars - 3;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  return text.substr(0, cut) + "...";
}

bool is_kernel_setting(const std::string& pointer) { return pointer == "/kernel" || pointer.rfind("/kernel/", 0) == 0; }

}  // namespace fleetsim
