#include "sim/cli/manual_pages.hpp"

#include <sstream>

#include "sim/cli/schema_fields.hpp"
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
  page += ".SH SEE ALSO\n.BR fleetsim\\-board (1),\n.BR fleetsim\\-scenario (5)\n";
  return page;
}

namespace {

// "string, one of a, b; a duration like ..." from a field's schema.
std::string field_summary(const nlohmann::json& f) {
  std::string out = f.is_object() && f.contains("type") && f["type"].is_string() ? f["type"].get<std::string>() : "";
  const auto add = [&](const std::string& part) { out += (out.empty() ? "" : "; ") + part; };
  if (f.contains("const")) add("exactly " + f["const"].dump());
  if (f.contains("enum") && f["enum"].is_array()) {
    std::string values;
    for (const auto& v : f["enum"]) values += (values.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
    add("one of " + values);
  }
  if (f.contains("minimum")) add("from " + f["minimum"].dump());
  if (f.contains("maximum")) add("up to " + f["maximum"].dump());
  if (f.contains("description") && f["description"].is_string()) add(f["description"].get<std::string>());
  return out;
}

}  // namespace

std::string scenario_manual_page(const nlohmann::json& schema) {
  std::string page = roff_header("FLEETSIM\\-SCENARIO", 5, "fleetsim manual");
  page += ".SH NAME\nfleetsim\\-scenario \\- the scenario file of fleetsim (JSON)\n";
  page += ".SH DESCRIPTION\n" +
          roff_prose("A scenario is one JSON document: the fleet, its regions and platform, faults, the rollout and\n"
                     "its assertions. `fleetsim validate FILE` checks it against the JSON Schema that `fleetsim schema`\n"
                     "prints (draft 2020-12); this page lists the same fields. Each is named by the path\n"
                     "`fleetsim run --set PATH=VALUE` takes: [0] stands for any array index, NAME for a key you\n"
                     "choose (a region, a CDN site, a firmware version). A field that may be a distribution also\n"
                     "takes an object with \"dist\" and its parameters, listed as sub-fields.");
  page += ".SH FIELDS\n";
  for (const SchemaField& f : schema_fields(schema, nlohmann::json::object(), "NAME"))
  {
    std::string summary;
    for (const nlohmann::json* alternative : f.schemas)
      if (const std::string one = field_summary(*alternative); !one.empty() && summary.find(one) == std::string::npos)
        summary += (summary.empty() ? "" : "; or ") + one;
    page += ".TP\n\\fB" + roff_escape(f.path) + "\\fR\n" + roff_escape(summary.empty() ? "any JSON value" : summary) + "\n";
  }
  page += ".SH SEE ALSO\n.BR fleetsim (1)\n";
  return page;
}

}  // namespace fleetsim
