// junit.xml: test cases (reports/test_cases.hpp) as JUnit XML, one <testsuite> per scenario and
// case group; a failed case is a <failure>, an infrastructure problem an <error>. A case's
// properties become its <properties> (as Jenkins' JUnit and xunit readers take them per case).
#pragma once

#include <string>
#include <vector>

#include "sim/results/results.hpp"

namespace fleetsim {

struct JunitScenario {
  std::string name;  // scenario (file or scenario name); prefixes suite names
  std::vector<CheckResult> cases;
};

// `title` names the <testsuites> element. Suites are "<scenario>.<group>", in order of first
// appearance; with one scenario whose name is "", just "<group>".
std::string junit_xml(const std::string& title, const std::vector<JunitScenario>& scenarios);

}  // namespace fleetsim
