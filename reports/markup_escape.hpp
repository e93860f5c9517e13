// Escaping text for XML (junit.xml) and HTML (report.html, suite.html).
#pragma once

#include <string>

namespace fleetsim {

// Text with the five special characters escaped, safe in element content and in quoted attribute
// values of a UTF-8 document: bytes that are not well-formed UTF-8, the control characters XML
// 1.0 forbids, DEL, U+FFFE and U+FFFF each become U+FFFD, so the output is always well-formed.
std::string xml_escape(const std::string& text);

}  // namespace fleetsim
