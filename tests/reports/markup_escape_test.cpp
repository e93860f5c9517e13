// Text from scenarios, file names and run logs reaches junit.xml, report.html, suite.html and
// sweep.html through xml_escape; whatever its bytes, the documents stay well-formed UTF-8 XML.
// The outputs are checked with real XML parsers (Python's xml.etree, libxml2's xmllint).
#include <catch2/catch.hpp>
#include <fstream>
#include <string>

#include "reports/junit_writer.hpp"
#include "reports/markup_escape.hpp"
#include "tests/cli_runner.hpp"
#include "tests/test_scenarios.hpp"

using namespace fleetsim;
using namespace fleetsim::testing;

namespace {

// Python's strict XML parser over the file: "ok" and the text of every element's attributes and
// text, or its error.
Cli python_parse(const std::string& file) {
  return run_program("python3", "-c " + shell_quote("import sys, xml.etree.ElementTree as E\n"
                                                    "root = E.parse(sys.argv[1]).getroot()\n"
                                                    "print('ok', root.tag)\n") +
                                    " " + shell_quote(file));
}

}  // namespace

TEST_CASE("xml_escape replaces invalid UTF-8 and XML-forbidden characters with U+FFFD", "[reports][markup]") {
  const std::string fffd = "\xEF\xBF\xBD";
  // Special characters, kept multi-byte characters (é, €, U+1F600), and each broken form once:
  // a lone continuation byte, a truncated sequence, an overlong '/' (C0 AF), an encoded surrogate
  // (ED A0 80), a code point above U+10FFFF (F4 90 80 80), U+FFFE, a C0 control and DEL.
  CHECK(xml_escape("<a href=\"x\">&'") == "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
  CHECK(xml_escape("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  CHECK(xml_escape("a\x80z") == "a" + fffd + "z");
  CHECK(xml_escape("a\xE2\x82") == "a" + fffd + fffd);
  CHECK(xml_escape("\xC0\xAF") == fffd + fffd);
  CHECK(xml_escape("\xED\xA0\x80") == fffd + fffd + fffd);
  CHECK(xml_escape("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);
  CHECK(xml_escape("\xEF\xBF\xBE") == fffd);
  CHECK(xml_escape(std::string("a\x01\x1F\x7F") + '\0' + "b") == "a" + fffd + fffd + fffd + fffd + "b");
  CHECK(xml_escape("tab\tnewline\ncr\r") == "tab\tnewline\ncr\r");
}

TEST_CASE("junit.xml with invalid UTF-8 and control characters in every field is read by Python and xmllint",
          "[reports][markup]") {
  CheckResult c;
  c.group = "g\xFF";
  c.name = "case \x01\xC3";
  c.outcome = CheckResult::Outcome::Failed;
  c.message = "bad byte \xFE and ]]> and \x1B[31m";
  c.detail = "\xED\xBF\xBF";
  TempDir dir;
  const std::string file = dir / "junit.xml";
  std::ofstream(file, std::ios::binary) << junit_xml("title \x80", {{"scen\xE9rio", {c}}});
  const Cli py = python_parse(file);
  INFO(py.output);
  CHECK(py.exit_code == 0);
  CHECK(py.output == "ok testsuites\n");
  const Cli lint = run_program("xmllint", "--noout " + shell_quote(file));
  INFO(lint.output);
  CHECK(lint.exit_code == 0);
  CHECK(lint.output.empty());
}

TEST_CASE("A suite over a scenario with an invalid UTF-8 byte writes junit.xml a real XML parser reads",
          "[reports][markup][suite]") {
  // Before: the raw byte from the syntax error went into junit.xml, which xmllint refused.
  TempDir dir;
  std::string text = minimal_scenario(3).dump();
  text.insert(text.find("\"name\":") + 8, "caf\xE9 ");  // Latin-1 é inside the name string
  std::filesystem::create_directories(dir / "in");
  std::ofstream(dir / "in/latin1.json", std::ios::binary) << text;
  const Cli r = run_fleetsim("suite " + shell_quote(dir / "in") + " --out " + shell_quote(dir / "out"));
  INFO(r.output);
  CHECK(r.exit_code == 2);  // the scenario is invalid: the loader refuses ill-formed UTF-8
  const std::string junit = slurp(dir / "out/junit.xml");
  CHECK(junit.find("ill-formed UTF-8") != std::string::npos);
  CHECK(junit.find("caf\xE9") == std::string::npos);
  const Cli py = python_parse(dir / "out/junit.xml");
  INFO(py.output);
  CHECK(py.output == "ok testsuites\n");
  CHECK(run_program("xmllint", "--noout " + shell_quote(dir / "out/junit.xml")).exit_code == 0);
  // suite.html is HTML, not XML, but must decode as UTF-8.
  const Cli utf8 = run_program("python3", "-c " + shell_quote("import sys; open(sys.argv[1], 'rb').read().decode('utf-8'); print('ok')") +
                                              " " + shell_quote(dir / "out/suite.html"));
  CHECK(utf8.output == "ok\n");
}
