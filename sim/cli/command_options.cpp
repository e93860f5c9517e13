#include "sim/cli/command_options.hpp"

#include <cmath>
#include <iostream>
#include <sstream>

#include "sim/core/exit_codes.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {

namespace po = boost::program_options;

int usage_error(const std::string& message, const std::string& help) {
  std::cerr << "fleetsim: " << message << "\n(see '" << help << "')\n";
  return exit_code::kBadInput;
}

namespace {
std::optional<po::options_description>* g_described = nullptr;  // set while describe_options runs
}  // namespace

std::optional<po::options_description> describe_options(const std::function<void()>& run) {
  std::optional<po::options_description> described;
  std::ostringstream discarded;
  std::streambuf* const out = std::cout.rdbuf(discarded.rdbuf());
  g_described = &described;
  try {
    run();
  } catch (...) {
    g_described = nullptr;
    std::cout.rdbuf(out);
    throw;
  }
  g_described = nullptr;
  std::cout.rdbuf(out);
  return described;
}

bool describing_options(const po::options_description& desc) {
  if (!g_described) return false;
  g_described->emplace(desc);
  return true;
}

std::optional<int> parse_command(int argc, char** argv, const po::options_description& desc, CommandArgs& out,
                                 const std::string& command) {
  if (describing_options(desc)) return exit_code::kOk;
  try {
    po::options_description all = desc;
    all.add_options()("input", po::value<std::vector<std::string>>(), "");
    po::positional_options_description pos;
    pos.add("input", -1);
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), out.vm);
    po::notify(out.vm);
    if (out.vm.count("input")) out.positional = out.vm["input"].as<std::vector<std::string>>();
  } catch (const po::error& e) {
    return usage_error(e.what(), "fleetsim " + (command.empty() ? std::string(argv[0]) : command) + " --help");
  }
  if (out.vm.count("help")) {
    std::cout << desc;
    return exit_code::kOk;
  }
  return std::nullopt;
}

void add_child_limit_options(po::options_description& desc) {
  desc.add_options()
      ("child-timeout", po::value<double>(),
       "seconds each run may take; it is then killed and reported (default: no limit)")
      ("child-memory", po::value<std::string>(),
       "address space each run may use, e.g. 8GiB; an allocation beyond it fails and the run exits 3 "
       "\"out of memory\" (default: no limit)");
}

std::optional<ChildLimits> child_limits(const po::variables_map& vm, std::string& error) {
  ChildLimits limits;
  if (vm.count("child-timeout")) {
    limits.timeout_seconds = vm["child-timeout"].as<double>();
    if (!std::isfinite(limits.timeout_seconds) || limits.timeout_seconds <= 0) {
      error = "--child-timeout must be a number of seconds above 0, e.g. 600";
      return std::nullopt;
    }
  }
  if (vm.count("child-memory")) {
    const std::string text = vm["child-memory"].as<std::string>();
    const auto size = units::parse_size(text);
    // Below 64 MiB not even the program and its libraries fit.
    if (!size || size->value < double(64 << 20) || size->value > 9e18) {
      error = "--child-memory \"" + text + "\": expected a size from 64MiB, e.g. 8GiB";
      return std::nullopt;
    }
    limits.memory_bytes = uint64_t(size->value);
  }
  return limits;
}

}  // namespace fleetsim
