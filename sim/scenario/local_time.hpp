// Wall-clock facts the model needs: the scenario's UTC start instant, and a cohort's local
// time of day (IANA time zone, via Howard Hinnant's date/tz) for maintenance windows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sim/scenario/scenario.hpp"

namespace date { class time_zone; }

namespace fleetsim {

// "2026-12-01T00:00:00Z" (also with an offset, "+01:00") -> UTC seconds since the epoch.
std::optional<int64_t> parse_utc_timestamp(std::string_view text);
// "01:00-05:00" -> window; end before start means the window crosses midnight; equal is invalid.
std::optional<MaintenanceWindow> parse_maintenance_window(std::string_view text);

class CohortClock {
 public:
  // nullopt when the zone name is unknown.
  static std::optional<CohortClock> for_zone(std::string_view iana_name);
  // Minutes after local midnight at UTC instant `unix_seconds` (DST-aware).
  int minute_of_day(int64_t unix_seconds) const;
  bool in_window(const MaintenanceWindow& w, int64_t unix_seconds) const;
  // The first UTC instant ≥ unix_seconds at which the window is open (unix_seconds itself if
  // open now), to whole-minute resolution.
  int64_t next_window_open(const MaintenanceWindow& w, int64_t unix_seconds) const;

 private:
  explicit CohortClock(const date::time_zone* z) : zone_(z) {}
  const date::time_zone* zone_;
};

}  // namespace fleetsim
