// Bin widths of the time-to-update histogram: round durations a reader can count in (1, 2, 5,
// 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 d, …). The World counts in a fine round width; a report
// merges consecutive bins into a coarser round width chosen from the data's range.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace fleetsim {

inline constexpr std::array<double, 22> kRoundDurations = {
    1,    2,    5,    10,    15,    30,    60,    120,   300,    600,    900,
    1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 259200, 604800, 1209600};

// The smallest round duration ≥ `at_least` seconds (whole weeks beyond the table).
inline double round_duration_at_least(double at_least) {
  for (double d : kRoundDurations)
    if (d >= at_least) return d;
  return std::ceil(at_least / 604800.0) * 604800.0;
}

// The World's bin: a round width giving at most about 1000 bins over the run, at least 1 min.
inline double histogram_bin_for(double duration_s) { return round_duration_at_least(std::max(60.0, duration_s / 1000.0)); }

// How many consecutive bins of width `bin_s` to merge so that `used_bins` of them (the range up to
// the last non-empty bin) make at most `max_bins` bins of a round width; 1 when they already do or
// when no round multiple fits (a legacy bin width that is not round).
inline size_t histogram_merge_factor(double bin_s, size_t used_bins, size_t max_bins) {
  if (bin_s <= 0 || used_bins <= max_bins) return 1;
  for (double d : kRoundDurations) {
    const double k = d / bin_s;
    if (k < 2 || k != std::floor(k)) continue;
    if (std::ceil(double(used_bins) / k) <= double(max_bins)) return size_t(k);
  }
  // Beyond the table: whole weeks, when they are a multiple of the bin.
  const double week = 604800.0 / bin_s;
  if (week == std::floor(week) && week >= 1) {
    const double weeks = std::ceil(double(used_bins) / (week * double(max_bins)));
    return size_t(week * weeks);
  }
  return 1;
}

}  // namespace fleetsim
