// What a JUnit consumer relies on in a junit.xml, checked on the parsed document: <testsuites>
// with <testsuite> children whose tests / failures / errors counts match their <testcase>
// children, every case named, with a numeric time, and at most one <failure> or <error>.
#pragma once

#include <catch2/catch.hpp>
#include <string>

#include "tests/reports/xml_reader.hpp"

namespace fleetsim::testing {

struct JunitCounts {
  int tests = 0, failures = 0, errors = 0;
};

inline JunitCounts check_junit_structure(const XmlElement& root) {
  REQUIRE(root.name == "testsuites");
  JunitCounts total;
  for (const XmlElement& suite : root.children) {
    REQUIRE(suite.name == "testsuite");
    CHECK(!suite.attr("name").empty());
    JunitCounts counts;
    for (const XmlElement& c : suite.children) {
      REQUIRE(c.name == "testcase");
      CHECK(!c.attr("name").empty());
      CHECK(c.attr("classname") == suite.attr("name"));
      CHECK(std::stod(c.attr("time")) >= 0);
      const size_t failures = c.all("failure").size(), errors = c.all("error").size();
      CHECK(failures + errors <= 1);
      ++counts.tests;
      counts.failures += int(failures);
      counts.errors += int(errors);
    }
    CHECK(std::stoi(suite.attr("tests")) == counts.tests);
    CHECK(std::stoi(suite.attr("failures")) == counts.failures);
    CHECK(std::stoi(suite.attr("errors")) == counts.errors);
    total.tests += counts.tests;
    total.failures += counts.failures;
    total.errors += counts.errors;
  }
  CHECK(std::stoi(root.attr("tests")) == total.tests);
  CHECK(std::stoi(root.attr("failures")) == total.failures);
  CHECK(std::stoi(root.attr("errors")) == total.errors);
  return total;
}

}  // namespace fleetsim::testing
