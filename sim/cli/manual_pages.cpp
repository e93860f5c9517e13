#include "sim/cli/manual_pages.hpp"

#include <sstream>

#include "sim/core/options_manual.hpp"

namespace fleetsim {

namespace {

// Verbatim lines (no filling), escaped.
std::string roff_verbatim(const std::string& text) {
  std::string out = ".nf\n";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) out += (line.empty() ? "" : roff_escape(line)) + "\n";
  return out + ".fi\n";
}

// A --help caption without boost's closing "Options" heading.
std::string caption_prose(std::string caption) {
  const auto last = caption.rfind('\n');
  const std::string tail = last == std::string::npos ? caption : caption.substr(last + 1);
  if (tail == "Options") caption.erase(last == std::string::npos ? 0 : last);
  return caption;
}

}  // namespace

std::string fleetsim_manual_page(const std::string& usage, const std::vector<CommandManual>& commands) {
  std::string synopsis, exit_codes;
  std::istringstream lines(usage);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  ", 0) == 0) synopsis += line.substr(2) + "\n";
    if (line.rfind("Exit codes:", 0) == 0) exit_codes = line;
  }
  std::string page = roff_header("FLEETSIM", 1, "fleetsim manual");
  page += ".SH NAME\nfleetsim \\- fleet firmware\\-rollout simulator and hardware\\-in\\-the\\-loop test harness\n";
  page += ".SH SYNOPSIS\n" + roff_verbatim(synopsis);
  page += ".SH COMMANDS\n";
  for (const CommandManual& c : commands) {
    page += ".SS fleetsim " + roff_escape(c.name) + "\n";
    if (!c.usage.empty()) page += roff_verbatim(c.usage);
    if (c.options) {
      // The caption's first line is the command's synopsis, the rest its prose.
      const std::string caption = caption_prose(options_caption(*c.options));
      const auto end = caption.find('\n');
      if (c.usage.empty() && !caption.empty()) page += roff_verbatim(caption.substr(0, end)) + ".PP\n";
      if (end != std::string::npos) page += roff_prose(caption.substr(end + 1));
      page += roff_options(*c.options);
    }
  }
  page += ".SH EXIT STATUS\n" + roff_prose(exit_codes);
  page += ".SH SEE ALSO\n.BR fleetsim\\-board (1)\n";
  return page;
}

}  // namespace fleetsim
