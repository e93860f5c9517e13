// Scenario and device-model validation: JSON (already parsed) -> typed Scenario / DeviceModel,
// collecting every problem with the JSON pointer where it is.
#include "sim/scenario/device_model_catalog.hpp"
#include "sim/scenario/scenario_loader.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "sim/scenario/local_time.hpp"
#include "sim/kernel/network_models.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {
namespace {

using Json = nlohmann::ordered_json;
using Problems = std::vector<Problem>;

// Larger cohorts cannot be simulated in memory anyway; the cap keeps device counts far from
// int64 overflow however many cohorts there are.
constexpr int64_t kMaxCohortCount = 1'000'000'000;
constexpr int64_t kMaxInt = std::numeric_limits<int64_t>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---------------------------------------------------------------------------------------------
// Messages

std::string child(const std::string& ptr, std::string_view key) { return ptr + "/" + json_pointer_token(key); }
std::string child(const std::string& ptr, size_t index) { return ptr + "/" + std::to_string(index); }

// JSON-quoted, shortened: user text can be arbitrarily long or not valid UTF-8.
std::string quote(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string text(s.substr(0, kMax));
  std::string out = Json(text).dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > kMax) out.insert(out.size() - 1, "...");
  return out;
}

std::string number_text(double v) {
  std::ostringstream os;
  os.precision(10);
  os << v;
  return os.str();
}

std::string percent_text(double fraction) { return number_text(std::round(fraction * 1e8) / 1e6) + "%"; }

// "a string \"x\"", "a number 30", "an object": what was found, for wrong-type messages.
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

