#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/core/units.hpp"

using namespace fleetsim;
using namespace fleetsim::units;

namespace {

// The double-quoted examples inside a hint string.
std::vector<std::string> quoted_examples(const char* hint) {
  std::vector<std::string> out;
  std::string s(hint);
  for (size_t open = s.find('"'); open != std::string::npos; open = s.find('"', open + 1)) {
    size_t close = s.find('"', open + 1);
    if (close == std::string::npos) break;
    out.push_back(s.substr(open + 1, close - open - 1));
    open = close;
  }
  return out;
}

}  // namespace

// ---- durations -------------------------------------------------------------------------------

TEST_CASE("a duration with a single unit converts to seconds") {
  CHECK(parse_duration("250ms")->value == Approx(0.25));  // 250 / 1000
  CHECK(parse_duration("45s")->value == 45.0);
  CHECK(parse_duration("30m")->value == 1800.0);    // 30 * 60
  CHECK(parse_duration("72h")->value == 259200.0);  // 72 * 3600
  CHECK(parse_duration("2d")->value == 172800.0);   // 2 * 86400
  CHECK(parse_duration("0s")->value == 0.0);
}

TEST_CASE("a duration may have a decimal part") {
  CHECK(parse_duration("1.5h")->value == 5400.0);  // 1.5 * 3600
  CHECK(parse_duration("0.5s")->value == 0.5);
}

TEST_CASE("a compound duration is the sum of its parts") {
  CHECK(parse_duration("1h30m")->value == 5400.0);      // 3600 + 30*60
  CHECK(parse_duration("2d12h")->value == 216000.0);    // 2*86400 + 12*3600
  CHECK(parse_duration("1h30m15s")->value == 5415.0);   // 5400 + 15
  CHECK(parse_duration("1s500ms")->value == Approx(1.5));
}

TEST_CASE("a compound duration must list its units from largest to smallest, each once") {
  CHECK_FALSE(parse_duration("30m1h"));
  CHECK_FALSE(parse_duration("1h1h"));
  CHECK_FALSE(parse_duration("500ms1s"));
}

TEST_CASE("a malformed duration is rejected") {
  for (const char* bad : {"", "30", "s", "-5s", "+5s", "5x", "5sec", "5S", "5 s", " 5s", "5s ",
                          "1.s", ".5s", "1e3s", "nan", "nans", "inf", "infs", "1h30"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_duration(bad));
  }
}

// ---- sizes -----------------------------------------------------------------------------------

TEST_CASE("decimal size units are powers of 1000 and binary ones powers of 1024") {
  CHECK(parse_size("512B")->value == 512.0);
  CHECK(parse_size("10kB")->value == 10000.0);
  CHECK(parse_size("3MB")->value == 3e6);
  CHECK(parse_size("4GB")->value == 4e9);
  CHECK(parse_size("1TB")->value == 1e12);
  CHECK(parse_size("320KiB")->value == 327680.0);          // 320 * 1024
  CHECK(parse_size("2GiB")->value == 2147483648.0);        // 2 * 2^30
  CHECK(parse_size("1TiB")->value == 1099511627776.0);     // 2^40
  CHECK(parse_size("1.8MiB")->value == Approx(1887436.8));  // 1.8 * 1048576
}

TEST_CASE("a malformed size is rejected") {
  // "KB" and "kb" are ambiguous between 1000 and 1024 (or bits), so they are not accepted.
  for (const char* bad : {"", "512", "B", "-1kB", "1KB", "1kb", "1mb", "1.8 MiB", "1MiBx", "nanB",
                          "infB", "1e3B", "1.B"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_size(bad));
  }
}

TEST_CASE("a number too large to represent is rejected rather than becoming infinity") {
  std::string huge = "1" + std::string(400, '0');  // 1e400 overflows a double
  CHECK_FALSE(parse_size(huge + "B"));
  CHECK_FALSE(parse_duration(huge + "s"));
  // Finite number but infinite once scaled: 1e300 TiB ~ 1.1e312 > DBL_MAX (~1.8e308).
  CHECK_FALSE(parse_size("1" + std::string(300, '0') + "TiB"));
}

// ---- rates -----------------------------------------------------------------------------------

TEST_CASE("a bit rate converts to bytes per second at eight bits per byte") {
  CHECK(parse_rate("8bps")->value == 1.0);
  CHECK(parse_rate("25kbps")->value == 3125.0);     // 25000 / 8
  CHECK(parse_rate("1.5Mbps")->value == 187500.0);  // 1.5e6 / 8
  CHECK(parse_rate("10Gbps")->value == 1.25e9);     // 10e9 / 8
}

TEST_CASE("a byte rate uses the same units as sizes") {
  CHECK(parse_rate("1B/s")->value == 1.0);
  CHECK(parse_rate("100MB/s")->value == 1e8);
  CHECK(parse_rate("64KiB/s")->value == 65536.0);        // 64 * 1024
  CHECK(parse_rate("2GiB/s")->value == 2147483648.0);    // 2 * 2^30
  CHECK(parse_rate("1kB/s")->value == 1000.0);
}

TEST_CASE("a malformed rate is rejected") {
  for (const char* bad : {"", "25", "25kbit", "-1Mbps", "25kbps/s", "25 kbps", "1MB/min", "25KBps",
                          "25kBps", "bps", "1MB"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_rate(bad));
  }
}

// ---- fractions -------------------------------------------------------------------------------

