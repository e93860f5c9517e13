#include "sim/cli/scenario_suite.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/core/atomic_file.hpp"
#include "sim/core/child_process.hpp"
#include "sim/core/exit_codes.hpp"
#include "reports/junit_writer.hpp"
#include "reports/run_report.hpp"
#include "reports/test_cases.hpp"

namespace fleetsim {

namespace fs = std::filesystem;

namespace {

bool excluded(const std::string& rel, const std::vector<std::string>& excludes) {
  for (const std::string& pattern : excludes)
    for (size_t slash = rel.find('/');; slash = rel.find('/', slash + 1)) {
      const std::string prefix = rel.substr(0, slash);  // each parent folder, then the whole path
      if (fnmatch(pattern.c_str(), prefix.c_str(), 0) == 0) return true;
      if (slash == std::string::npos) break;
    }
  return false;
}

// A JSON Schema, not a scenario: its top-level "$schema" names json-schema.org.
bool is_json_schema(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const auto doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("$schema") || !doc["$schema"].is_string()) return false;
  return doc["$schema"].get<std::string>().find("json-schema.org") != std::string::npos;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

CheckResult error_case(const std::string& name, const std::string& message, const std::string& detail) {
  CheckResult c;
  c.group = "scenario";
  c.name = name;
  c.outcome = CheckResult::Outcome::Error;
  c.message = message;
  c.detail = detail;
  return c;
}

std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

// Why a scenario did not pass, for the console: its first few problems or failed cases.
std::string reasons(const SuiteEntry& e) {
  constexpr int kShown = 3;
  std::string out;
  int shown = 0, more = 0;
  for (const CheckResult& c : e.cases) {
    if (c.outcome == CheckResult::Outcome::Passed) continue;
    if (e.exit_code == exit_code::kBadInput) {  // the problems, one a line, as `fleetsim run` printed them
      std::istringstream lines(c.detail);
      for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line.find(" problem(s) in ") != std::string::npos) continue;
        if (shown < kShown) out += "      " + line + "\n", ++shown;
        else ++more;
      }
      continue;
    }
    if (shown < kShown) out += "      " + c.name + ": " + c.message + "\n", ++shown;
    else ++more;
  }
  if (more > 0) out += "      … and " + std::to_string(more) + " more\n";
  return out;
}

// Fills the entry's cases from its results directory, or an error case saying why it has none.
void collect(SuiteEntry& e, const fs::path& out_dir) {
  if (e.exit_code == exit_code::kBadInput) {
    e.cases.push_back(error_case("scenario is valid", first_line(e.log), e.log));
    return;
  }
  if (e.exit_code != exit_code::kOk && e.exit_code != exit_code::kFailed) {
    e.cases.push_back(error_case("scenario ran", "fleetsim run exited with " + std::to_string(e.exit_code), e.log));
    return;
  }
  RunReportRead read = read_run_report(out_dir.string());
  if (!read.report) {
    e.exit_code = exit_code::kInfrastructure;
    e.cases.push_back(error_case("results readable", read.error, e.log));
    return;
  }
  try {
    e.cases = run_test_cases(*read.report);
    e.rollout_state = lookup(read.report->summary, "rollout/state").get<std::string>();
    e.on_target_fraction = lookup(read.report->summary, "devices/on_target_fraction").get<double>();
  } catch (const nlohmann::json::exception& ex) {
    e.exit_code = exit_code::kInfrastructure;
    e.cases = {error_case("results readable", out_dir.string() + "/summary.json: " + ex.what(), e.log)};
  }
}

}  // namespace

std::vector<std::string> suite_scenario_files(const std::string& dir, const std::vector<std::string>& excludes,
                                              std::vector<std::string>& skipped) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    const std::string rel = fs::relative(entry.path(), dir).generic_string();
    if (excluded(rel, excludes) || is_json_schema(entry.path()))
      skipped.push_back(rel);
    else
      files.push_back(rel);
  }
  std::sort(files.begin(), files.end());
  std::sort(skipped.begin(), skipped.end());
  return files;
}

int run_suite(const SuiteOptions& o, std::ostream& log) {
  std::vector<std::string> skipped;
  std::vector<std::string> files;
  try {
    files = suite_scenario_files(o.dir, o.excludes, skipped);
  } catch (const fs::filesystem_error& e) {
    log << "fleetsim: cannot read the suite directory " << o.dir << ": " << e.code().message() << "\n";
    return exit_code::kInfrastructure;
  }
  for (const std::string& s : skipped) log << "  skip " << s << " (JSON Schema or --exclude)\n";
  if (files.empty()) {
    log << "fleetsim: no scenario files (*.json) in " << o.dir << "\n";
    return exit_code::kBadInput;
  }

  std::vector<SuiteEntry> entries(files.size());
  ChildProcessPool pool(o.jobs, o.limits);
  size_t next = 0;
  while (next < files.size() || !pool.idle()) {
    while (next < files.size() && !pool.full()) {
      SuiteEntry& e = entries[next];
      e.file = files[next];
      e.out = e.file.substr(0, e.file.size() - 5);  // without ".json"
      const fs::path out_dir = fs::path(o.out) / e.out;
      std::error_code ec;
      fs::create_directories(out_dir, ec);
      const std::string why =
          ec ? ec.message()
             : pool.start(next, {o.fleetsim, "run", (fs::path(o.dir) / e.file).string(), "--out", out_dir.string(),
                                 "--quiet"},
                          (out_dir / "run.log").string());
      if (!why.empty()) {
        log << "fleetsim: cannot run " << e.file << " into " << out_dir.string() << ": " << why << "\n";
        e.exit_code = exit_code::kInfrastructure;
      }
      ++next;
    }
    if (pool.idle()) continue;
    const EndedChild ended = pool.wait_any();
    SuiteEntry& e = entries[ended.id];
    e.exit_code = ended.exit.status();
    e.log = slurp(fs::path(o.out) / e.out / "run.log");
    collect(e, fs::path(o.out) / e.out);
    static const char* kWords[] = {"pass   ", "FAIL   ", "INVALID", "ERROR  "};
    log << "  " << kWords[std::clamp(e.exit_code, 0, exit_code::kInfrastructure)] << " " << e.file << "\n"
        << reasons(e);
  }

  bool invalid = false, infrastructure = false, failed = false;
  std::vector<JunitScenario> junit;
  for (SuiteEntry& e : entries) {
    if (e.cases.empty()) collect(e, fs::path(o.out) / e.out);  // one that could not start
    invalid = invalid || e.exit_code == exit_code::kBadInput;
    infrastructure = infrastructure || (e.exit_code != exit_code::kOk && e.exit_code != exit_code::kFailed &&
                                        e.exit_code != exit_code::kBadInput);
    failed = failed || e.exit_code == exit_code::kFailed;
    junit.push_back({e.out, e.cases});
  }
  const std::string title = "fleetsim suite " + o.dir;
  const std::string err =
      write_files_atomically({{(fs::path(o.out) / "suite.html").string(), suite_index_html(title, entries)},
                              {o.junit, junit_xml(title, junit)}});
  if (!err.empty()) {
    log << "fleetsim: " << err << "\n";
    return exit_code::kInfrastructure;
  }
  log << "suite: " << entries.size() << " scenarios; index " << (fs::path(o.out) / "suite.html").string() << ", JUnit "
      << o.junit << "\n";
  return invalid          ? exit_code::kBadInput
         : infrastructure ? exit_code::kInfrastructure
         : failed         ? exit_code::kFailed
                          : exit_code::kOk;
}

}  // namespace fleetsim
