#include <catch2/catch.hpp>

#include "sim/scenario/local_time.hpp"

using namespace fleetsim;

namespace {

// Unix times by hand. 2026-01-01T00:00Z: 56 years since 1970 with 14 leap days (1972..2024),
// 56*365 + 14 = 20454 days -> 20454 * 86400 = 1767225600.
constexpr int64_t kDay = 86400, kHour = 3600, kMinute = 60;
constexpr int64_t k2026 = 1767225600;
// Day-of-year offsets in 2026 (a common year): Jan 15 = +14, Mar 28 = 31+28+27 = +86,
// Mar 29 = +87, Jul 15 = 31+28+31+30+31+30+14 = +195, Oct 24 = 273+23 = +296, Oct 25 = +297,
// Dec 1 = +334.
constexpr int64_t jan15 = k2026 + 14 * kDay;
constexpr int64_t mar28 = k2026 + 86 * kDay;
constexpr int64_t mar29 = k2026 + 87 * kDay;
constexpr int64_t jul15 = k2026 + 195 * kDay;
constexpr int64_t oct24 = k2026 + 296 * kDay;
constexpr int64_t oct25 = k2026 + 297 * kDay;
constexpr int64_t dec1 = k2026 + 334 * kDay;
// EU rules: summer time runs from the last Sunday of March to the last Sunday of October, both
// switches at 01:00Z. In 2026 those are 29 March (02:00 CET -> 03:00 CEST) and 25 October
// (03:00 CEST -> 02:00 CET).

CohortClock berlin() {
  auto c = CohortClock::for_zone("Europe/Berlin");
  REQUIRE(c);
  return *c;
}

constexpr MaintenanceWindow window(int start_h, int start_m, int end_h, int end_m) {
  return {start_h * 60 + start_m, end_h * 60 + end_m};
}

}  // namespace

// ---- timestamps ------------------------------------------------------------------------------

TEST_CASE("a UTC timestamp with Z is seconds since the epoch") {
  CHECK(parse_utc_timestamp("2026-12-01T00:00:00Z") == dec1);
  CHECK(parse_utc_timestamp("2026-01-15T12:34:56Z") == jan15 + 12 * kHour + 34 * kMinute + 56);
  CHECK(parse_utc_timestamp("1970-01-01T00:00:00Z") == 0);
}

TEST_CASE("a timestamp with an offset is converted to UTC") {
  // Local = UTC + offset, so 01:00+01:00 is midnight UTC and 19:00-05:00 is midnight UTC next day.
  CHECK(parse_utc_timestamp("2026-12-01T01:00:00+01:00") == dec1);
  CHECK(parse_utc_timestamp("2026-11-30T19:00:00-05:00") == dec1);
  CHECK(parse_utc_timestamp("2026-12-01T05:30:00+05:30") == dec1);
  CHECK(parse_utc_timestamp("2026-12-01T00:00:00+00:00") == dec1);
}

TEST_CASE("29 February is accepted only in a leap year") {
  // 2028-02-29: 2028-01-01 is 2026-01-01 + 365 + 365 days; then +31 (Jan) +28 days.
  CHECK(parse_utc_timestamp("2028-02-29T00:00:00Z") == k2026 + (730 + 59) * kDay);
  CHECK_FALSE(parse_utc_timestamp("2026-02-29T00:00:00Z"));
}

TEST_CASE("a malformed timestamp is rejected") {
  for (const char* bad : {"", "2026-12-01", "2026-12-01T00:00:00", "2026-12-01 00:00:00Z",
                          "2026-12-01T00:00Z", "2026-13-01T00:00:00Z", "2026-12-32T00:00:00Z",
                          "2026-00-01T00:00:00Z", "2026-12-01T24:00:00Z", "2026-12-01T00:60:00Z",
                          "2026-12-01T00:00:60Z", "2026-12-01T00:00:00z", "2026-12-01T00:00:00Zx",
                          "2026-12-01T00:00:00+1:00", "2026-12-01T00:00:00+0100",
                          "2026-12-01T00:00:00+01:60", "2026-12-01T00:00:00.5Z",
                          "26-12-01T00:00:00Z", " 2026-12-01T00:00:00Z", "2026-1a-01T00:00:00Z"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_utc_timestamp(bad));
  }
}

