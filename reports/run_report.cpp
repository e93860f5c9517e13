#include "reports/run_report.hpp"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "reports/run_outputs.hpp"
#include "sim/core/json_document.hpp"
#include "sim/results/verdict.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> split(const std::string& line, char sep) {
  std::vector<std::string> out;
  size_t from = 0;
  for (;;) {
    size_t at = line.find(sep, from);
    out.push_back(line.substr(from, at == std::string::npos ? std::string::npos : at - from));
    if (at == std::string::npos) return out;
    from = at + 1;
  }
}

std::string parse_timeseries(const std::string& text, Timeseries& ts) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) return "empty (expected a header line and one row per output.interval)";
  const std::vector<std::string> header = split(line, ',');
  if (header.empty() || header[0] != "t_s")
    return "line 1: not a fleetsim timeseries.csv header (expected it to start with \"t_s,\")";
  int state_col = -1;
  for (size_t c = 0; c < header.size(); ++c) {
    if (header[c] == "rollout_state")
      state_col = int(c);
    else
      ts.columns.push_back(header[c]);
  }
  ts.values.resize(ts.columns.size());
  for (size_t row = 2; std::getline(in, line); ++row) {
    if (line.empty()) continue;
    const std::vector<std::string> cells = split(line, ',');
    if (cells.size() != header.size())
      return "line " + std::to_string(row) + " has " + std::to_string(cells.size()) + " fields (expected " +
             std::to_string(header.size()) + ")";
    size_t v = 0;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (int(c) == state_col) {
        ts.rollout_state.push_back(cells[c]);
        continue;
      }
      char* end = nullptr;
      const double x = std::strtod(cells[c].c_str(), &end);
      if (cells[c].empty() || *end != '\0')
        return "line " + std::to_string(row) + ", column " + header[c] + ": \"" + cells[c] + "\" is not a number";
      ts.values[v++].push_back(x);
    }
  }
  if (ts.rows() == 0) return "no rows after the header (a run writes one per output.interval)";
  return "";
}

