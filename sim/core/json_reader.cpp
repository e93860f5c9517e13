#include "sim/core/json_reader.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim::json_reader {

std::string child(const std::string& ptr, std::string_view key) { return ptr + "/" + json_pointer_token(key); }
std::string child(const std::string& ptr, size_t index) { return ptr + "/" + std::to_string(index); }

void add(Problems& p, std::string ptr, std::string message) { p.push_back({std::move(ptr), std::move(message)}); }

std::string found(const Json& j) {
  switch (j.type()) {
    case Json::value_t::string: return "a string " + quote(j.get_ref<const std::string&>());
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float: return "a number " + j.dump();
    case Json::value_t::boolean: return j.get<bool>() ? "true" : "false";
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    default: return "a value of another kind";
  }
}

void Field::wrong_type(const std::string& expected) const {
  error("wrong type: got " + found(*j) + " (expected " + expected + ")");
}

std::string as_written(const Field& f) {
  return f.j->is_string() ? quote(f.j->get_ref<const std::string&>()) : f.j->dump();
}

Obj::Obj(Problems& p, const Json* j, std::string ptr, std::vector<std::string> keys)
    : p_(p), ptr_(std::move(ptr)), keys_(std::move(keys)) {
  if (!j) return;
  if (!j->is_object()) {
    add(p_, ptr_, "wrong type: got " + found(*j) + " (expected an object)");
    return;
  }
  j_ = j;
  for (const auto& [k, v] : j->items()) {
    if (std::find(keys_.begin(), keys_.end(), k) == keys_.end())
      add(p_, child(ptr_, k), "unknown key " + quote(k) + suggestion(k, keys_, "expected one of "));
  }
}

Field Obj::operator[](std::string_view k) const {
  const Json* v = nullptr;
  if (j_) {
    auto it = j_->find(k);
    if (it != j_->end()) v = &*it;
  }
  return Field{p_, v, child(ptr_, k)};
}

Field Obj::required(std::string_view k, const std::string& expected) const {
  Field f = (*this)[k];
  if (j_ && !f.j) f.error("missing required key " + quote(k) + " (expected " + expected + ")");
  return f;
}

std::optional<std::string> text(const Field& f, bool allow_empty) {
  if (!f.j) return std::nullopt;
  if (!f.j->is_string()) {
    f.wrong_type("a string");
    return std::nullopt;
  }
  const auto& s = f.j->get_ref<const std::string&>();
  if (s.empty() && !allow_empty) {
    f.error("empty string (expected a non-empty string)");
    return std::nullopt;
  }
  return s;
}

namespace {

std::string range_text(int64_t min, int64_t max) {
  if (max == kMaxInt) return "an integer ≥ " + std::to_string(min);
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

std::optional<int64_t> integer(const Field& f, int64_t min, int64_t max) {
  if (!f.j) return std::nullopt;
  const std::string expected = range_text(min, max);
  if (!f.j->is_number()) {
    f.wrong_type(expected);
    return std::nullopt;
  }
  int64_t v = 0;
  if (f.j->is_number_unsigned()) {
    uint64_t u = f.j->get<uint64_t>();
    if (u > uint64_t(max)) {
      f.error(f.j->dump() + " is too large (expected " + expected + ")");
      return std::nullopt;
    }
    v = int64_t(u);
  } else if (f.j->is_number_integer()) {
    v = f.j->get<int64_t>();
  } else {
    double d = f.j->get<double>();
    // 2e6 is a whole number written in exponent form; accept it.
    if (!std::isfinite(d) || std::floor(d) != d) {
      f.error(f.j->dump() + " is not a whole number (expected " + expected + ")");
      return std::nullopt;
    }
    if (d < -9.2e18 || d > 9.2e18) {
      f.error(f.j->dump() + " is too large (expected " + expected + ")");
      return std::nullopt;
    }
    v = int64_t(d);
  }
  if (v < min) {
    bool negative = v < 0 && min >= 0;
    f.error(std::to_string(v) + (negative ? " is negative" : " is too small") + " (expected " + expected + ")");
    return std::nullopt;
  }
  if (v > max) {
    f.error(std::to_string(v) + " is too large (expected " + expected + ")");
    return std::nullopt;
  }
  return v;
}

std::string Range::describe() const {
  if (max == kInf) return std::string("a number ") + (min_exclusive ? "> " : "≥ ") + number_text(min);
  return "a number from " + number_text(min) + " to " + number_text(max);
}

std::optional<double> number(const Field& f, Range r) {
  if (!f.j) return std::nullopt;
  if (!f.j->is_number()) {
    f.wrong_type(r.describe());
    return std::nullopt;
  }
  double v = f.j->get<double>();
  if (!r.contains(v)) {
    f.error(f.j->dump() + " is out of range (expected " + r.describe() + ")");
    return std::nullopt;
  }
  return v;
}

std::optional<bool> boolean(const Field& f) {
  if (!f.j) return std::nullopt;
  if (!f.j->is_boolean()) {
    f.wrong_type("true or false");
    return std::nullopt;
  }
  return f.j->get<bool>();
}

std::optional<std::string> reference(const Field& f, const char* noun, const std::vector<std::string>& defined) {
  auto s = text(f);
  if (!s) return s;
  if (std::find(defined.begin(), defined.end(), *s) != defined.end()) return s;
  f.error(std::string("undefined ") + noun + " " + quote(*s) + suggestion(*s, defined, "defined: "));
  return std::nullopt;
}

bool count_within(const Field& f, size_t max, const char* noun) {
  if (!f.j || !(f.j->is_array() || f.j->is_object()) || f.j->size() <= max) return true;
  f.error(std::to_string(f.j->size()) + " " + noun + " (expected at most " + std::to_string(max) + ")");
  return false;
}

std::vector<std::string> string_list(const Field& f, const char* expected) {
  std::vector<std::string> out;
  for_each_element(f, [&](const Field& e, size_t) {
    if (auto s = text(e)) out.push_back(*s);
  }, expected);
  return out;
}

}  // namespace fleetsim::json_reader
