// Parsing of human units used in scenario and device-model files.
//   durations: "250ms", "45s", "30m", "72h", "2d", "1h30m"   -> Seconds
//   sizes:     "512B", "320KiB", "1.8MiB", "2GiB", "10kB", "3MB" -> Bytes (KiB = 1024, kB = 1000)
//   rates:     "25kbps", "10Gbps", "1.5Mbps", "100MB/s", "64KiB/s" -> BytesPerSecond (bps = bits/s)
//   fractions: "0.5%", "98%", or a plain number in [0,1]     -> double
//   per-second rates: "5000/s", "300/min", "20/h"            -> PerSecond
// Each parser returns std::nullopt on malformed input; the caller names the JSON path.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sim/core/quantity.hpp"

namespace fleetsim::units {

std::optional<Seconds> parse_duration(std::string_view text);
std::optional<Bytes> parse_size(std::string_view text);
std::optional<BytesPerSecond> parse_rate(std::string_view text);
std::optional<double> parse_fraction(std::string_view text);
std::optional<PerSecond> parse_per_second(std::string_view text);

// What each parser expects, for error messages ("expected a duration like \"30m\" or \"72h\"").
extern const char* const kDurationHint;
extern const char* const kSizeHint;
extern const char* const kRateHint;
extern const char* const kFractionHint;
extern const char* const kPerSecondHint;

// Human formatting for reports and messages ("1h30m", "1.80 MiB", "25.0 kbps").
std::string format_duration(Seconds s);
std::string format_size(Bytes b);
std::string format_rate(BytesPerSecond r);

}  // namespace fleetsim::units