std::string parse_checks(const std::string& text, std::vector<CheckResult>& checks) {
  try {
    // Named: a range-for over Json::parse(text).at(…) would iterate a destroyed temporary.
    const Json doc = Json::parse(text);
    for (const Json& c : doc.at("checks")) {
      CheckResult r;
      r.group = c.at("group").get<std::string>();
      r.name = c.at("name").get<std::string>();
      const std::string outcome = c.at("outcome").get<std::string>();
      if (outcome == "passed")
        r.outcome = CheckResult::Outcome::Passed;
      else if (outcome == "failed")
        r.outcome = CheckResult::Outcome::Failed;
      else if (outcome == "error")
        r.outcome = CheckResult::Outcome::Error;
      else
        return "unknown outcome \"" + outcome + "\" (expected passed, failed or error)";
      r.seconds = c.at("seconds").get<double>();
      r.message = c.at("message").get<std::string>();
      r.detail = c.at("detail").get<std::string>();
      if (const auto p = c.find("properties"); p != c.end())
        for (const Json& kv : *p) r.properties.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
      checks.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// What is wrong with summary.json's update_duration_histogram, or "": the pages draw the
// time-to-update chart from it, and cannot from bins of no width or counts that are not counts.
std::string histogram_problem(const Json& h) {
  if (!h.is_object()) return "not an object (expected {\"bin_s\": seconds, \"counts\": [...]})";
  const Json& bin = lookup(h, "bin_s");
  if (!bin.is_number() || !(bin.get<double>() > 0) || !std::isfinite(bin.get<double>()))
    return "\"bin_s\" is " + bin.dump() + " (expected the bins' width in seconds, above 0)";
  const Json& counts = lookup(h, "counts");
  if (!counts.is_array()) return "\"counts\" is " + (counts.is_null() ? std::string("missing") : counts.dump()) +
                                 " (expected an array of device counts)";
  // A bound far above any fleet, low enough that the counts of a 64 MiB file add up in int64.
  constexpr uint64_t kMaxCount = uint64_t(1) << 32;
  for (const Json& c : counts)
    if (!c.is_number_integer() || (c.is_number_unsigned() ? c.get<uint64_t>() > kMaxCount : c.get<int64_t>() != 0))
      return "\"counts\" holds " + c.dump() + " (expected device counts: integers from 0 to 2^32)";
  return "";
}

}  // namespace

const Json& lookup(const Json& j, std::string_view path) {
  static const Json null;
  const Json* at = &j;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string key(path.substr(0, slash));
    if (!at->is_object()) return null;
    auto it = at->find(key);
    if (it == at->end()) return null;
    at = &*it;
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return *at;
}

const std::vector<double>* Timeseries::column(const std::string& name) const {
  for (size_t c = 0; c < columns.size(); ++c)
    if (columns[c] == name) return &values[c];
  return nullptr;
}

std::vector<std::string> Timeseries::suffixes(const std::string& prefix) const {
  std::vector<std::string> out;
  for (const std::string& c : columns)
    if (c.rfind(prefix, 0) == 0) out.push_back(c.substr(prefix.size()));
  return out;
}

RunReportRead parse_run_report(const std::string& summary_json, const std::string& timeseries_csv,
                               const std::string& scenario_json, const std::string& checks_text,
                               const std::string& dir) {
  RunReportRead r;
  RunReport rep;
  try {
    rep.summary = Json::parse(summary_json);
    if (!rep.summary.is_object()) {
      r.error = dir + "/summary.json: not a JSON object (expected the summary.json of `fleetsim run`)";
      return r;
    }
    for (const char* key : {"scenario", "rollout", "devices", "platform", "assertions", "update_duration_histogram"})
      if (!rep.summary.contains(key)) {
        r.error = dir + "/summary.json: no \"" + key + "\" (written by an older fleetsim? run the scenario again)";
        return r;
      }
  } catch (const std::exception& e) {
    r.error = dir + "/summary.json: " + e.what();
    return r;
  }
  if (std::string err = histogram_problem(rep.summary["update_duration_histogram"]); !err.empty()) {
    r.error = dir + "/summary.json: /update_duration_histogram: " + err + " (run the scenario again to rewrite it)";
    return r;
  }
  if (std::string err = parse_timeseries(timeseries_csv, rep.timeseries); !err.empty()) {
    r.error = dir + "/timeseries.csv: " + err;
    return r;
  }
  if (!checks_text.empty())
    if (std::string err = parse_checks(checks_text, rep.checks); !err.empty()) {
      r.error = dir + "/checks.json: " + err;
      return r;
    }
  if (!scenario_json.empty()) {
    // As a scenario file is read: nesting deeper than kMaxJsonDepth is refused before parsing (a
    // comparison walks the document recursively).
    std::vector<Problem> problems;
    const std::optional<Json> doc = parse_json_document(scenario_json, problems);
    if (doc && problems.empty() && !doc->is_object())
      problems.push_back({"", "not a JSON object (expected the scenario as run)"});
    if (!problems.empty()) {
      r.error = format_problems(dir + "/scenario.json", problems);
      while (!r.error.empty() && r.error.back() == '\n') r.error.pop_back();
      return r;
    }
  }
  rep.scenario = scenario_json;
  r.report = std::move(rep);
  return r;
}

RunReportRead read_run_report(const std::string& dir, const std::vector<std::string>& also) {
  RunReportRead r;
  const std::vector<std::string> inputs = {"summary.json", "timeseries.csv", "scenario.json", "checks.json"};
  std::vector<std::string> wanted = inputs;
  wanted.insert(wanted.end(), also.begin(), also.end());
  ResultsFolderRead read = read_results_folder(dir, wanted, report_output_names());
  if (!read.folder) {
    r.error = read.error;
    return r;
  }
  const ResultsFolder& f = *read.folder;
  if (f.state == RunState::Interrupted) {
    r.interrupted = true;
    r.error = dir + ": the run was interrupted before its end and has no results (see its junit.xml); run the "
                    "scenario again";
    return r;
  }
  for (const std::string& name : inputs) {
    const bool required = name == "summary.json" || name == "timeseries.csv";
    if (required && !f.lists(name)) {
      r.error = dir + ": " + kManifestFile + " does not list " + name + " (expected the output folder of `fleetsim run`)";
      return r;
    }
    if (f.lists(name) && f.text(name).empty()) {
      r.error = dir + "/" + name + ": empty (a run never writes it empty); run the scenario again";
      return r;
    }
  }
  r = parse_run_report(f.text("summary.json"), f.text("timeseries.csv"), f.text("scenario.json"),
                       f.text("checks.json"), dir);
  r.files = f.files;
  r.run_id = f.run_id;
  for (const std::string& name : also)
    if (f.lists(name)) r.also[name] = f.text(name);
  return r;
}

int64_t integer_value(const Json& j, const char* key, int64_t fallback) {
  const Json v = j.value(key, Json(fallback));  // throws like value() when `j` is not an object
  const bool fits = v.is_number_integer() &&
                    !(v.is_number_unsigned() && v.get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max()));
  if (!fits) throw Json::type_error::create(302, std::string("\"") + key + "\" must be an integer, but is " + v.dump(), &v);
  return v.get<int64_t>();
}

std::string checks_json(const std::vector<CheckResult>& checks) {
  Json list = Json::array();
  for (const CheckResult& c : checks) {
    list.push_back({{"group", c.group},
                    {"name", c.name},
                    {"outcome", outcome_name(c.outcome)},
                    {"seconds", c.seconds},
                    {"message", c.message},
                    {"detail", c.detail}});
    if (!c.properties.empty()) {
      Json props = Json::array();  // pairs, in order (names may repeat in JUnit)
      for (const auto& [name, value] : c.properties) props.push_back({name, value});
      list.back()["properties"] = props;
    }
  }
  return Json{{"checks", list}}.dump(2) + "\n";
}

}  // namespace fleetsim
