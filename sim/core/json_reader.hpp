// Reading a parsed JSON document into typed values while collecting every problem with its JSON
// pointer (sim/core/problem.hpp): wrong types, values out of range, unknown keys with a
// "did you mean", missing required keys, each with "(expected …)". Used by the scenario loader
// (sim/scenario) and the boards inventory (hil/board), so that both word their problems alike.
//
// A reader takes a Field (where a value is and where to report) and returns std::nullopt after
// reporting, so that one pass over a document reports everything wrong with it.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/core/did_you_mean.hpp"
#include "sim/core/message_text.hpp"
#include "sim/core/problem.hpp"

namespace fleetsim::json_reader {

using Json = nlohmann::ordered_json;
using Problems = std::vector<Problem>;

constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

// The pointer of a member or an element below `ptr`.
std::string child(const std::string& ptr, std::string_view key);
std::string child(const std::string& ptr, size_t index);

void add(Problems& p, std::string ptr, std::string message);

// Assigns `v` when it was read, keeping `target`'s default otherwise.
template <class T>
void set(T& target, const std::optional<T>& v) {
  if (v) target = *v;
}

// "a string \"x\"", "a number 30", "an object": what was found, for wrong-type messages.
std::string found(const Json& j);

// One value to read: where it is and the problem list to report to. `j` is null when absent.
struct Field {
  Problems& p;
  const Json* j;
  std::string ptr;

  void error(std::string message) const { add(p, ptr, std::move(message)); }
  void wrong_type(const std::string& expected) const;
};

// A value shown as written, for "p95 \"50kbps\" is not above the median \"60kbps\"".
std::string as_written(const Field& f);

// An object whose keys are checked against `keys` on construction; unknown keys are reported
// with a suggestion. An absent object is valid-but-empty (every lookup yields an absent field).
class Obj {
 public:
  Obj(Problems& p, const Json* j, std::string ptr, std::vector<std::string> keys);
  Obj(const Field& f, std::vector<std::string> keys) : Obj(f.p, f.j, f.ptr, std::move(keys)) {}

  bool valid() const { return j_ != nullptr; }
  const std::string& ptr() const { return ptr_; }
  bool has(std::string_view k) const { return j_ && j_->contains(k); }

  Field operator[](std::string_view k) const;
  // As operator[], reporting the key as missing when the object exists without it.
  Field required(std::string_view k, const std::string& expected) const;

 private:
  Problems& p_;
  const Json* j_ = nullptr;
  std::string ptr_;
  std::vector<std::string> keys_;
};

// A string; an empty one is a problem unless `allow_empty`.
std::optional<std::string> text(const Field& f, bool allow_empty = false);

// A whole number in [min, max]; 2e6 counts as whole.
std::optional<int64_t> integer(const Field& f, int64_t min, int64_t max = kMaxInt);

struct Range {
  double min = -kInf;
  bool min_exclusive = false;
  double max = kInf;
  std::string describe() const;
  bool contains(double v) const { return (min_exclusive ? v > min : v >= min) && v <= max; }
};

std::optional<double> number(const Field& f, Range r);

std::optional<bool> boolean(const Field& f);

template <class T>
using Choices = std::vector<std::pair<std::string, T>>;

// One of the named `options` ("unknown `noun` \"x\" (did you mean …)").
template <class T>
std::optional<T> choice(const Field& f, const char* noun, const Choices<T>& options) {
  if (!f.j) return std::nullopt;
  std::vector<std::string> names;
  for (const auto& o : options) names.push_back(o.first);
  if (!f.j->is_string()) {
    f.wrong_type(join_quoted(names));
    return std::nullopt;
  }
  const auto& s = f.j->get_ref<const std::string&>();
  for (const auto& [name, value] : options)
    if (name == s) return value;
  f.error(std::string("unknown ") + noun + " " + quote(s) + suggestion(s, names));
  return std::nullopt;
}

// A name that must be one of `defined` ("undefined region \"us-east\" (did you mean …)").
std::optional<std::string> reference(const Field& f, const char* noun, const std::vector<std::string>& defined);

// False after reporting "N <noun> (expected at most `max`)" when `f` is an array or object with
// more than `max` entries; bounds what a document can make the program allocate.
bool count_within(const Field& f, size_t max, const char* noun);

// Calls `each(Field, index)` for every element; reports a non-array.
template <class F>
void for_each_element(const Field& f, F each, const char* expected = "an array") {
  if (!f.j) return;
  if (!f.j->is_array()) {
    f.wrong_type(expected);
    return;
  }
  for (size_t i = 0; i < f.j->size(); ++i) each(Field{f.p, &(*f.j)[i], child(f.ptr, i)}, i);
}

// Calls `each(name, Field)` for every member; reports a non-object.
template <class F>
void for_each_member(const Field& f, F each, const char* expected = "an object") {
  if (!f.j) return;
  if (!f.j->is_object()) {
    f.wrong_type(expected);
    return;
  }
  for (const auto& [k, v] : f.j->items()) each(k, Field{f.p, &v, child(f.ptr, k)});
}

// An array of non-empty strings; `expected` names it in the wrong-type message.
std::vector<std::string> string_list(const Field& f, const char* expected = "an array of strings");

}  // namespace fleetsim::json_reader