std::string join_quoted(const std::vector<std::string>& names, const char* last_sep = " or ") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? last_sep : ", ";
    out += quote(names[i]);
  }
  return out;
}

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("rtt"/"rrt").
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  // Nobody mistypes a 200-character name, and the distance is quadratic in the lengths.
  if (word.size() > 200) return std::nullopt;
  std::optional<std::string> best;
  size_t best_d = 0;
  for (const auto& c : candidates) {
    if (c.size() > 200) continue;
    size_t d = edit_distance(word, c);
    size_t allowed = std::max<size_t>(2, c.size() / 3);
    if (d == 0 || d > allowed || d >= c.size()) continue;
    if (!best || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

// " (did you mean \"x\"?)", else " (expected <alternatives>)" when there are few, else "".
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       const std::string& expected_prefix = "expected ") {
  if (auto c = closest(word, candidates)) return " (did you mean " + quote(*c) + "?)";
  if (candidates.empty()) return "";
  if (candidates.size() <= 16) return " (" + expected_prefix + join_quoted(candidates) + ")";
  return "";
}

constexpr size_t kMaxWaves = 254;
constexpr double kMaxImageBytes = 4294967296.0;

void add(Problems& p, std::string ptr, std::string message) {
  p.push_back({std::move(ptr), std::move(message)});
}

// ---------------------------------------------------------------------------------------------
// Reading values

// One value to read: where it is and the problem list to report to. `j` is null when absent.
struct Field {
  Problems& p;
  const Json* j;
  std::string ptr;

  bool present() const { return j != nullptr; }
  void error(std::string message) const { add(p, ptr, std::move(message)); }
  void wrong_type(const std::string& expected) const {
    error("wrong type: got " + found(*j) + " (expected " + expected + ")");
  }
};

// An object whose keys are checked against `keys` on construction; unknown keys are reported
// with a suggestion. An absent object is valid-but-empty (every lookup yields an absent field).
class Obj {
 public:
  Obj(Problems& p, const Json* j, std::string ptr, std::vector<std::string> keys)
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
  Obj(const Field& f, std::vector<std::string> keys) : Obj(f.p, f.j, f.ptr, std::move(keys)) {}

  bool valid() const { return j_ != nullptr; }
  const std::string& ptr() const { return ptr_; }
  Problems& problems() const { return p_; }
  bool has(std::string_view k) const { return j_ && j_->contains(k); }

  Field operator[](std::string_view k) const {
    const Json* v = nullptr;
    if (j_) {
      auto it = j_->find(k);
      if (it != j_->end()) v = &*it;
    }
    return Field{p_, v, child(ptr_, k)};
  }
  // As operator[], reporting the key as missing when the object exists without it.
  Field required(std::string_view k, const std::string& expected) const {
    Field f = (*this)[k];
    if (j_ && !f.j) f.error("missing required key " + quote(k) + " (expected " + expected + ")");
    return f;
  }

 private:
  Problems& p_;
  const Json* j_ = nullptr;
  std::string ptr_;
  std::vector<std::string> keys_;
};

std::optional<std::string> text(const Field& f, bool allow_empty = false) {
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

std::string range_text(int64_t min, int64_t max) {
  if (max == kMaxInt) return "an integer ≥ " + std::to_string(min);
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

std::optional<int64_t> integer(const Field& f, int64_t min, int64_t max = kMaxInt) {
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

struct Range {
  double min = -kInf;
  bool min_exclusive = false;
  double max = kInf;
  std::string describe() const {
    if (max == kInf) return std::string("a number ") + (min_exclusive ? "> " : "≥ ") + number_text(min);
    return "a number from " + number_text(min) + " to " + number_text(max);
  }
  bool contains(double v) const { return (min_exclusive ? v > min : v >= min) && v <= max; }
};

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

// A string with a unit. `noun` names the kind ("a duration") and `hint` is the units hint
// ("expected a duration like …").
template <class Q>
std::optional<Q> with_unit(const Field& f, std::optional<Q> (*parse)(std::string_view), const char* noun,
                           const char* hint) {
  if (!f.j) return std::nullopt;
  if (f.j->is_number()) {
    f.error(f.j->dump() + " is a bare number (a string with a unit is needed; " + hint + ")");
    return std::nullopt;
  }
  if (!f.j->is_string()) {
    f.error("wrong type: got " + found(*f.j) + " (" + hint + ")");
    return std::nullopt;
  }
  const auto& s = f.j->get_ref<const std::string&>();
  auto v = parse(s);
  if (!v) f.error(quote(s) + " is not " + noun + " (" + hint + ")");
  return v;
}

enum class Min { Zero, AboveZero };

template <class Q>
std::optional<Q> check_positive(const Field& f, std::optional<Q> v, Min min, const char* noun) {
  if (v && min == Min::AboveZero && v->value <= 0) {
    f.error(quote(f.j->get_ref<const std::string&>()) + " is zero (expected " + noun + " above zero)");
    return std::nullopt;
  }
  return v;
}

std::optional<Seconds> duration(const Field& f, Min min = Min::Zero) {
  return check_positive(f, with_unit(f, &units::parse_duration, "a duration", units::kDurationHint), min,
                        "a duration");
}
std::optional<Bytes> size(const Field& f) {
  return check_positive(f, with_unit(f, &units::parse_size, "a size", units::kSizeHint), Min::AboveZero,
                        "a size");
}
std::optional<BytesPerSecond> rate(const Field& f, Min min = Min::AboveZero) {
  return check_positive(f, with_unit(f, &units::parse_rate, "a rate", units::kRateHint), min, "a rate");
}
std::optional<PerSecond> per_second(const Field& f) {
  return check_positive(f, with_unit(f, &units::parse_per_second, "a per-second rate", units::kPerSecondHint),
                        Min::AboveZero, "a rate");
}

// A fraction without the [0,1] check ("150%" -> 1.5), so that callers can say "above 100%".
std::optional<double> unbounded_fraction(const Field& f) {
  if (!f.j) return std::nullopt;
  if (f.j->is_number()) return f.j->get<double>();
  if (!f.j->is_string()) {
    f.error("wrong type: got " + found(*f.j) + " (" + units::kFractionHint + ")");
    return std::nullopt;
  }
  const auto& s = f.j->get_ref<const std::string&>();
  if (auto v = units::parse_fraction(s)) return v;
  if (s.size() > 1 && s.back() == '%') {
    double v = 0;
    const char* end = s.data() + s.size() - 1;
    auto [ptr, ec] = std::from_chars(s.data(), end, v);
    if (ec == std::errc() && ptr == end && std::isfinite(v)) return v / 100.0;
  }
  f.error(quote(s) + " is not a fraction (" + units::kFractionHint + ")");
  return std::nullopt;
}

std::optional<double> fraction(const Field& f) {
  auto v = unbounded_fraction(f);
  if (!v) return v;
  if (*v < 0 || *v > 1) {
    std::string shown = f.j->is_string() ? quote(f.j->get_ref<const std::string&>()) : f.j->dump();
    const char* limit = f.j->is_string() ? " is above 100%" : " is above 1";
    f.error(shown + (*v < 0 ? " is negative" : limit) + " (" + units::kFractionHint + ")");
    return std::nullopt;
  }
  return v;
}

template <class T>
using Choices = std::vector<std::pair<std::string, T>>;

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
std::optional<std::string> reference(const Field& f, const char* noun, const std::vector<std::string>& defined) {
  auto s = text(f);
  if (!s) return s;
  if (std::find(defined.begin(), defined.end(), *s) != defined.end()) return s;
  f.error(std::string("undefined ") + noun + " " + quote(*s) + suggestion(*s, defined, "defined: "));
  return std::nullopt;
}

// Calls `each(Field)` for every element; reports a non-array.
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

std::vector<std::string> string_list(const Field& f) {
  std::vector<std::string> out;
  for_each_element(f, [&](const Field& e, size_t) {
    if (auto s = text(e)) out.push_back(*s);
  }, "an array of strings");
  return out;
}

// ---------------------------------------------------------------------------------------------
// Distributions

enum class Unit { Duration, Rate, Fraction };

std::optional<double> unit_value(const Field& f, Unit u) {
  switch (u) {
    case Unit::Duration: {
      auto v = duration(f);
      return v ? std::optional<double>(v->value) : std::nullopt;
    }
    case Unit::Rate: {
      auto v = rate(f, Min::Zero);
      return v ? std::optional<double>(v->value) : std::nullopt;
    }
    case Unit::Fraction: return fraction(f);
  }
  return std::nullopt;
}

// Shows a value as written, for "p95 \"50kbps\" is not above the median \"60kbps\"".
std::string as_written(const Field& f) {
  return f.j->is_string() ? quote(f.j->get_ref<const std::string&>()) : f.j->dump();
}

std::optional<Distribution> distribution(const Field& f, Unit u) {
  if (!f.j) return std::nullopt;
  if (!f.j->is_object()) {
    auto v = unit_value(f, u);
    return v ? std::optional(Distribution::fixed(*v)) : std::nullopt;
  }
  static const Choices<Distribution::Kind> kinds = {{"fixed", Distribution::Kind::Fixed},
                                                    {"uniform", Distribution::Kind::Uniform},
                                                    {"normal", Distribution::Kind::Normal},
                                                    {"lognormal", Distribution::Kind::LogNormal},
                                                    {"exponential", Distribution::Kind::Exponential}};
  auto kind_it = f.j->find("dist");
  if (kind_it == f.j->end()) {
    // Check keys against the union so that typos are still named.
    Obj o(f, {"dist", "value", "min", "max", "mean", "stddev", "median", "p95"});
    o.required("dist", "\"fixed\", \"uniform\", \"normal\", \"lognormal\" or \"exponential\"");
    return std::nullopt;
  }
  auto kind = choice(Field{f.p, &*kind_it, child(f.ptr, "dist")}, "distribution", kinds);
  if (!kind) return std::nullopt;
  using K = Distribution::Kind;
  switch (*kind) {
    case K::Fixed: {
      Obj o(f, {"dist", "value"});
      auto v = unit_value(o.required("value", "the fixed value"), u);
      return v ? std::optional(Distribution::fixed(*v)) : std::nullopt;
    }
    case K::Uniform: {
      Obj o(f, {"dist", "min", "max"});
      auto lo = unit_value(o.required("min", "the lower bound"), u);
      Field max_field = o.required("max", "the upper bound");
      auto hi = unit_value(max_field, u);
      if (!lo || !hi) return std::nullopt;
      if (*hi < *lo) {
        max_field.error("max " + as_written(max_field) + " is below min (expected max ≥ min)");
        return std::nullopt;
      }
      return Distribution::uniform(*lo, *hi);
    }
    case K::Normal: {
      Obj o(f, {"dist", "mean", "stddev"});
      auto mean = unit_value(o.required("mean", "the mean"), u);
      auto sd = unit_value(o.required("stddev", "the standard deviation"), u);
      if (!mean || !sd) return std::nullopt;
      return Distribution::normal(*mean, *sd);
    }
    case K::LogNormal: {
      Obj o(f, {"dist", "median", "p95"});
      Field median_field = o.required("median", "the median");
      Field p95_field = o.required("p95", "the 95th percentile");
      auto median = unit_value(median_field, u);
      auto p95 = unit_value(p95_field, u);
      if (!median || !p95) return std::nullopt;
      if (*median <= 0) {
        median_field.error("median " + as_written(median_field) + " is zero (expected a median above zero)");
        return std::nullopt;
      }
      if (*p95 <= *median) {
        p95_field.error("p95 " + as_written(p95_field) + " is not above the median " + as_written(median_field) +
                        " (expected p95 > median)");
        return std::nullopt;
      }
      return Distribution::lognormal_median_p95(*median, *p95);
    }
    case K::Exponential: {
      Obj o(f, {"dist", "mean"});
      Field mean_field = o.required("mean", "the mean");
      auto mean = unit_value(mean_field, u);
      if (!mean) return std::nullopt;
      if (*mean <= 0) {
        mean_field.error("mean " + as_written(mean_field) + " is zero (expected a mean above zero)");
        return std::nullopt;
      }
      return Distribution::exponential(*mean);
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Device models

// Every parameter path a "sources" entry may document.
const std::vector<std::string>& parameter_paths() {
  static const std::vector<std::string> paths = {
      "link.type", "link.downlink", "link.rtt", "link.flakiness.mean_good", "link.flakiness.mean_bad",
      "link.flakiness.bad_state", "link.resume", "storage.layout", "storage.flash_write_rate",
      "phases.verify", "phases.install", "phases.reboot", "phases.health_check", "failures.corruption",
      "failures.install_failure", "failures.power_loss_per_hour", "behaviour.notification",
      "behaviour.poll_interval", "behaviour.poll_jitter", "behaviour.retry.max_attempts",
      "behaviour.retry.backoff_base", "behaviour.retry.backoff_cap", "behaviour.retry.jitter",
      "behaviour.battery.level", "behaviour.battery.threshold", "behaviour.battery.recharge"};
  return paths;
}

template <class T>
void set(T& target, const std::optional<T>& v) {
  if (v) target = *v;
}

std::optional<DeviceModel> device_model(const Field& f) {
  if (!f.j) return std::nullopt;
  const size_t before = f.p.size();
  DeviceModel m;
  Obj o(f, {"name", "description", "link", "storage", "phases", "failures", "behaviour", "sources"});
  if (!o.valid()) return std::nullopt;
  set(m.name, text(o["name"]));
  set(m.description, text(o["description"], true));

  Obj link(o.required("link", "an object with \"type\" and \"downlink\""),
           {"type", "downlink", "rtt", "flakiness", "resume"});
  static const Choices<LinkType> link_types = {{"nb-iot", LinkType::NbIot},   {"lte-m", LinkType::LteM},
                                               {"lte", LinkType::Lte},        {"wifi", LinkType::Wifi},
                                               {"ethernet", LinkType::Ethernet}, {"lorawan", LinkType::LoRaWan},
                                               {"ble", LinkType::Ble}};
  set(m.link_type, choice(link.required("type", "a link type such as \"nb-iot\" or \"wifi\""), "link type",
                          link_types));
  set(m.downlink, distribution(link.required("downlink", "a rate like \"60kbps\" or a rate distribution"),
                               Unit::Rate));
  m.rtt = Distribution::fixed(0.1);
  set(m.rtt, distribution(link["rtt"], Unit::Duration));
  Obj flaky(link["flakiness"], {"mean_good", "mean_bad", "bad_state"});
  set(m.mean_good, duration(flaky.required("mean_good", "a duration like \"2h\""), Min::AboveZero));
  set(m.mean_bad, duration(flaky.required("mean_bad", "a duration like \"5m\""), Min::AboveZero));
  set(m.bad_state, choice(flaky["bad_state"], "bad-state behaviour",
                          Choices<BadLinkBehaviour>{{"stall", BadLinkBehaviour::Stall},
                                                    {"drop", BadLinkBehaviour::Drop}}));
  set(m.resume, boolean(link["resume"]));

  Obj storage(o.required("storage", "an object with \"layout\""), {"layout", "flash_write_rate"});
  set(m.storage, choice(storage.required("layout", "\"ab\" or \"single\""), "storage layout",
                        Choices<StorageLayout>{{"ab", StorageLayout::AB}, {"single", StorageLayout::Single}}));
  set(m.flash_write_rate, rate(storage["flash_write_rate"]));

  Obj phases(o["phases"], {"verify", "install", "reboot", "health_check"});
  set(m.verify, distribution(phases["verify"], Unit::Duration));
  set(m.install, distribution(phases["install"], Unit::Duration));
  set(m.reboot, distribution(phases["reboot"], Unit::Duration));
  set(m.health_check, distribution(phases["health_check"], Unit::Duration));

  Obj failures(o["failures"], {"corruption", "install_failure", "power_loss_per_hour"});
  set(m.corruption, fraction(failures["corruption"]));
  set(m.install_failure, fraction(failures["install_failure"]));
  set(m.power_loss_per_hour, fraction(failures["power_loss_per_hour"]));

  Obj behaviour(o["behaviour"], {"notification", "poll_interval", "poll_jitter", "retry", "battery"});
  set(m.notification, choice(behaviour["notification"], "notification",
                             Choices<Notification>{{"poll", Notification::Poll}, {"push", Notification::Push}}));
  auto interval = duration(behaviour["poll_interval"], Min::AboveZero);
  set(m.poll_interval, interval);
  Field jitter_field = behaviour["poll_jitter"];
  auto jitter = duration(jitter_field);
  if (jitter && *jitter >= m.poll_interval && (interval || !behaviour.has("poll_interval"))) {
    jitter_field.error("poll_jitter " + as_written(jitter_field) + " is not below poll_interval " +
                       units::format_duration(m.poll_interval) + " (expected jitter < interval)");
  } else {
    set(m.poll_jitter, jitter);
  }
  Obj retry(behaviour["retry"], {"max_attempts", "backoff_base", "backoff_cap", "jitter"});
  // A device counts its attempts in one byte.
  if (auto v = integer(retry["max_attempts"], 1, 255)) m.retry_max_attempts = int(*v);
  auto base = duration(retry["backoff_base"]);
  set(m.backoff_base, base);
  Field cap_field = retry["backoff_cap"];
  auto cap = duration(cap_field);
  if (cap && *cap < m.backoff_base && (base || !retry.has("backoff_base"))) {
    cap_field.error("backoff_cap " + as_written(cap_field) + " is below backoff_base " +
                    units::format_duration(m.backoff_base) + " (expected cap ≥ base)");
  } else {
    set(m.backoff_cap, cap);
  }
  set(m.backoff_jitter, fraction(retry["jitter"]));
  Obj battery(behaviour["battery"], {"level", "threshold", "recharge"});
  if (battery.valid()) {
    m.has_battery = true;
    set(m.battery_level, distribution(battery.required("level", "a fraction or a fraction distribution"),
                                      Unit::Fraction));
    set(m.battery_threshold, fraction(battery.required("threshold", "a fraction like \"20%\"")));
    set(m.recharge, distribution(battery.required("recharge", "a duration or a duration distribution"),
                                 Unit::Duration));
  }

  for_each_member(o["sources"], [&](const std::string& key, const Field& source) {
    if (std::find(parameter_paths().begin(), parameter_paths().end(), key) == parameter_paths().end()) {
      source.error("unknown parameter " + quote(key) + suggestion(key, parameter_paths(), "expected one of "));
      return;
    }
    if (auto s = text(source)) m.sources[key] = *s;
  }, "an object mapping parameter paths to sources");

  if (f.p.size() != before) return std::nullopt;
  return m;
}

// ---------------------------------------------------------------------------------------------
// Scenario sections

const std::vector<std::string> kTopLevelKeys = {
    "$schema", "name",     "description", "seed",     "start",  "duration",  "output", "device_models",
    "regions", "platform", "fleet",       "firmware", "rollout", "faults", "assertions", "kernel", "hil"};


bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The "hil" section; needs the rollout and cohorts read first.
std::optional<HilBinding> read_hil(const Field& f, const std::string& file, const Rollout& rollout,
                                   const std::vector<std::string>& cohort_names) {
  if (!f.j) return std::nullopt;
  Obj o(f, {"image", "boards_in", "pace", "impair"});
  if (!o.valid()) return std::nullopt;
  HilBinding h;
  if (auto image = text(o.required("image", "the path of the MCUboot image the boards are flashed with"))) {
    h.image = *image;
    std::filesystem::path path(*image);
    if (path.is_relative()) path = std::filesystem::path(file).parent_path() / path;
    h.image_path = path.lexically_normal().string();
  }
  h.boards_in = "wave:0";
  Field scope = o["boards_in"];
  if (auto t = text(scope)) {
    h.boards_in = *t;
    const std::string expected = " (expected \"wave:N\" with N a wave index, or \"cohort:NAME\")";
    if (starts_with(*t, "wave:")) {
      const std::string n = t->substr(5);
      int wave = -1;
      const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), wave);
      const int waves = rollout.strategy == Strategy::Waves ? int(rollout.waves.size()) : 1;
      if (ec != std::errc() || end != n.data() + n.size() || wave < 0)
        scope.error(quote(*t) + " does not name a wave" + expected);
      else if (wave >= waves && waves > 0)  // no waves at all is reported under /rollout
        scope.error("wave " + std::to_string(wave) + " does not exist (expected 0 to " + std::to_string(waves - 1) +
                    (rollout.strategy == Strategy::Waves ? "" : "; an all-at-once rollout is wave 0") + ")");
      else h.wave = wave;
    } else if (starts_with(*t, "cohort:")) {
      const std::string name = t->substr(7);
      if (std::find(cohort_names.begin(), cohort_names.end(), name) == cohort_names.end())
        scope.error("unknown cohort " + quote(name) + suggestion(name, cohort_names));
      else h.cohort = name;
    } else {
      scope.error(quote(*t) + " is not a device scope" + expected);
    }
  } else if (!scope.j) {
    h.wave = 0;
  }
  set(h.pace, number(o["pace"], Range{0, true, 1e6}));
  set(h.impair, boolean(o["impair"]));
  return h;
}


class ScenarioReader {
 public:
  ScenarioReader(Problems& p, const Json& doc) : p_(p), doc_(doc) {}

  std::optional<Scenario> read(const std::string& file) {
    s_.file = file;
    Obj top(p_, &doc_, "", kTopLevelKeys);
    if (!top.valid()) return std::nullopt;
    set(s_.name, text(top.required("name", "a string naming the scenario")));
    (void)text(top["description"], true);
    (void)text(top["$schema"], true);
    if (auto seed = integer(top["seed"], 0)) s_.seed = uint64_t(*seed);
    s_.start_text = "2026-01-01T00:00:00Z";
    Field start = top["start"];
    if (auto t = text(start)) {
      if (auto unix = parse_utc_timestamp(*t)) {
        s_.start_text = *t;
        s_.start_unix = *unix;
      } else {
        start.error(quote(*t) + " is not a timestamp (expected an ISO 8601 UTC time like \"2026-12-01T00:00:00Z\")");
      }
    } else {
      s_.start_unix = *parse_utc_timestamp(s_.start_text);
    }
    duration_ok_ = false;
    if (auto d = duration(top.required("duration", "a duration like \"72h\""), Min::AboveZero)) {
      s_.duration = *d;
      duration_ok_ = true;
    }
    Obj output(top["output"], {"interval"});
    set(s_.output.sample_interval, duration(output["interval"], Min::AboveZero));
    Obj kernel(top["kernel"], {"simgrid"});
    Obj simgrid(kernel["simgrid"], {"network_model"});
    Choices<std::string> network_models;
    for (const std::string& m : simgrid_network_models()) network_models.push_back({m, m});
    set(s_.kernel.simgrid_network_model, choice(simgrid["network_model"], "SimGrid network model", network_models));

    read_device_models(top["device_models"]);
    read_regions(top.required("regions", "an object of regions, e.g. {\"eu-west\": {}}"));
    read_platform(top["platform"]);
    const size_t before_fleet = p_.size();
    read_fleet(top.required("fleet", "an object with \"cohorts\""));
    fleet_ok_ = p_.size() == before_fleet;
    read_firmware(top.required("firmware", "an object with \"target\" and \"size\""));
    read_rollout(top.required("rollout", "an object with \"strategy\""));
    for_each_element(top["faults"], [&](const Field& f, size_t) { read_fault(f); });
    for_each_element(top["assertions"], [&](const Field& f, size_t) { read_assertion(f); });
    s_.hil = read_hil(top["hil"], file, s_.rollout, cohort_names_);
    if (!p_.empty()) return std::nullopt;
    return std::move(s_);
  }

 private:
  void read_device_models(const Field& f) {
    for_each_member(f, [&](const std::string& name, const Field& m) {
      scenario_model_names_.push_back(name);
      auto model = device_model(m);
      if (!model) return;
      if (!model->name.empty() && model->name != name) {
        add(p_, child(m.ptr, "name"),
            "name " + quote(model->name) + " differs from its key " + quote(name) + " (expected them equal)");
        return;
      }
      model->name = name;
      scenario_models_.emplace(name, std::move(*model));
    });
  }

  void read_regions(const Field& f) {
    if (f.j && f.j->is_object() && f.j->empty()) f.error("no regions (expected at least one region)");
    for_each_member(f, [&](const std::string& name, const Field& rf) {
      region_names_.push_back(name);
      if (name.empty()) rf.error("empty region name (expected a name like \"eu-west\")");
      Region r;
      r.name = name;
      Obj o(rf, {"rtt", "backhaul", "outages", "degradations", "sites"});
      set(r.rtt, duration(o["rtt"]));
      if (auto sites = integer(o["sites"], 1, kMaxSites)) r.sites = int(*sites);
      Field backhaul = o["backhaul"];
      if (backhaul.j) {
        if (auto b = rate(backhaul, Min::Zero)) r.backhaul = *b;
        else bad_backhaul_.insert(name);
      }
      for_each_element(o["outages"], [&](const Field& e, size_t) {
        if (auto w = window(Obj(e, {"at", "for"}))) r.outages.push_back(*w);
      });
      for_each_element(o["degradations"], [&](const Field& e, size_t) {
        Obj d(e, {"at", "for", "factor"});
        auto w = window(d);
        auto factor = fraction(d.required("factor", "a capacity multiplier in [0, 1]"));
        if (w && factor) r.degradations.push_back({*w, *factor});
      });
      s_.regions.push_back(std::move(r));
    });
  }

  // {"at": duration, "for": duration > 0} inside an object whose keys the caller has checked.
  std::optional<TimeWindow> window(const Obj& o) {
    auto at = duration(o.required("at", "a duration from the start, like \"2h\""));
    auto length = duration(o.required("for", "a duration like \"30m\""), Min::AboveZero);
    if (!at || !length) return std::nullopt;
    return TimeWindow{*at, *length};
  }

  void read_platform(const Field& f) {
    Obj o(f, {"cdn", "update_service", "broker"});
    Obj cdn(o["cdn"], {"regions", "max_connections"});
    for_each_member(cdn["regions"], [&](const std::string& name, const Field& rf) {
      Obj r(rf, {"egress"});
      auto egress = rate(r.required("egress", "a rate like \"10Gbps\""));
      if (std::find(region_names_.begin(), region_names_.end(), name) == region_names_.end()) {
        rf.error("undefined region " + quote(name) + suggestion(name, region_names_, "defined: "));
        return;
      }
      if (egress) s_.platform.cdn_egress[name] = *egress;
      else cdn_region_with_problem_.insert(name);
    });
    set(s_.platform.cdn_max_connections, integer(cdn["max_connections"], 1));
    Obj us(o["update_service"], {"capacity"});
    set(s_.platform.update_service_capacity, per_second(us.required("capacity", "a rate like \"5000/s\"")));
    Obj broker(o["broker"], {"max_connections", "connect_rate"});
    set(s_.platform.broker_max_connections, integer(broker["max_connections"], 1));
    set(s_.platform.broker_connect_rate, per_second(broker["connect_rate"]));

    for (const auto& r : s_.regions) {
      // Regions whose egress or backhaul failed to read are reported already.
      if (r.backhaul.value > 0 || s_.platform.cdn_egress.count(r.name) || cdn_region_with_problem_.count(r.name) ||
          bad_backhaul_.count(r.name))
        continue;
      add(p_, "/platform/cdn/regions/" + json_pointer_token(r.name),
          "region " + quote(r.name) + " has no capacity (expected an egress like \"10Gbps\", or a backhaul on the region)");
    }
  }

  void read_fleet(const Field& f) {
    Obj fleet(f, {"cohorts"});
    Field cohorts = fleet.required("cohorts", "an array of cohorts");
    if (cohorts.j && cohorts.j->is_array() && cohorts.j->empty())
      cohorts.error("no cohorts (expected at least one cohort)");
    for_each_element(cohorts, [&](const Field& cf, size_t) { read_cohort(cf); });
  }

  void read_cohort(const Field& f) {
    Obj o(f, {"name", "model", "count", "region", "timezone", "firmware", "tags"});
    if (!o.valid()) return;
    Cohort c;
    Field name_field = o.required("name", "a unique cohort name");
    if (auto name = text(name_field)) {
      if (std::find(cohort_names_.begin(), cohort_names_.end(), *name) != cohort_names_.end())
        name_field.error("duplicate cohort name " + quote(*name) + " (expected unique names)");
      else
        cohort_names_.push_back(*name);
      c.name = *name;
    }
    Field model_field = o.required("model", "a device model name from the catalog or \"device_models\"");
    if (auto model = text(model_field)) {
      c.model = *model;
      resolve_model(model_field, *model);
    }
    set(c.count, integer(o.required("count", "an integer ≥ 1"), 1, kMaxCohortCount));
    set(c.region, reference(o.required("region", "a region name defined in \"regions\""), "region", region_names_));
    Field tz = o["timezone"];
    if (auto zone = text(tz)) {
      if (CohortClock::for_zone(*zone)) c.timezone = *zone;
      else tz.error("unknown time zone " + quote(*zone) + " (expected an IANA name like \"Europe/Berlin\")");
    }
    Field fw = o.required("firmware", "an object of version shares, e.g. {\"1.0.0\": \"100%\"}");
    double sum = 0;
    bool shares_ok = true;
    for_each_member(fw, [&](const std::string& version, const Field& share) {
      auto v = fraction(share);
      if (!v) {
        shares_ok = false;
        return;
      }
      sum += *v;
      c.firmware.emplace_back(version, *v);
    }, "an object of version shares, e.g. {\"1.0.0\": \"100%\"}");
    if (fw.j && fw.j->is_object()) {
      if (fw.j->empty()) fw.error("no versions (expected at least one version share)");
      else if (shares_ok && std::fabs(sum - 1.0) > 1e-6)
        fw.error("shares sum to " + percent_text(sum) + " (expected 100%)");
    }
    c.tags = string_list(o["tags"]);
    s_.cohorts.push_back(std::move(c));
  }

  void resolve_model(const Field& f, const std::string& name) {
    if (s_.models.count(name)) return;
    if (auto it = scenario_models_.find(name); it != scenario_models_.end()) {
      s_.models.emplace(name, it->second);
      return;
    }
    // A scenario model with problems of its own is already reported.
    if (std::find(scenario_model_names_.begin(), scenario_model_names_.end(), name) != scenario_model_names_.end())
      return;
    std::vector<std::string> known = scenario_model_names_;
    for (const auto& m : builtin_device_models()) {
      if (m.name == name) {
        s_.models.emplace(name, m);
        return;
      }
      known.push_back(m.name);
    }
    f.error("unknown device model " + quote(name) +
            (closest(name, known) ? suggestion(name, known)
                                  : " (expected a catalog model (see `fleetsim models`) or one in \"device_models\")"));
  }

  std::vector<std::string> used_models() const {
    std::vector<std::string> out;
    for (const auto& c : s_.cohorts)
      if (!c.model.empty() && std::find(out.begin(), out.end(), c.model) == out.end()) out.push_back(c.model);
    return out;
  }

  void read_firmware(const Field& f) {
    Obj o(f, {"target", "size", "delta", "boot_failure"});
    set(s_.firmware.target, text(o.required("target", "the target version string")));
    Field size_field = o.required("size", "a size like \"1.8MiB\"");
    std::optional<Bytes> image;
    if (auto written = size(size_field)) image = Bytes(std::ceil(written->value));  // an image is whole bytes
    if (image && image->value >= kMaxImageBytes) {  // a device counts downloaded bytes in 32 bits
      size_field.error("image size " + as_written(size_field) + " is 4 GiB or more (expected a firmware image below 4GiB)");
      image.reset();
    }
    set(s_.firmware.size, image);
    for_each_member(o["delta"], [&](const std::string& version, const Field& df) {
      auto d = size(df);
      if (!d) return;
      if (image && *d > *image) {
        df.error("delta " + as_written(df) + " is larger than the full image " + units::format_size(*image) +
                 " (expected a delta no larger than \"size\")");
        return;
      }
      s_.firmware.delta[version] = Bytes(std::ceil(d->value));
    });
    Field bf = o["boot_failure"];
    if (bf.j && bf.j->is_object()) {
      const auto models = used_models();
      for_each_member(bf, [&](const std::string& model, const Field& mf) {
        auto v = fraction(mf);
        if (std::find(models.begin(), models.end(), model) == models.end()) {
          mf.error("model " + quote(model) + " is not used by any cohort" + suggestion(model, models, "used: "));
          return;
        }
        if (v) s_.firmware.boot_failure_by_model[model] = *v;
      });
    } else {
      set(s_.firmware.boot_failure, fraction(bf));
    }
  }

  std::optional<Gate> gate(const Field& f) {
    Obj o(f, {"min_success", "max_failure", "action"});
    if (!o.valid()) return std::nullopt;
    Gate g;
    g.min_success = fraction(o["min_success"]);
    g.max_failure = fraction(o["max_failure"]);
    set(g.action, choice(o["action"], "gate action", actions()));
    return g;
  }

  static const Choices<GateAction>& actions() {
    static const Choices<GateAction> a = {
        {"pause", GateAction::Pause}, {"abort", GateAction::Abort}, {"rollback", GateAction::Rollback}};
    return a;
  }

  void read_rollout(const Field& f) {
    Obj o(f, {"strategy", "waves", "order", "filter", "start", "tick", "max_concurrent", "max_per_minute", "rate",
              "gates", "abort", "maintenance_window", "execution_timeout", "retries"});
    if (!o.valid()) return;
    Rollout& r = s_.rollout;
    Field strategy = o["strategy"];
    set(r.strategy, choice(strategy, "strategy",
                           Choices<Strategy>{{"all-at-once", Strategy::AllAtOnce}, {"waves", Strategy::Waves}}));
    set(r.order, choice(o["order"], "order",
                        Choices<Order>{{"random", Order::Random}, {"cohort", Order::Cohort}, {"region", Order::Region}}));
    const size_t before_filter = p_.size();
    Obj filter(o["filter"], {"tags", "cohorts"});
    r.filter_tags = string_list(filter["tags"]);
    Field filter_cohorts = filter["cohorts"];
    for_each_element(filter_cohorts, [&](const Field& e, size_t) {
      if (auto c = reference(e, "cohort", cohort_names_)) r.filter_cohorts.push_back(*c);
    }, "an array of cohort names");
    filter_ok_ = p_.size() == before_filter;
    if (filter.valid() && fleet_ok_ && filter_ok_ && eligible_devices() == 0)
      add(p_, filter.ptr(), "no cohort matches the filter (expected at least one eligible device)");
    set(r.start, duration(o["start"]));
    set(r.tick, duration(o["tick"], Min::AboveZero));
    set(r.max_concurrent, integer(o["max_concurrent"], 1));
    set(r.max_per_minute, number(o["max_per_minute"], Range{0, true}));
    read_rate(o["rate"]);
    if (auto g = gate(o["gates"])) r.gates = *g;
    for_each_element(o["abort"], [&](const Field& e, size_t) {
      Obj a(e, {"failure", "threshold", "min_executed", "action"});
      if (!a.valid()) return;
      AbortCriterion c;
      set(c.failure, choice(a["failure"], "failure type",
                            Choices<FailureType>{{"any", FailureType::Any},
                                                 {"failed", FailureType::Failed},
                                                 {"timed_out", FailureType::TimedOut},
                                                 {"bricked", FailureType::Bricked},
                                                 {"rolled_back", FailureType::RolledBack}}));
      set(c.threshold, fraction(a.required("threshold", "a fraction like \"5%\"")));
      set(c.min_executed, integer(a["min_executed"], 1));
      set(c.action, choice(a["action"], "action", actions()));
      r.abort.push_back(c);
    });
    Obj mw(o["maintenance_window"], {"local"});
    Field local = mw.required("local", "local times \"HH:MM-HH:MM\", e.g. \"01:00-05:00\"");
    if (auto t = text(local)) {
      if (auto w = parse_maintenance_window(*t)) r.maintenance_window = *w;
      else local.error(quote(*t) + " is not a maintenance window (expected local times \"HH:MM-HH:MM\" such as "
                       "\"01:00-05:00\", start and end different)");
    }
    set(r.execution_timeout, duration(o["execution_timeout"], Min::AboveZero));
    Obj retries(o["retries"], {"max", "failure"});
    if (auto m = integer(retries.required("max", "an integer from 0 to 10"), 0, 10)) r.retries.max = int(*m);
    set(r.retries.failure, choice(retries["failure"], "failure type",
                                  Choices<FailureType>{{"any", FailureType::Any},
                                                       {"failed", FailureType::Failed},
                                                       {"timed_out", FailureType::TimedOut}}));
    read_waves(o, strategy);
  }

  void read_rate(const Field& f) {
    Obj o(f, {"base_per_minute", "increment_factor", "after_notified", "after_succeeded", "max_per_minute"});
    if (!o.valid()) return;
    ExponentialRate e;
    set(e.base_per_minute, number(o.required("base_per_minute", "a number > 0"), Range{0, true}));
    set(e.increment_factor, number(o.required("increment_factor", "a number ≥ 1"), Range{1}));
    set(e.after_notified, integer(o["after_notified"], 1));
    set(e.after_succeeded, integer(o["after_succeeded"], 1));
    set(e.max_per_minute, number(o["max_per_minute"], Range{0, true}));
    if (o.has("after_notified") == o.has("after_succeeded"))
      f.error(std::string(o.has("after_notified") ? "both" : "neither of") +
              " \"after_notified\" and \"after_succeeded\" given (expected exactly one)");
    s_.rollout.rate = e;
  }

  // Devices eligible for the rollout: those in cohorts passing the filter.
  int64_t eligible_devices() const {
    const Rollout& r = s_.rollout;
    int64_t n = 0;
    for (const auto& c : s_.cohorts) {
      bool named = r.filter_cohorts.empty() ||
                   std::find(r.filter_cohorts.begin(), r.filter_cohorts.end(), c.name) != r.filter_cohorts.end();
      bool tagged = std::all_of(r.filter_tags.begin(), r.filter_tags.end(), [&](const std::string& t) {
        return std::find(c.tags.begin(), c.tags.end(), t) != c.tags.end();
      });
      if (named && tagged) n += c.count;
    }
    return n;
  }

  void read_waves(const Obj& rollout, const Field& strategy) {
    Field waves = rollout["waves"];
    const bool wanted = s_.rollout.strategy == Strategy::Waves;
    const size_t before = p_.size();
    if (!wanted && waves.j) {
      waves.error("waves are only allowed with \"strategy\": \"waves\" (strategy is " +
                  (strategy.j ? as_written(strategy) : std::string("\"all-at-once\" by default")) + ")");
      return;
    }
    if (wanted && !waves.j) {
      waves.error("missing required key \"waves\" (expected an array of waves for \"strategy\": \"waves\")");
      return;
    }
    if (!waves.j) return;
    if (waves.j->is_array() && waves.j->empty()) waves.error("no waves (expected at least one wave)");

    std::optional<double> last_percent;
    size_t last_percent_index = 0;
    std::set<size_t> ordered_badly;
    for_each_element(waves, [&](const Field& wf, size_t i) {
      Obj o(wf, {"devices", "percent", "soak", "gate"});
      if (!o.valid()) return;
      Wave w;
      if (o.has("devices") == o.has("percent"))
        wf.error(std::string(o.has("devices") ? "both" : "neither of") +
                 " \"devices\" and \"percent\" given (expected exactly one: this wave's own device count, or the "
                 "cumulative share after it)");
      w.devices = integer(o["devices"], 1, kMaxInt / 4);
      Field pf = o["percent"];
      if (auto p = unbounded_fraction(pf)) {
        if (*p <= 0) {
          pf.error("cumulative share " + percent_text(*p) + " is not above 0% (expected a share like \"10%\")");
        } else if (*p > 1) {
          pf.error("cumulative share " + percent_text(*p) + " is above 100% (expected at most \"100%\")");
        } else if (last_percent && *p <= *last_percent) {
          pf.error("cumulative share " + percent_text(*p) + " is not above " +
                   (last_percent_index + 1 == i ? std::string("the previous wave's ")
                                                : "wave " + std::to_string(last_percent_index) + "'s ") +
                   percent_text(*last_percent) + " (expected waves in increasing order)");
          ordered_badly.insert(i);
        } else {
          w.percent = p;
          last_percent = p;
          last_percent_index = i;
        }
      }
      set(w.soak, duration(o["soak"]));
      w.gate = gate(o["gate"]);
      s_.rollout.waves.push_back(w);
    });
    if (p_.size() != before || !fleet_ok_ || !filter_ok_ || !waves.j->is_array()) return;
    if (s_.rollout.waves.size() > kMaxWaves) {  // a device records its wave in one byte
      add(p_, waves.ptr,
          std::to_string(s_.rollout.waves.size()) + " waves (expected at most " + std::to_string(kMaxWaves) + ")");
      return;
    }

    // Sizes only make sense once every wave and the fleet are known.
    const int64_t eligible = eligible_devices();
    if (eligible == 0) return;  // reported with the filter
    int64_t end = 0;
    for (size_t i = 0; i < s_.rollout.waves.size(); ++i) {
      const Wave& w = s_.rollout.waves[i];
      const std::string wp = child(waves.ptr, i);
      if (w.devices) {
        int64_t new_end = end + *w.devices;
        if (new_end > eligible) {
          add(p_, child(wp, "devices"),
              "waves add up to " + std::to_string(new_end) + " devices, more than the " + std::to_string(eligible) +
                  " eligible devices (expected at most " + std::to_string(eligible) + " in total)");
          return;
        }
        end = new_end;
      } else if (w.percent) {
        int64_t new_end = std::llround(*w.percent * double(eligible));
        if (new_end <= end) {
          add(p_, child(wp, "percent"),
              "wave " + std::to_string(i) + " is empty: cumulative share " + percent_text(*w.percent) + " of " +
                  std::to_string(eligible) + " eligible devices ends at device " + std::to_string(new_end) +
                  ", and the waves before it already reach device " + std::to_string(end) +
                  " (expected each wave to add devices)");
          return;
        }
        end = new_end;
      }
    }
  }

  void read_fault(const Field& f) {
    static const Choices<FaultKind> kinds = {{"region_outage", FaultKind::RegionOutage},
                                             {"cdn_degradation", FaultKind::CdnDegradation},
                                             {"update_service_brownout", FaultKind::UpdateServiceBrownout},
                                             {"bad_build", FaultKind::BadBuild},
                                             {"corrupt_artifact", FaultKind::CorruptArtifact},
                                             {"power_loss", FaultKind::PowerLoss}};
    if (!f.j->is_object()) {
      f.wrong_type("an object with \"kind\"");
      return;
    }
    auto kind_it = f.j->find("kind");
    if (kind_it == f.j->end()) {
      add(p_, child(f.ptr, "kind"), "missing required key \"kind\" (expected " + join_quoted([] {
            std::vector<std::string> n;
            for (const auto& k : kinds) n.push_back(k.first);
            return n;
          }()) + ")");
      return;
    }
    auto kind = choice(Field{p_, &*kind_it, child(f.ptr, "kind")}, "fault kind", kinds);
    if (!kind) return;
    Fault fault;
    fault.kind = *kind;
    auto region = [&](const Obj& o, bool required) {
      Field rf = required ? o.required("region", "a region name defined in \"regions\"") : o["region"];
      set(fault.region, reference(rf, "region", region_names_));
    };
    auto timed = [&](const Obj& o) { set(fault.window, window(o)); };
    switch (*kind) {
      case FaultKind::RegionOutage: {
        Obj o(f, {"kind", "region", "at", "for"});
        region(o, true);
        timed(o);
        break;
      }
      case FaultKind::CdnDegradation: {
        Obj o(f, {"kind", "region", "at", "for", "factor"});
        region(o, false);
        timed(o);
        set(fault.factor, fraction(o.required("factor", "a capacity multiplier in [0, 1]")));
        break;
      }
      case FaultKind::UpdateServiceBrownout: {
        Obj o(f, {"kind", "at", "for", "factor"});
        timed(o);
        set(fault.factor, fraction(o.required("factor", "a capacity multiplier in [0, 1]")));
        break;
      }
      case FaultKind::BadBuild: {
        Obj o(f, {"kind", "at", "boot_failure", "models"});
        set(fault.window.at, duration(o["at"]));
        set(fault.boot_failure, fraction(o.required("boot_failure", "a fraction like \"30%\"")));
        const auto used = used_models();
        for_each_element(o["models"], [&](const Field& e, size_t) {
          auto m = text(e);
          if (!m) return;
          if (std::find(used.begin(), used.end(), *m) == used.end())
            e.error("model " + quote(*m) + " is not used by any cohort" + suggestion(*m, used, "used: "));
          else
            fault.models.push_back(*m);
        }, "an array of model names");
        break;
      }
      case FaultKind::CorruptArtifact: {
        Obj o(f, {"kind", "region", "at", "for"});
        region(o, false);
        timed(o);
        break;
      }
      case FaultKind::PowerLoss: {
        Obj o(f, {"kind", "at", "region", "cohort", "fraction"});
        set(fault.window.at, duration(o.required("at", "a duration from the start, like \"2h\"")));
        region(o, false);
        set(fault.cohort, reference(o["cohort"], "cohort", cohort_names_));
        set(fault.fraction, fraction(o["fraction"]));
        break;
      }
    }
    s_.faults.push_back(std::move(fault));
  }

  void read_assertion(const Field& f) {
    Obj o(f, {"metric", "at", "op", "value"});
    if (!o.valid()) return;
    Assertion a;
    a.pointer = f.ptr;
    Field metric_field = o.required("metric", "a metric name such as \"fleet.on_target_fraction\"");
    auto metric = text(metric_field);
    const std::optional<AssertionMetric> id = metric ? find_assertion_metric(*metric) : std::nullopt;
    if (metric && !id) {
      auto c = closest(*metric, known_metrics());
      metric_field.error("unknown metric " + quote(*metric) +
                         (c ? " (did you mean " + quote(*c) + "?)"
                            : " (expected a metric such as \"fleet.on_target_fraction\" or \"devices.failed\")"));
      metric.reset();
    }
    if (id) a.metric = *id;
    const bool is_state = metric && *metric == "rollout.state";
    const bool is_time = metric && starts_with(*metric, "rollout.time_to_");

    Field at = o["at"];
    if (at.j && !(at.j->is_string() && at.j->get_ref<const std::string&>() == "end")) {
      if (auto t = duration(at)) {
        if (metric && !is_state && !starts_with(*metric, "fleet.") && !starts_with(*metric, "devices.")) {
          at.error("\"at\" is not allowed for " + *metric +
                   " (expected \"end\"; only fleet.*, devices.* and rollout.state can be checked mid-run)");
        } else if (duration_ok_ && *t > s_.duration) {
          at.error(as_written(at) + " is after the end of the run at " + units::format_duration(s_.duration) +
                   " (expected a time within \"duration\")");
        } else {
          a.at = *t;
        }
      }
    }

    static const Choices<CompareOp> ops = {{">=", CompareOp::Ge}, {">", CompareOp::Gt}, {"<=", CompareOp::Le},
                                           {"<", CompareOp::Lt},  {"==", CompareOp::Eq}, {"!=", CompareOp::Ne}};
    Field op_field = o.required("op", "\">=\", \">\", \"<=\", \"<\", \"==\" or \"!=\"");
    auto op = choice(op_field, "comparison", ops);
    set(a.op, op);
    if (is_state && op && *op != CompareOp::Eq && *op != CompareOp::Ne)
      op_field.error("rollout.state can only be compared with \"==\" or \"!=\"");

    Field value = o.required("value", "the value to compare with");
    if (!value.j || !metric) {
      s_.assertions.push_back(std::move(a));
      return;
    }
    if (is_state) {
      static const std::vector<std::string> states = {"running", "completed", "paused", "aborted", "rolled_back"};
      if (auto st = text(value)) {
        if (std::find(states.begin(), states.end(), *st) != states.end()) a.text = *st;
        else value.error("unknown rollout state " + quote(*st) + suggestion(*st, states));
      }
    } else if (is_time) {
      if (auto t = duration(value)) a.number = t->value;
    } else if (*metric == "fleet.on_target_fraction") {
      a.number = fraction(value);
    } else {
      a.number = number(value, Range{});
    }
    s_.assertions.push_back(std::move(a));
  }

  Problems& p_;
  const Json& doc_;
  Scenario s_;
  bool duration_ok_ = false;
  bool fleet_ok_ = false;
  bool filter_ok_ = false;
  std::vector<std::string> region_names_;
  std::vector<std::string> cohort_names_;
  std::vector<std::string> scenario_model_names_;
  std::map<std::string, DeviceModel> scenario_models_;
  std::set<std::string> cdn_region_with_problem_;
  std::set<std::string> bad_backhaul_;
};

// ---------------------------------------------------------------------------------------------
// Parsing text

// Records duplicate object keys while nlohmann parses (it keeps the last value silently).
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(Problems& p) : p_(p) {}

  bool operator()(int, nlohmann::detail::parse_event_t event, Json& parsed) {
    using E = nlohmann::detail::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start: {
        std::string token;
        if (!frames_.empty())
          token = frames_.back().object ? json_pointer_token(frames_.back().key) : std::to_string(frames_.back().index);
        frames_.push_back({event == E::object_start, std::move(token), {}, 0, {}});
        break;
      }
      case E::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        // Capped: each report costs O(depth), and a hundred say enough.
        if (!top.keys.insert(top.key).second && ++reported_ <= 100)
          add(p_, child(pointer(), top.key), "duplicate key " + quote(top.key) + " (expected each key once)");
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        element_done();
        break;
      case E::value: element_done(); break;
    }
    return true;
  }

 private:
  struct Frame {
    bool object;
    std::string token;  // this container's place in its parent
    std::set<std::string> keys;
    size_t index;
    std::string key;
  };

  // Built only when needed: storing each frame's full path costs O(depth²) on deep input.
  std::string pointer() const {
    std::string out;
    for (size_t i = 1; i < frames_.size(); ++i) out += "/" + frames_[i].token;
    return out;
  }
  void element_done() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }

  Problems& p_;
  std::vector<Frame> frames_;
  size_t reported_ = 0;
};

// nlohmann reports a number too large for a double as out_of_range, without a position; find
// the literal it quotes to say where it is.
std::string overflow_message(const std::string& text, const std::string& what) {
  std::string literal;
  if (auto open = what.find("parsing '"); open != std::string::npos) {
    auto close = what.find('\'', open + 9);
    if (close != std::string::npos) literal = what.substr(open + 9, close - open - 9);
  }
  std::string where;
  if (auto at = literal.empty() ? std::string::npos : text.find(literal); at != std::string::npos) {
    size_t line = 1 + size_t(std::count(text.begin(), text.begin() + long(at), '\n'));
    size_t line_start = text.rfind('\n', at);
    size_t column = at - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    where = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  return where + "number " + (literal.empty() ? std::string("") : literal + " ") +
         "is too large (expected a number within the range of a double)";
}

// "line 3, column 5: syntax error: unexpected '}'; expected string literal".
std::string syntax_message(const std::string& text, const nlohmann::detail::parse_error& e) {
  size_t end = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  std::string what = e.what();
  // nlohmann's text reads "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error
  // while parsing object - unexpected '}'; expected string literal"; keep the part after " - ".
  std::string detail = what;
  if (auto dash = what.find(" - "); dash != std::string::npos) detail = what.substr(dash + 3);
  else if (auto colon = what.rfind(": "); colon != std::string::npos) detail = what.substr(colon + 2);
  // The two mistakes hand-edited JSON usually has, which nlohmann's wording does not name.
  if (detail.ends_with("expected '}'") || detail.ends_with("expected ']'")) detail += " (is a comma missing?)";
  else if (detail.starts_with("unexpected '}'") || detail.starts_with("unexpected ']'"))
    detail += " (is there a trailing comma?)";
  else if (detail.find("control character U+000A") != std::string::npos)
    detail += " (is a closing quote missing?)";
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": syntax error: " + detail;
}

}  // namespace

std::string LoadResult::format(const std::string& file) const { return format_problems(file, problems); }

std::optional<DeviceModel> parse_device_model(const nlohmann::ordered_json& j, const std::string& pointer,
                                              std::vector<Problem>& problems) {
  try {
    return device_model(Field{problems, &j, pointer});
  } catch (const std::exception& e) {
    add(problems, pointer, std::string("internal error while reading the device model: ") + e.what());
    return std::nullopt;
  }
}

LoadResult load_scenario_text(const std::string& text, const std::string& file_name,
                              const std::vector<std::string>& sets) {
  LoadResult result;
  try {
    Json doc;
    DuplicateKeyFinder duplicates(result.problems);
    try {
      doc = Json::parse(text, std::ref(duplicates));
    } catch (const nlohmann::detail::parse_error& e) {
      result.problems.clear();  // duplicates seen before the error add nothing to a syntax error
      add(result.problems, "", syntax_message(text, e));
      return result;
    } catch (const nlohmann::detail::out_of_range& e) {
      result.problems.clear();
      add(result.problems, "", overflow_message(text, e.what()));
      return result;
    }
    auto override_problems = apply_overrides(doc, sets);
    result.problems.insert(result.problems.end(), override_problems.begin(), override_problems.end());
    ScenarioReader reader(result.problems, doc);
    auto scenario = reader.read(file_name);
    if (result.problems.empty()) {
      result.scenario = std::move(scenario);
      result.scenario->document = doc.dump(2) + "\n";
    }
  } catch (const std::exception& e) {
    // Any exception here is a loader bug; still a report, never a crash.
    add(result.problems, "", std::string("internal error while loading the scenario: ") + e.what());
    result.scenario.reset();
  }
  return result;
}

LoadResult load_scenario_file(const std::string& path, const std::vector<std::string>& sets) {
  LoadResult result;
  try {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      add(result.problems, "", "cannot read file: it is a directory (expected a scenario JSON file)");
      return result;
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      add(result.problems, "", std::string("cannot read file: ") + std::strerror(errno));
      return result;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) {
      add(result.problems, "", "cannot read file: read error");
      return result;
    }
    return load_scenario_text(buffer.str(), path, sets);
  } catch (const std::exception& e) {
    add(result.problems, "", std::string("cannot read file: ") + e.what());
    return result;
  }
}

const std::vector<std::string>& known_metrics() {
  static const std::vector<std::string> metrics = [] {
    std::vector<std::string> names;
    for (const AssertionMetricInfo& m : kAssertionMetrics) names.emplace_back(m.name);
    return names;
  }();
  return metrics;
}

}  // namespace fleetsim
