#include "sim/core/json_units.hpp"

#include <charconv>
#include <cmath>
#include <string_view>

#include "sim/core/units.hpp"

namespace fleetsim::json_reader {
namespace {

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

template <class Q>
std::optional<Q> check_positive(const Field& f, std::optional<Q> v, Min min, const char* noun) {
  if (v && min == Min::AboveZero && v->value <= 0) {
    f.error(quote(f.j->get_ref<const std::string&>()) + " is zero (expected " + noun + " above zero)");
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::optional<Seconds> duration(const Field& f, Min min) {
  return check_positive(f, with_unit(f, &units::parse_duration, "a duration", units::kDurationHint), min,
                        "a duration");
}

std::optional<Bytes> size(const Field& f) {
  return check_positive(f, with_unit(f, &units::parse_size, "a size", units::kSizeHint), Min::AboveZero,
                        "a size");
}

std::optional<BytesPerSecond> rate(const Field& f, Min min) {
  return check_positive(f, with_unit(f, &units::parse_rate, "a rate", units::kRateHint), min, "a rate");
}

std::optional<PerSecond> per_second(const Field& f) {
  return check_positive(f, with_unit(f, &units::parse_per_second, "a per-second rate", units::kPerSecondHint),
                        Min::AboveZero, "a rate");
}

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

std::string percent_meant(const Field& f) {
  if (!f.j || !f.j->is_number()) return "";
  const double v = f.j->get<double>();
  if (!(v > 1 && v <= 100)) return "";
  return " (a bare number is a fraction of 1; did you mean \"" + number_text(v) + "%\"?)";
}

std::optional<double> fraction(const Field& f) {
  auto v = unbounded_fraction(f);
  if (!v) return v;
  if (*v < 0 || *v > 1) {
    const char* limit = f.j->is_string() ? " is above 100%" : " is above 1";
    const std::string hint = percent_meant(f);
    f.error(as_written(f) + (*v < 0 ? " is negative" : limit) +
            (hint.empty() ? " (" + std::string(units::kFractionHint) + ")" : hint));
    return std::nullopt;
  }
  return v;
}

}  // namespace fleetsim::json_reader