// ---- maintenance windows ---------------------------------------------------------------------

TEST_CASE("a maintenance window is parsed to minutes after midnight") {
  auto w = parse_maintenance_window("01:00-05:00");
  REQUIRE(w);
  CHECK(w->start_minute == 60);
  CHECK(w->end_minute == 300);
  auto late = parse_maintenance_window("00:00-23:59");
  REQUIRE(late);
  CHECK(late->end_minute == 1439);  // 23*60 + 59
}

TEST_CASE("a window ending before it starts crosses midnight") {
  auto w = parse_maintenance_window("22:00-02:00");
  REQUIRE(w);
  CHECK(w->start_minute == 1320);  // 22 * 60
  CHECK(w->end_minute == 120);
}

TEST_CASE("a malformed or empty maintenance window is rejected") {
  for (const char* bad : {"", "01:00-01:00", "24:00-01:00", "01:00-24:00", "1:00-05:00",
                          "01:60-02:00", "01:00-05:00x", "01:00 - 05:00", "01:00", "01-00-05:00",
                          "0a:00-05:00"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_maintenance_window(bad));
  }
}

// ---- zones -----------------------------------------------------------------------------------

TEST_CASE("an unknown time zone gives no clock") {
  CHECK_FALSE(CohortClock::for_zone("Not/AZone"));
  CHECK_FALSE(CohortClock::for_zone(""));
  CHECK(CohortClock::for_zone("UTC"));
}

TEST_CASE("Berlin is one hour ahead of UTC in winter and two in summer") {
  auto c = berlin();
  CHECK(c.minute_of_day(jan15 + 12 * kHour) == 13 * 60);  // 12:00Z = 13:00 CET
  CHECK(c.minute_of_day(jul15 + 12 * kHour) == 14 * 60);  // 12:00Z = 14:00 CEST
  // 23:30Z in winter is 00:30 the next local day.
  CHECK(c.minute_of_day(jan15 + 23 * kHour + 30 * kMinute) == 30);
}

TEST_CASE("Berlin's local time jumps at the 2026 summer-time switches") {
  auto c = berlin();
  // Spring: 00:59Z = 01:59 CET, 01:00Z = 03:00 CEST.
  CHECK(c.minute_of_day(mar29 + 59 * kMinute) == 119);
  CHECK(c.minute_of_day(mar29 + 1 * kHour) == 180);
  // Autumn: 00:59Z = 02:59 CEST, 01:00Z = 02:00 CET.
  CHECK(c.minute_of_day(oct25 + 59 * kMinute) == 179);
  CHECK(c.minute_of_day(oct25 + 1 * kHour) == 120);
}

TEST_CASE("the window start is inclusive and its end exclusive") {
  auto c = berlin();
  auto w = window(1, 0, 5, 0);  // 01:00-05:00 local = 00:00Z-04:00Z in winter
  CHECK_FALSE(c.in_window(w, jan15 - 1));
  CHECK(c.in_window(w, jan15));
  CHECK(c.in_window(w, jan15 + 3 * kHour + 59 * kMinute));
  CHECK_FALSE(c.in_window(w, jan15 + 4 * kHour));
}

TEST_CASE("a window across midnight is open on both sides of midnight") {
  auto c = berlin();
  auto w = window(22, 0, 2, 0);
  // Winter, local = UTC + 1h.
  CHECK(c.in_window(w, jan15 + 21 * kHour));                    // 22:00 local
  CHECK(c.in_window(w, jan15 + 22 * kHour + 30 * kMinute));     // 23:30 local
  CHECK(c.in_window(w, jan15 + 30 * kMinute));                  // 01:30 local
  CHECK_FALSE(c.in_window(w, jan15 + 1 * kHour));               // 02:00 local
  CHECK_FALSE(c.in_window(w, jan15 + 20 * kHour + 59 * kMinute));  // 21:59 local
}

