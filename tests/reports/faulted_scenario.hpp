// A scenario with every kind of time band report.html shades, for the report tests.
#pragma once

#include "tests/test_scenarios.hpp"

namespace fleetsim::testing {

// Two days from 2026-12-01T00:00Z with one fault of each timed kind, a bad build, and a 01:00-05:00
// maintenance window for a cohort in Berlin (UTC+1 in December) and one in New York (UTC-5).
inline Doc faulted_scenario() {
  Doc doc = minimal_scenario(2);
  doc["start"] = "2026-12-01T00:00:00Z";
  doc["duration"] = "2d";
  doc["regions"]["r"]["outages"] = Doc::parse(R"([{"at": "40h", "for": "45m"}])");
  doc["regions"]["r"]["degradations"] = Doc::parse(R"([{"at": "2h", "for": "30m", "factor": 0.5}])");
  doc["platform"]["update_service"] = Doc::parse(R"({"capacity": "100/s"})");
  doc["faults"] = Doc::parse(R"([
    {"kind": "cdn_degradation", "region": "r", "at": "10h", "for": "1h", "factor": 0.25},
    {"kind": "update_service_brownout", "at": "20h", "for": "2h", "factor": 0.5},
    {"kind": "bad_build", "at": "30h", "boot_failure": "30%"}])");
  doc["rollout"]["maintenance_window"] = Doc::parse(R"({"local": "01:00-05:00"})");
  doc["fleet"]["cohorts"][0]["timezone"] = "Europe/Berlin";
  add_cohort(doc, "ny", "m", 2);
  doc["fleet"]["cohorts"][1]["timezone"] = "America/New_York";
  return doc;
}

}  // namespace fleetsim::testing
