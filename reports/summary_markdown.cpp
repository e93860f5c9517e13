#include "reports/summary_markdown.hpp"

#include <cstdio>

#include "reports/test_cases.hpp"
#include "sim/core/build_version.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

// A table cell: no line breaks, pipes escaped.
std::string cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n')
      out += ' ';
    else
      out += c;
  }
  return out;
}

std::string text_of(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

std::string duration_or_dash(const Json& j) {
  return j.is_number() ? units::format_duration(Seconds(j.get<double>())) : std::string("—");
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// Indexed by CheckResult::Outcome: passed, failed, error.
constexpr const char* kMarks[] = {"✅", "❌", "⚠️"};

}  // namespace

std::string interrupted_summary_markdown(const std::string& scenario_name, const std::string& why) {
  return "## fleetsim: " + cell(scenario_name) + " — INTERRUPTED\n\n" + cell(why) +
         ". The run has no results: run the scenario again.\n";
}

std::string summary_markdown(const RunReport& report) {
  const Json& s = report.summary;
  const Json& sc = lookup(s, "scenario");
  const std::vector<CheckResult> cases = run_test_cases(report);
  const int code = exit_code_for(cases);
  const char* verdict = code == 0 ? "passed" : code == 1 ? "FAILED" : "ERROR";

  std::string md = "## fleetsim: " + cell(sc.value("name", "")) + " — " + verdict + "\n\n";
  const Json& dev = lookup(s, "devices");
  md += "Rollout **" + lookup(s, "rollout").value("state", "") + "**: " + text_of(lookup(dev, "on_target")) + " of " +
        text_of(lookup(sc, "devices")) + " devices on " + sc.value("target_version", "") + " (" +
        fixed(100.0 * dev.value("on_target_fraction", 0.0), 2) + " %). Seed " + text_of(lookup(sc, "seed")) + ", " +
        units::format_duration(Seconds(sc.value("duration_s", 0.0))) + " simulated from " + sc.value("start", "") +
        ".\n\n";
  if (dev.contains("held_back"))
    md += "Not updating: " + text_of(lookup(dev, "excluded")) + " devices excluded by the rollout filter, " +
          text_of(lookup(dev, "held_back")) + " held back by the rollout (not released, or canceled).\n\n";

  md += "| Time to | ";
  std::string rule = "|---|", values = "| on target | ";
  for (const auto& [p, t] : lookup(s, "rollout/time_to_s").items()) {
    md += p + " | ";
    rule += "---|";
    values += duration_or_dash(t) + " | ";
  }
  md += "\n" + rule + "\n" + values + "\n\n";

  if (const Json& warnings = lookup(s, "warnings"); !warnings.empty()) {
    md += "### Warnings\n\n| Field | Warning |\n|---|---|\n";
    for (const Json& w : warnings) md += "| " + cell(w.value("pointer", "")) + " | " + cell(w.value("message", "")) + " |\n";
    md += "\n";
  }

  std::string group;
  for (const CheckResult& c : cases) {
    if (c.group != group) {
      group = c.group;
      md += "### " + cell(group) + "\n\n|   | Case | Result |\n|---|---|---|\n";
    }
    md += std::string("| ") + kMarks[int(c.outcome)] + " | " + cell(c.name) + " | " + cell(c.message) + " |\n";
    if (&c == &cases.back() || (&c + 1)->group != group) md += "\n";
  }

  md += "### Platform\n\n| Region | Peak egress | Capacity | Peak concurrent transfers |\n|---|---|---|---|\n";
  for (const Json& r : lookup(s, "platform/regions"))
    md += "| " + cell(r.value("region", "")) + " | " +
          units::format_rate(BytesPerSecond(r.value("peak_egress_bps", 0.0) / 8.0)) + " | " +
          units::format_rate(BytesPerSecond(r.value("capacity_bps", 0.0) / 8.0)) + " | " +
          text_of(lookup(r, "peak_concurrent_transfers")) + " |\n";
  md += "\nRefused CDN connections " + text_of(lookup(s, "platform/refused_connections")) + ", throttled check-ins " +
        text_of(lookup(s, "platform/throttled_requests")) + ".\n\n";

  if (s.contains("models")) {  // absent in the summaries of older runs
    md += "### Device models\n\n| Model | Devices | Full image | Bytes delivered |\n|---|---|---|---|\n";
    for (const auto& [model, m] : lookup(s, "models").items())
      md += "| " + cell(model) + " | " + text_of(lookup(m, "devices")) + " | " +
            units::format_size(Bytes(m.value("image_bytes", 0.0))) + " | " +
            units::format_size(Bytes(m.value("bytes_delivered", 0.0))) + " |\n";
    md += "\n";
  }

  const Json& decisions = lookup(s, "rollout/decisions");
  if (!decisions.empty()) {
    md += "### Controller decisions\n\n| Simulated time | Action | Wave | Reason |\n|---|---|---|---|\n";
    for (const Json& d : decisions)
      md += "| " + units::format_duration(Seconds(d.value("t", 0.0))) + " | " + cell(d.value("action", "")) + " | " +
            text_of(lookup(d, "wave")) + " | " + cell(d.value("reason", "")) + " |\n";
  }
  md += "\n_Written by " + version_line("fleetsim") + "._\n";  // which build wrote it (README "Version")
  return md;
}

}  // namespace fleetsim
