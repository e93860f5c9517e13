#include "reports/junit_writer.hpp"

#include <cstdio>

#include "reports/markup_escape.hpp"

namespace fleetsim {

namespace {

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

struct Suite {
  std::string name;
  std::vector<const CheckResult*> cases;
  int failures = 0, errors = 0;
  double seconds = 0;
};

}  // namespace

std::string junit_xml(const std::string& title, const std::vector<JunitScenario>& scenarios) {
  std::vector<Suite> suites;
  int tests = 0, failures = 0, errors = 0;
  double seconds = 0;
  for (const JunitScenario& sc : scenarios) {
    const size_t first = suites.size();
    for (const CheckResult& c : sc.cases) {
      const std::string name = sc.name.empty() ? c.group : sc.name + "." + c.group;
      size_t i = first;
      while (i < suites.size() && suites[i].name != name) ++i;
      if (i == suites.size()) suites.push_back({name, {}, 0, 0, 0});
      Suite& s = suites[i];
      s.cases.push_back(&c);
      s.failures += c.outcome == CheckResult::Outcome::Failed;
      s.errors += c.outcome == CheckResult::Outcome::Error;
      s.seconds += c.seconds;
    }
  }
  for (const Suite& s : suites) {
    tests += int(s.cases.size());
    failures += s.failures;
    errors += s.errors;
    seconds += s.seconds;
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"" + xml_escape(title) + "\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
         std::to_string(failures) + "\" errors=\"" + std::to_string(errors) + "\" time=\"" + seconds_text(seconds) +
         "\">\n";
  for (const Suite& s : suites) {
    out += "  <testsuite name=\"" + xml_escape(s.name) + "\" tests=\"" + std::to_string(s.cases.size()) +
           "\" failures=\"" + std::to_string(s.failures) + "\" errors=\"" + std::to_string(s.errors) +
           "\" skipped=\"0\" time=\"" + seconds_text(s.seconds) + "\">\n";
    for (const CheckResult* c : s.cases) {
      out += "    <testcase classname=\"" + xml_escape(s.name) + "\" name=\"" + xml_escape(c->name) + "\" time=\"" +
             seconds_text(c->seconds) + "\"";
      if (c->outcome == CheckResult::Outcome::Passed && c->detail.empty() && c->properties.empty()) {
        out += "/>\n";
        continue;
      }
      out += ">\n";
      if (!c->properties.empty()) {
        out += "      <properties>\n";
        for (const auto& [name, value] : c->properties)
          out += "        <property name=\"" + xml_escape(name) + "\" value=\"" + xml_escape(value) + "\"/>\n";
        out += "      </properties>\n";
      }
      // The text says each thing once: the detail alone when it begins with the message (a
      // validation log's first problem is the message), and no copy of it in system-out.
      const std::string text = c->detail.empty()                 ? c->message
                               : c->detail.rfind(c->message, 0) == 0 ? c->detail
                                                                    : c->message + "\n" + c->detail;
      if (c->outcome != CheckResult::Outcome::Passed) {
        const char* tag = c->outcome == CheckResult::Outcome::Failed ? "failure" : "error";
        out += std::string("      <") + tag + " message=\"" + xml_escape(c->message) + "\">" + xml_escape(text) +
               "</" + tag + ">\n";
      } else {
        out += "      <system-out>" + xml_escape(text) + "</system-out>\n";
      }
      out += "    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

}  // namespace fleetsim
