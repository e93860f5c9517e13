#include "sim/core/options_manual.hpp"

#include <sstream>

#include "sim/core/build_version.hpp"

namespace fleetsim {

namespace po = boost::program_options;

std::string options_caption(const po::options_description& desc) {
  std::ostringstream printed;
  printed << desc;
  std::istringstream lines(printed.str());
  std::string caption;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  -", 0) == 0) break;
    caption += line + "\n";
  }
  while (!caption.empty() && (caption.back() == '\n' || caption.back() == ':')) caption.pop_back();
  return caption;
}

std::string roff_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

std::string roff_prose(const std::string& text) {
  std::string out;
  std::istringstream lines(text);
  bool paragraph_open = false;
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) {
      if (paragraph_open) out += ".PP\n";
      paragraph_open = false;
      continue;
    }
    out += roff_escape(line.substr(first)) + "\n";
    paragraph_open = true;
  }
  return out;
}

std::string roff_options(const po::options_description& desc) {
  std::string out;
  for (const auto& option : desc.options()) {
    const std::string long_name = option->long_name();
    const std::string shown = option->format_name();  // "-o [ --out ]" or "--out"
    std::string names;
    if (shown.size() > 1 && shown[0] == '-' && shown[1] != '-') names = "\\fB" + roff_escape(shown.substr(0, 2)) + "\\fR, ";
    names += "\\fB\\-\\-" + roff_escape(long_name) + "\\fR";
    const std::string parameter = option->format_parameter();  // "arg (=native)", "" for a switch
    if (!parameter.empty()) names += " \\fI" + roff_escape(parameter) + "\\fR";
    out += ".TP\n" + names + "\n" + roff_escape(option->description()) + "\n";
  }
  return out;
}

std::string roff_header(const std::string& name, int section, const std::string& title) {
  return ".TH " + name + " " + std::to_string(section) + " \"\" \"fleetsim " + build_version() + "\" \"" + title +
         "\"\n";
}

}  // namespace fleetsim
