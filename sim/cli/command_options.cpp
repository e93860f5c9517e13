#include "sim/cli/command_options.hpp"

#include <iostream>

#include "sim/core/exit_codes.hpp"

namespace fleetsim {

namespace po = boost::program_options;

int usage_error(const std::string& message, const std::string& help) {
  std::cerr << "fleetsim: " << message << "\n(see '" << help << "')\n";
  return exit_code::kBadInput;
}

std::optional<int> parse_command(int argc, char** argv, const po::options_description& desc, CommandArgs& out) {
  try {
    po::options_description all = desc;
    all.add_options()("input", po::value<std::vector<std::string>>(), "");
    po::positional_options_description pos;
    pos.add("input", -1);
    po::store(po::command_line_parser(argc, argv).options(all).positional(pos).run(), out.vm);
    po::notify(out.vm);
    if (out.vm.count("input")) out.positional = out.vm["input"].as<std::vector<std::string>>();
  } catch (const po::error& e) {
    return usage_error(e.what(), std::string("fleetsim ") + argv[0] + " --help");
  }
  if (out.vm.count("help")) {
    std::cout << desc;
    return exit_code::kOk;
  }
  return std::nullopt;
}

}  // namespace fleetsim