TEST_CASE("a percentage is divided by one hundred") {
  CHECK(parse_fraction("0.5%") == Approx(0.005));
  CHECK(parse_fraction("98%") == Approx(0.98));
  CHECK(parse_fraction("100%") == 1.0);
  CHECK(parse_fraction("0%") == 0.0);
}

TEST_CASE("a plain number is taken as the fraction itself") {
  CHECK(parse_fraction("0.25") == 0.25);
  CHECK(parse_fraction("0") == 0.0);
  CHECK(parse_fraction("1") == 1.0);
}

TEST_CASE("a fraction outside zero to one is rejected") {
  for (const char* bad : {"1.5", "2", "101%", "100.1%", "-0.1", "-1%"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_fraction(bad));
  }
}

TEST_CASE("a malformed fraction is rejected") {
  for (const char* bad : {"", "%", "0.5%%", "abc", "0.5x", "nan", "inf", "50 %", "1e-2"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_fraction(bad));
  }
}

// ---- per-second rates ------------------------------------------------------------------------

TEST_CASE("a per-minute or per-hour rate converts to per second") {
  CHECK(parse_per_second("5000/s")->value == 5000.0);
  CHECK(parse_per_second("300/min")->value == Approx(5.0));         // 300 / 60
  CHECK(parse_per_second("20/h")->value == Approx(20.0 / 3600.0));  // 1/180 per second
  CHECK(parse_per_second("0.5/s")->value == 0.5);
}

TEST_CASE("a malformed per-second rate is rejected") {
  for (const char* bad : {"", "5000", "/s", "-1/s", "5000/ s", "5000 /s", "5000/sec", "5000/m",
                          "5000/s/s"}) {
    INFO("input: \"" << bad << "\"");
    CHECK_FALSE(parse_per_second(bad));
  }
}

// ---- hints -----------------------------------------------------------------------------------

TEST_CASE("every example quoted in a hint is accepted by its parser") {
  auto check_all = [](const char* hint, auto parse) {
    auto examples = quoted_examples(hint);
    INFO("hint: " << hint);
    REQUIRE_FALSE(examples.empty());
    for (const auto& e : examples) {
      INFO("example: " << e);
      CHECK(parse(e).has_value());
    }
  };
  check_all(kDurationHint, [](const std::string& s) { return parse_duration(s); });
  check_all(kSizeHint, [](const std::string& s) { return parse_size(s); });
  check_all(kRateHint, [](const std::string& s) { return parse_rate(s); });
  check_all(kFractionHint, [](const std::string& s) { return parse_fraction(s); });
  check_all(kPerSecondHint, [](const std::string& s) { return parse_per_second(s); });
}

// ---- formatting ------------------------------------------------------------------------------

TEST_CASE("a duration is formatted with its nonzero whole units, largest first") {
  CHECK(format_duration(Seconds(5400)) == "1h30m");
  CHECK(format_duration(Seconds(45)) == "45s");
  CHECK(format_duration(Seconds(172800)) == "2d");
  CHECK(format_duration(Seconds(3605)) == "1h5s");            // the zero minutes are left out
  CHECK(format_duration(Seconds(90061)) == "1d1h1m1s");       // 86400 + 3600 + 60 + 1
  CHECK(format_duration(Seconds(0)) == "0s");
}

TEST_CASE("a duration below a second is formatted in milliseconds") {
  CHECK(format_duration(Seconds(0.25)) == "250ms");
  // 999.6 ms rounds to 1000 ms, which reads better as a second.
  CHECK(format_duration(Seconds(0.9996)) == "1s");
}

TEST_CASE("a short duration keeps one decimal when it has a fraction") {
  CHECK(format_duration(Seconds(1.5)) == "1.5s");
  CHECK(format_duration(Seconds(59.97)) == "1m");  // rounds to 60 s
}

TEST_CASE("a formatted duration parses back to the same value") {
  for (double s : {0.25, 1.5, 45.0, 90.0, 5400.0, 90061.0, 259200.0}) {
    INFO("seconds: " << s);
    auto back = parse_duration(format_duration(Seconds(s)));
    REQUIRE(back);
    CHECK(back->value == Approx(s));
  }
}

TEST_CASE("a size is formatted in binary units with two decimals") {
  CHECK(format_size(Bytes(512)) == "512 B");
  CHECK(format_size(Bytes(1024)) == "1.00 KiB");
  CHECK(format_size(Bytes(1.8 * 1048576)) == "1.80 MiB");
  CHECK(format_size(Bytes(2147483648.0)) == "2.00 GiB");
  // 1048575 B = 1023.999 KiB would print as "1024.00 KiB"; the next unit reads better.
  CHECK(format_size(Bytes(1048575)) == "1.00 MiB");
}

TEST_CASE("a rate is formatted in bits per second with decimal units") {
  CHECK(format_rate(BytesPerSecond(3125)) == "25.0 kbps");   // 3125 * 8 = 25000 bit/s
  CHECK(format_rate(BytesPerSecond(1.25e9)) == "10.0 Gbps");  // 1.25e9 * 8 = 1e10 bit/s
  CHECK(format_rate(BytesPerSecond(100)) == "800 bps");
  CHECK(format_rate(BytesPerSecond(187500)) == "1.5 Mbps");  // 1.5e6 bit/s
  // 124999.99 B/s = 999.99992 kbit/s would print as "1000.0 kbps".
  CHECK(format_rate(BytesPerSecond(124999.99)) == "1.0 Mbps");
}
