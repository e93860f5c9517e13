#include "sim/scenario/local_time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <exception>
#include <string>

namespace fleetsim {

namespace {

constexpr int64_t kMinutesPerDay = 24 * 60;
constexpr int64_t kSecondsPerDay = 86400;

// Reads exactly `width` decimal digits at `pos`; no signs, no spaces.
std::optional<int> digits(std::string_view text, size_t pos, size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int v = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// "HH:MM" at `pos`, 00:00..23:59 -> minutes after midnight.
std::optional<int> clock_minutes(std::string_view text, size_t pos) {
  auto h = digits(text, pos, 2);
  auto m = digits(text, pos + 3, 2);
  if (!h || !m || text.size() < pos + 5 || text[pos + 2] != ':') return std::nullopt;
  if (*h > 23 || *m > 59) return std::nullopt;
  return *h * 60 + *m;
}

int64_t floor_mod(int64_t a, int64_t m) {
  int64_t r = a % m;
  return r < 0 ? r + m : r;
}

bool minute_in_window(const MaintenanceWindow& w, int minute) {
  if (w.start_minute <= w.end_minute) return minute >= w.start_minute && minute < w.end_minute;
  return minute >= w.start_minute || minute < w.end_minute;  // crosses midnight
}

date::sys_seconds to_sys(int64_t unix_seconds) {
  return date::sys_seconds{std::chrono::seconds{unix_seconds}};
}

}  // namespace

std::optional<int64_t> parse_utc_timestamp(std::string_view text) {
  // Fixed layout: YYYY-MM-DDTHH:MM:SS followed by "Z" or "+hh:mm" / "-hh:mm".
  if (text.size() < 20) return std::nullopt;
  auto y = digits(text, 0, 4);
  auto mo = digits(text, 5, 2);
  auto d = digits(text, 8, 2);
  auto hh = digits(text, 11, 2);
  auto mi = digits(text, 14, 2);
  auto ss = digits(text, 17, 2);
  if (!y || !mo || !d || !hh || !mi || !ss) return std::nullopt;
  if (text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  if (*hh > 23 || *mi > 59 || *ss > 59) return std::nullopt;  // no leap seconds in Unix time
  date::year_month_day ymd{date::year{*y}, date::month{unsigned(*mo)}, date::day{unsigned(*d)}};
  if (!ymd.ok()) return std::nullopt;  // e.g. month 13 or 29 February in a common year

  int64_t offset_seconds = 0;
  std::string_view zone = text.substr(19);
  if (zone == "Z") {
    offset_seconds = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    auto oh = digits(zone, 1, 2);
    auto om = digits(zone, 4, 2);
    if (!oh || !om || *oh > 23 || *om > 59) return std::nullopt;
    offset_seconds = (zone[0] == '+' ? 1 : -1) * (int64_t(*oh) * 3600 + int64_t(*om) * 60);
  } else {
    return std::nullopt;
  }

  int64_t days = date::sys_days{ymd}.time_since_epoch().count();
  int64_t local = days * kSecondsPerDay + int64_t(*hh) * 3600 + int64_t(*mi) * 60 + *ss;
  // Local time = UTC + offset, so UTC = local - offset.
  return local - offset_seconds;
}

std::optional<MaintenanceWindow> parse_maintenance_window(std::string_view text) {
  if (text.size() != 11 || text[5] != '-') return std::nullopt;
  auto start = clock_minutes(text, 0);
  auto end = clock_minutes(text, 6);
  if (!start || !end || *start == *end) return std::nullopt;
  return MaintenanceWindow{*start, *end};
}

std::optional<CohortClock> CohortClock::for_zone(std::string_view iana_name) {
  try {
    return CohortClock(date::locate_zone(std::string(iana_name)));
  } catch (const std::exception&) {
    return std::nullopt;  // unknown zone (or no tz database at all)
  }
}

int CohortClock::minute_of_day(int64_t unix_seconds) const {
  int64_t offset = zone_->get_info(to_sys(unix_seconds)).offset.count();
  return int(floor_mod(unix_seconds + offset, kSecondsPerDay) / 60);
}

bool CohortClock::in_window(const MaintenanceWindow& w, int64_t unix_seconds) const {
  return minute_in_window(w, minute_of_day(unix_seconds));
}

int64_t CohortClock::next_window_open(const MaintenanceWindow& w, int64_t unix_seconds) const {
  // Within one UTC-offset period local time advances with UTC, so the window is first entered
  // when the local clock reads start_minute. If the period ends before that, the offset jump at
  // its end can itself land inside the window (a start swallowed by a spring-forward gap), so
  // re-examine from the transition. Transitions are months apart, so this loop runs once or twice.
  const int64_t start_second = int64_t(floor_mod(w.start_minute, kMinutesPerDay)) * 60;
  int64_t t = unix_seconds;
  for (;;) {
    const date::sys_info info = zone_->get_info(to_sys(t));
    const int64_t offset = info.offset.count();
    if (minute_in_window(w, int(floor_mod(t + offset, kSecondsPerDay) / 60))) return t;
    int64_t wait = floor_mod(start_second - floor_mod(t + offset, kSecondsPerDay), kSecondsPerDay);
    if (wait == 0) wait = kSecondsPerDay;  // only for an empty window (start == end)
    const int64_t candidate = t + wait;
    const int64_t period_end = info.end.time_since_epoch().count();
    if (candidate < period_end) return candidate;
    t = period_end;
  }
}

}  // namespace fleetsim
