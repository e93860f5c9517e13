#include "sim/cli/report_commands.hpp"

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "reports/compare_page.hpp"
#include "reports/run_comparison.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/exit_codes.hpp"
#include "reports/results_folder.hpp"
#include "reports/run_outputs.hpp"
#include "reports/test_cases.hpp"
#include "sim/cli/command_options.hpp"
#include "sim/cli/scenario_suite.hpp"

namespace fleetsim {

namespace po = boost::program_options;

namespace {

// Parses a command's options and its one positional argument, `what`. Returns nullopt when the
// command is already done: --help was printed (`code` 0) or the usage was wrong (printed, 2).
std::optional<std::string> parse_single(int argc, char** argv, const po::options_description& desc,
                                        const std::string& what, po::variables_map& vm, int& code) {
  CommandArgs args;
  if (auto done = parse_command(argc, argv, desc, args)) {
    code = *done;
    return std::nullopt;
  }
  vm = std::move(args.vm);
  if (args.positional.size() != 1) {
    const std::string command = argv[0];
    code = usage_error(command + " takes exactly one " + what, "fleetsim " + command + " --help");
    return std::nullopt;
  }
  return args.positional[0];
}

}  // namespace

int report_command(int argc, char** argv) {
  po::options_description desc(
      "fleetsim report OUT_DIR\n"
      "Regenerates report.html, junit.xml, summary.md and metrics.om from the results of a run in\n"
      "OUT_DIR (summary.json, timeseries.csv, and scenario.json / checks.json when present).\n"
      "Reads only complete results: OUT_DIR's manifest.json must list every file with its size and\n"
      "SHA-256 (an interrupted, killed or mixed folder is refused: run the scenario again).\n"
      "Exit code: that of the run (0 passed, 1 an assertion or gate failed, 3 a check could not run or\n"
      "the run was interrupted), 2 when OUT_DIR holds no complete, readable results");
  desc.add_options()("help,h", "show this help");
  po::variables_map vm;
  int code = exit_code::kOk;
  const std::optional<std::string> dir = parse_single(argc, argv, desc, "results directory", vm, code);
  if (!dir) return code;
  RunReportRead read = read_run_report(*dir);
  if (!read.report) {
    std::cerr << "fleetsim: " << read.error << "\n";
    return read.interrupted ? exit_code::kInfrastructure : exit_code::kBadInput;
  }
  OutputFiles reports;
  int verdict = exit_code::kOk;
  try {
    reports = report_output_files(*read.report);
    verdict = exit_code_for(run_test_cases(*read.report));
  } catch (const nlohmann::json::exception& e) {
    std::cerr << "fleetsim: " << *dir << "/summary.json: unexpected content (" << e.what()
              << "); run the scenario again to rewrite it\n";
    return exit_code::kBadInput;
  }
  // The data files stay; the reports are replaced under a new manifest of the same run.
  std::vector<ResultFile> kept;
  for (const ResultFile& f : read.files) {
    const auto& names = report_output_names();
    if (std::find(names.begin(), names.end(), f.name) == names.end()) kept.push_back(f);
  }
  if (std::string err = commit_results(*dir, reports, RunState::Complete, kept, read.run_id); !err.empty()) {
    std::cerr << "fleetsim: " << err << "\n";
    return exit_code::kInfrastructure;
  }
  return verdict;
}

int suite_command(int argc, char** argv) {
  po::options_description desc(
      "fleetsim suite DIR [options]\n"
      "Runs every scenario under DIR, each in its own fleetsim process, into OUT/<path without .json>/,\n"
      "then writes OUT/suite.html (linking each report.html) and one JUnit file for the suite.\n"
      "Scenarios: every *.json under DIR, recursively, except JSON Schemas (a top-level \"$schema\"\n"
      "naming json-schema.org) and paths matching an --exclude glob (matched against the path\n"
      "relative to DIR and each of its folders: --exclude bench leaves out DIR/bench/).\n"
      "Exit code: 2 if a scenario is invalid (the others still run), else 3 if one could not run,\n"
      "else 1 if an assertion or gate failed, else 0");
  desc.add_options()("out,o", po::value<std::string>()->default_value("results/suite"), "output directory")(
      "junit", po::value<std::string>(), "JUnit file for the whole suite (default: OUT/junit.xml)")(
      "exclude", po::value<std::vector<std::string>>()->composing(), "leave out matching paths (glob, repeatable)")(
      "jobs,j", po::value<int>()->default_value(1), "scenarios run at the same time")("help,h", "show this help");
  add_child_limit_options(desc);
  po::variables_map vm;
  int code = exit_code::kOk;
  const std::optional<std::string> dir = parse_single(argc, argv, desc, "directory of scenarios", vm, code);
  if (!dir) return code;
  std::error_code ec;
  if (!std::filesystem::is_directory(*dir, ec)) return usage_error(*dir + " is not a directory", "fleetsim suite --help");
  SuiteOptions o;
  o.dir = *dir;
  o.out = vm["out"].as<std::string>();
  o.junit = vm.count("junit") ? vm["junit"].as<std::string>() : o.out + "/junit.xml";
  if (vm.count("exclude")) o.excludes = vm["exclude"].as<std::vector<std::string>>();
  // Results written inside DIR (scenario.json, summary.json) must not become scenarios next time.
  const std::filesystem::path out_in_dir = std::filesystem::relative(o.out, o.dir, ec);
  if (!ec && !out_in_dir.empty() && *out_in_dir.begin() != ".." && out_in_dir != ".")
    o.excludes.push_back(out_in_dir.generic_string());
  o.jobs = vm["jobs"].as<int>();
  if (o.jobs < 1 || o.jobs > 256) return usage_error("--jobs must be from 1 to 256", "fleetsim suite --help");
  std::string limit_error;
  const std::optional<ChildLimits> limits = child_limits(vm, limit_error);
  if (!limits) return usage_error(limit_error, "fleetsim suite --help");
  o.limits = *limits;
  o.fleetsim = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  if (ec) o.fleetsim = argv[0];
  std::filesystem::create_directories(o.out, ec);
  if (ec) {
    std::cerr << "fleetsim: cannot create output directory " << o.out << ": " << ec.message() << "\n";
    return exit_code::kInfrastructure;
  }
  return run_suite(o, std::cerr);
}

int compare_command(int argc, char** argv) {
  po::options_description desc(
      "fleetsim compare RESULTS_A RESULTS_B [--html FILE] [--tolerance REL]\n"
      "Compares two runs' results folders, A the baseline and B the variant, and prints\n"
      "- what differs between their scenarios as run (scenario.json: the file after --set and --seed):\n"
      "  every JSON path with both values, e.g. /regions/us-east/outages: [{\"at\":\"40h\",\"for\":\"45m\"}] vs [];\n"
      "- their results side by side: A, B, B - A and the change in % of A.\n"
      "Runs of one scenario (they may differ in kernel settings, /kernel; e.g. --kernel native against\n"
      "--kernel simgrid) are also compared device by device, for which both must be run with\n"
      "--trace-devices: outcomes, versions, attempts and bytes per device must be equal, and times\n"
      "equal within the relative tolerance.\n"
      "--html FILE also writes one self-contained page: both runs' charts overlaid (A solid, B dashed),\n"
      "the results with their differences, the scenario differences and each run's controller decisions.\n"
      "Both folders must hold complete results: each manifest.json must list every file with its size\n"
      "and SHA-256 (an interrupted, killed or mixed folder is refused).\n"
      "Exit code: 0 when the runs are of one scenario and agree device by device, 1 when they differ\n"
      "(different scenarios, or devices that differ), 2 on bad input or incomplete results, 3 when FILE\n"
      "cannot be written");
  desc.add_options()("html", po::value<std::string>()->value_name("FILE"), "write the comparison page to FILE")(
      "tolerance", po::value<double>()->default_value(1e-6, "1e-6")->value_name("REL"), "relative tolerance on times")(
      "help,h", "show this help");
  CommandArgs a;
  if (auto done = parse_command(argc, argv, desc, a)) return *done;
  if (a.positional.size() != 2)
    return usage_error("compare takes two results directories", "fleetsim compare --help");
  const double tolerance = a.vm["tolerance"].as<double>();
  if (!(tolerance >= 0) || !std::isfinite(tolerance))
    return usage_error("--tolerance must be a relative tolerance >= 0, e.g. 1e-6", "fleetsim compare --help");
  std::string error;
  const std::optional<RunComparison> comparison = compare_runs(a.positional[0], a.positional[1], tolerance, error);
  if (!comparison) {
    std::cerr << "fleetsim: " << error << "\n";
    return exit_code::kBadInput;
  }
  std::cout << format_comparison(*comparison);
  if (a.vm.count("html")) {
    const std::string file = a.vm["html"].as<std::string>();
    std::error_code ec;
    const std::filesystem::path folder = std::filesystem::path(file).parent_path();
    if (!folder.empty()) std::filesystem::create_directories(folder, ec);
    if (std::string err = write_files_atomically({{file, compare_html(*comparison)}}); !err.empty()) {
      std::cerr << "fleetsim: --html " << file << ": " << err << "\n";
      return exit_code::kInfrastructure;
    }
    std::cout << "comparison page: " << file << "\n";
  }
  return comparison->agrees() ? exit_code::kOk : exit_code::kFailed;
}

}  // namespace fleetsim
