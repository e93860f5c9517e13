#include "reports/run_report.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

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

// Reads a file that may be absent; false only when it exists but cannot be read.
bool read_optional(const std::filesystem::path& path, std::string& out) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return true;
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  out = s.str();
  return true;
}

std::string parse_timeseries(const std::string& text, Timeseries& ts) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line)) return "";
  const std::vector<std::string> header = split(line, ',');
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
      checks.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    return e.what();
  }
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
    for (const char* key : {"scenario", "rollout", "devices", "platform", "assertions", "update_duration_histogram"})
      if (!rep.summary.contains(key)) {
        r.error = dir + "/summary.json: no \"" + key + "\" (written by an older fleetsim? run the scenario again)";
        return r;
      }
  } catch (const std::exception& e) {
    r.error = dir + "/summary.json: " + e.what();
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
  rep.scenario = scenario_json;
  r.report = std::move(rep);
  return r;
}

RunReportRead read_run_report(const std::string& dir) {
  const std::filesystem::path d(dir);
  std::string summary, timeseries, scenario, checks;
  std::error_code ec;
  if (!std::filesystem::exists(d / "summary.json", ec)) {
    RunReportRead r;
    r.error = dir + ": no summary.json (expected the output directory of `fleetsim run`)";
    return r;
  }
  for (auto [name, text] : {std::pair{"summary.json", &summary}, std::pair{"timeseries.csv", &timeseries},
                            std::pair{"scenario.json", &scenario}, std::pair{"checks.json", &checks}})
    if (!read_optional(d / name, *text)) {
      RunReportRead r;
      r.error = (d / name).string() + ": cannot read the file";
      return r;
    }
  return parse_run_report(summary, timeseries, scenario, checks, dir);
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
  for (const CheckResult& c : checks)
    list.push_back({{"group", c.group},
                    {"name", c.name},
                    {"outcome", outcome_name(c.outcome)},
                    {"seconds", c.seconds},
                    {"message", c.message},
                    {"detail", c.detail}});
  return Json{{"checks", list}}.dump(2) + "\n";
}

}  // namespace fleetsim
