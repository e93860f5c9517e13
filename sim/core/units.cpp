#include "sim/core/units.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

namespace fleetsim::units {

const char* const kDurationHint = "expected a duration like \"250ms\", \"45s\", \"30m\", \"72h\", \"2d\" or \"1h30m\"";
const char* const kSizeHint = "expected a size like \"512B\", \"10kB\", \"1.8MiB\" or \"2GiB\" (kB = 1000 B, KiB = 1024 B)";
const char* const kRateHint = "expected a rate like \"25kbps\", \"10Gbps\" (bits/s) or \"100MB/s\", \"64KiB/s\" (bytes/s)";
const char* const kFractionHint = "expected a fraction like \"0.5%\", \"98%\" or a number in [0, 1]";
const char* const kPerSecondHint = "expected a rate like \"5000/s\", \"300/min\" or \"20/h\"";

namespace {

// Consumes an unsigned decimal "123" or "1.5" from the front of `text`. Signs, exponents,
// "inf" and "nan" are not part of the grammar, so a negative or non-finite value can never
// get through; std::from_chars then does the correctly rounded conversion.
std::optional<double> take_number(std::string_view& text) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0;
  while (i < text.size() && is_digit(text[i])) ++i;
  if (i == 0) return std::nullopt;
  if (i < text.size() && text[i] == '.') {
    size_t frac = i + 1;
    while (frac < text.size() && is_digit(text[frac])) ++frac;
    if (frac == i + 1) return std::nullopt;  // "1." is a typo, not a number
    i = frac;
  }
  double v = 0.0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + i, v);
  if (ec != std::errc() || end != text.data() + i || !std::isfinite(v)) return std::nullopt;
  text.remove_prefix(i);
  return v;
}

template <size_t N>
std::optional<double> lookup(const std::array<std::pair<std::string_view, double>, N>& table,
                             std::string_view unit) {
  for (const auto& [name, factor] : table)
    if (name == unit) return factor;
  return std::nullopt;
}

// Number followed by exactly one unit from `table`; nothing before or after.
template <size_t N>
std::optional<double> parse_scaled(std::string_view text,
                                   const std::array<std::pair<std::string_view, double>, N>& table) {
  auto v = take_number(text);
  if (!v) return std::nullopt;
  auto factor = lookup(table, text);
  if (!factor) return std::nullopt;
  double r = *v * *factor;
  if (!std::isfinite(r)) return std::nullopt;
  return r;
}

constexpr double kKi = 1024.0;
constexpr std::array<std::pair<std::string_view, double>, 9> kSizeUnits{{
    {"B", 1.0},
    {"kB", 1e3},
    {"MB", 1e6},
    {"GB", 1e9},
    {"TB", 1e12},
    {"KiB", kKi},
    {"MiB", kKi * kKi},
    {"GiB", kKi * kKi * kKi},
    {"TiB", kKi * kKi * kKi * kKi},
}};

constexpr std::array<std::pair<std::string_view, double>, 14> kRateUnits{{
    // Bit rates (network convention: 1000-based), converted to bytes per second.
    {"bps", 1.0 / 8},
    {"kbps", 1e3 / 8},
    {"Mbps", 1e6 / 8},
    {"Gbps", 1e9 / 8},
    {"Tbps", 1e12 / 8},
    // Byte rates.
    {"B/s", 1.0},
    {"kB/s", 1e3},
    {"MB/s", 1e6},
    {"GB/s", 1e9},
    {"TB/s", 1e12},
    {"KiB/s", kKi},
    {"MiB/s", kKi * kKi},
    {"GiB/s", kKi * kKi * kKi},
    {"TiB/s", kKi * kKi * kKi * kKi},
}};

constexpr std::array<std::pair<std::string_view, double>, 3> kPerSecondUnits{{
    {"/s", 1.0},
    {"/min", 1.0 / 60},
    {"/h", 1.0 / 3600},
}};

// Duration units, largest first; a compound duration must use them in this order, each at
// most once ("1h30m" yes, "30m1h" and "1h1h" no) so that every accepted string reads one way.
constexpr std::array<std::pair<std::string_view, double>, 5> kDurationUnits{{
    {"d", 86400.0},
    {"h", 3600.0},
    {"m", 60.0},
    {"s", 1.0},
    {"ms", 1e-3},
}};

template <class... Args>
std::string printf_string(const char* fmt, Args... args) {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, fmt, args...);
  if (n < 0) return {};
  return std::string(buf, std::min<size_t>(size_t(n), sizeof buf - 1));
}

}  // namespace

