// Escaping text for XML (junit.xml) and HTML (report.html, suite.html).
#pragma once

#include <string>

namespace fleetsim {

// Text with the five special characters escaped and the control characters XML 1.0 forbids
// dropped; safe in element content and in quoted attribute values.
std::string xml_escape(const std::string& text);

}  // namespace fleetsim