TEST_CASE("a Berlin 01:00-05:00 window opens at midnight UTC in winter") {
  auto c = berlin();
  // From 12:00Z (13:00 CET) the next 01:00 CET is 00:00Z the next day.
  CHECK(c.next_window_open(window(1, 0, 5, 0), jan15 + 12 * kHour) == jan15 + kDay);
}

TEST_CASE("a Berlin 01:00-05:00 window opens at 23:00 UTC in summer") {
  auto c = berlin();
  // From 12:00Z (14:00 CEST) the next 01:00 CEST is 23:00Z the same day.
  CHECK(c.next_window_open(window(1, 0, 5, 0), jul15 + 12 * kHour) == jul15 + 23 * kHour);
}

TEST_CASE("an open window is open now, even mid-minute") {
  auto c = berlin();
  int64_t t = jan15 + 30 * kMinute + 17;  // 01:30:17 CET
  CHECK(c.next_window_open(window(1, 0, 5, 0), t) == t);
}

TEST_CASE("a window opening later the same local day") {
  auto c = berlin();
  // 12:00Z = 13:00 CET; 22:00 CET = 21:00Z. The seconds past the minute are waited out exactly.
  CHECK(c.next_window_open(window(22, 0, 2, 0), jan15 + 12 * kHour) == jan15 + 21 * kHour);
  CHECK(c.next_window_open(window(22, 0, 2, 0), jan15 + 12 * kHour + 17) == jan15 + 21 * kHour);
}

TEST_CASE("the next opening uses the offset in force when the window opens") {
  auto c = berlin();
  // From 28 March 12:00Z (13:00 CET), 04:00 local on 29 March is already CEST: 02:00Z, not the
  // 03:00Z the winter offset would give.
  CHECK(c.next_window_open(window(4, 0, 5, 0), mar28 + 12 * kHour) == mar29 + 2 * kHour);
}

TEST_CASE("a window whose start falls in the spring-forward gap opens when the clock jumps in") {
  auto c = berlin();
  // 02:30 local does not exist on 29 March; at 01:00Z the clock jumps from 02:00 CET to
  // 03:00 CEST, which is inside 02:30-04:00.
  CHECK(c.next_window_open(window(2, 30, 4, 0), mar28 + 12 * kHour) == mar29 + 1 * kHour);
}

TEST_CASE("a window in the repeated autumn hour opens a second time after the switch") {
  auto c = berlin();
  auto w = window(2, 15, 2, 45);
  // First 02:15 on 25 October is CEST (00:15Z); after that closes at 02:45 CEST (00:45Z), the
  // clock falls back at 01:00Z and reads 02:15 again, now CET, at 01:15Z.
  CHECK(c.next_window_open(w, oct24 + 12 * kHour) == oct25 + 15 * kMinute);
  CHECK(c.next_window_open(w, oct25 + 45 * kMinute) == oct25 + 1 * kHour + 15 * kMinute);
}

TEST_CASE("the next opening agrees with a minute-by-minute search") {
  // Reference: step a minute at a time from a whole-minute start until in_window holds. Covers
  // a year of start instants every 7h13m (so all times of day and both switches are hit).
  auto c = berlin();
  for (auto w : {window(1, 0, 5, 0), window(22, 0, 2, 0), window(2, 30, 3, 30), window(2, 0, 3, 0)}) {
    for (int64_t t = k2026; t < k2026 + 365 * kDay; t += 7 * kHour + 13 * kMinute) {
      int64_t ref = t;
      while (!c.in_window(w, ref)) ref += kMinute;
      INFO("window " << w.start_minute << "-" << w.end_minute << " from " << t);
      REQUIRE(c.next_window_open(w, t) == ref);
    }
  }
}