std::optional<Seconds> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0.0;
  size_t next_allowed = 0;  // index into kDurationUnits: units must strictly decrease
  while (!text.empty()) {
    auto v = take_number(text);
    if (!v) return std::nullopt;
    size_t len = 0;
    while (len < text.size() && ((text[len] >= 'a' && text[len] <= 'z') || (text[len] >= 'A' && text[len] <= 'Z')))
      ++len;
    std::string_view unit = text.substr(0, len);
    text.remove_prefix(len);
    size_t idx = next_allowed;
    while (idx < kDurationUnits.size() && kDurationUnits[idx].first != unit) ++idx;
    if (idx == kDurationUnits.size()) return std::nullopt;  // unknown, missing or out of order
    total += *v * kDurationUnits[idx].second;
    next_allowed = idx + 1;
  }
  if (!std::isfinite(total)) return std::nullopt;
  return Seconds(total);
}

std::optional<Bytes> parse_size(std::string_view text) {
  auto v = parse_scaled(text, kSizeUnits);
  if (!v) return std::nullopt;
  return Bytes(*v);
}

std::optional<BytesPerSecond> parse_rate(std::string_view text) {
  auto v = parse_scaled(text, kRateUnits);
  if (!v) return std::nullopt;
  return BytesPerSecond(*v);
}

std::optional<double> parse_fraction(std::string_view text) {
  auto v = take_number(text);
  if (!v) return std::nullopt;
  double f = *v;
  if (text == "%") {
    f /= 100.0;
  } else if (!text.empty()) {
    return std::nullopt;
  }
  if (f < 0.0 || f > 1.0) return std::nullopt;
  return f;
}

std::optional<PerSecond> parse_per_second(std::string_view text) {
  auto v = parse_scaled(text, kPerSecondUnits);
  if (!v) return std::nullopt;
  return PerSecond(*v);
}

std::string format_duration(Seconds s) {
  double v = s.value;
  if (std::isnan(v)) return "nan";
  if (v < 0) return "-" + format_duration(Seconds(-v));
  if (std::isinf(v)) return "inf";
  if (v == 0.0) return "0s";
  // Below a second, milliseconds are the readable unit; rounding may carry into whole seconds.
  if (v < 1.0) {
    double ms = std::round(v * 1e3);
    if (ms < 1000.0) return printf_string("%.0fms", ms);
    v = 1.0;
  }
  // Under a minute keep one decimal when it matters ("1.5s"); above that, whole seconds.
  if (v < 59.95) {
    double tenths = std::round(v * 10.0);
    if (std::fmod(tenths, 10.0) != 0.0) return printf_string("%.1fs", tenths / 10.0);
    return printf_string("%.0fs", tenths / 10.0);
  }
  double total = std::round(v);
  if (total >= 1e15) return printf_string("%.3gs", total);  // beyond any scenario; avoid overflow
  auto secs = static_cast<long long>(total);
  std::string out;
  for (auto [unit, len] : {std::pair{"d", 86400LL}, {"h", 3600LL}, {"m", 60LL}, {"s", 1LL}}) {
    long long n = secs / len;
    secs %= len;
    if (n > 0) out += std::to_string(n) + unit;
  }
  return out;
}

std::string format_size(Bytes b) {
  double v = b.value;
  if (!std::isfinite(v)) return printf_string("%g B", v);
  if (std::fabs(v) < kKi) return printf_string("%.0f B", v);
  static constexpr const char* kNames[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  size_t i = 0;
  double scaled = v / kKi;
  // Move up while the two-decimal rendering would read 1024.00 or more.
  while (i + 1 < std::size(kNames) && std::fabs(std::round(scaled * 100.0) / 100.0) >= kKi) {
    scaled /= kKi;
    ++i;
  }
  return printf_string("%.2f %s", scaled, kNames[i]);
}

std::string format_rate(BytesPerSecond r) {
  double bits = r.value * 8.0;
  if (!std::isfinite(bits)) return printf_string("%g bps", bits);
  if (std::fabs(bits) < 1000.0) return printf_string("%.0f bps", bits);
  static constexpr const char* kNames[] = {"kbps", "Mbps", "Gbps", "Tbps"};
  size_t i = 0;
  double scaled = bits / 1000.0;
  while (i + 1 < std::size(kNames) && std::fabs(std::round(scaled * 10.0) / 10.0) >= 1000.0) {
    scaled /= 1000.0;
    ++i;
  }
  return printf_string("%.1f %s", scaled, kNames[i]);
}

}  // namespace fleetsim::units
