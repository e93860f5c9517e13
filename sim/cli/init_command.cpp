#include "sim/cli/init_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <boost/program_options.hpp>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/cli/command_options.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/did_you_mean.hpp"
#include "sim/core/exit_codes.hpp"
#include "sim/scenario/device_model_catalog.hpp"
#include "sim/scenario/format_limits.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "sim/scenario/scenario_warnings.hpp"

namespace po = boost::program_options;

namespace fleetsim {

namespace {

const char* const kUsage =
    "fleetsim init FILE.json [--devices N] [--regions a,b,...] [--models m1,m2,...]\n"
    "              [--strategy canary|waves|all-at-once] [--force]\n"
    "Writes a starting scenario to FILE.json: the fleet split evenly over every region × model\n"
    "(one cohort each, all on firmware 1.0.0), a 1.1.0 update, a rollout with the chosen strategy and\n"
    "assertions that it completes. The scenario's \"description\" says what it holds, and a short guide to\n"
    "what to change next is printed. The file validates with no warnings (fleetsim validate --strict)\n"
    "and runs as written. Models are names from `fleetsim models`; regions are names like eu-west.\n"
    "Strategies: canary (a small first wave, then everyone), waves (canary, 10%, 50%, 100%, with gates),\n"
    "all-at-once. When stdin is a terminal and no option is given, asks for each value (Enter keeps\n"
    "the default shown in brackets). An existing FILE.json is kept unless --force.\n"
    "Exit 0 when written, 2 on bad input or an existing file, 3 when it cannot be written";

const std::vector<std::string> kStrategies = {"canary", "waves", "all-at-once"};
constexpr int64_t kMaxInitDevices = 100'000'000;

struct StarterChoices {
  int64_t devices = 1000;
  std::vector<std::string> regions = {"eu-west", "us-east"};
  std::vector<std::string> models = {"nbiot-meter", "wifi-home"};
  std::string strategy = "waves";
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t from = 0;
  while (true) {
    const size_t comma = text.find(',', from);
    std::string item = text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    out.push_back(item);
    if (comma == std::string::npos) return out;
    from = comma + 1;
  }
}

std::vector<std::string> catalog_names() {
  std::vector<std::string> names;
  for (const DeviceModel& m : builtin_device_models()) names.push_back(m.name);
  return names;
}

// A region name also appears in --set paths (platform.cdn.regions.NAME.egress) and metric names,
// so it is kept to letters, digits, '-' and '_'.
std::string region_error(const std::string& name) {
  if (name.empty()) return "an empty region name (expected names like eu-west,us-east)";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      return "region \"" + name + "\" (expected letters, digits, '-' and '_' only, like eu-west)";
  return "";
}

// "" when the choices make a scenario, else what is wrong with which option.
std::string check_choices(const StarterChoices& c) {
  if (c.devices < 1 || c.devices > kMaxInitDevices)
    return "--devices " + std::to_string(c.devices) + ": expected 1 to " + std::to_string(kMaxInitDevices);
  for (size_t i = 0; i < c.regions.size(); ++i) {
    if (std::string e = region_error(c.regions[i]); !e.empty()) return "--regions: " + e;
    if (std::find(c.regions.begin(), c.regions.begin() + long(i), c.regions[i]) != c.regions.begin() + long(i))
      return "--regions: region \"" + c.regions[i] + "\" is named twice";
  }
  const std::vector<std::string> catalog = catalog_names();
  for (size_t i = 0; i < c.models.size(); ++i) {
    if (std::find(catalog.begin(), catalog.end(), c.models[i]) == catalog.end())
      return "--models: unknown device model \"" + c.models[i] + "\"" +
             suggestion(c.models[i], catalog, "expected one of ") + " (fleetsim models lists them)";
    if (std::find(c.models.begin(), c.models.begin() + long(i), c.models[i]) != c.models.begin() + long(i))
      return "--models: model \"" + c.models[i] + "\" is named twice";
  }
  if (std::find(kStrategies.begin(), kStrategies.end(), c.strategy) == kStrategies.end())
    return "--strategy \"" + c.strategy + "\": unknown strategy" + suggestion(c.strategy, kStrategies, "expected one of ");
  const int64_t cohorts = int64_t(c.regions.size() * c.models.size());
  if (cohorts > int64_t(kMaxCohorts))
    return "--regions × --models: " + std::to_string(cohorts) + " cohorts (expected at most " +
           std::to_string(kMaxCohorts) + ")";
  if (c.devices < cohorts)
    return "--devices " + std::to_string(c.devices) + ": fewer than the " + std::to_string(cohorts) +
           " cohorts (regions × models) (expected at least " + std::to_string(cohorts) + ")";
  return "";
}

nlohmann::ordered_json starter_scenario(const std::string& name, const StarterChoices& c) {
  using J = nlohmann::ordered_json;
  J doc;
  doc["name"] = name;
  doc["description"] =
      "Starter written by fleetsim init: " + std::to_string(c.devices) + " devices (" + joined(c.models) +
      ") in " + joined(c.regions) + ", updated from firmware 1.0.0 to 1.1.0 with a " + c.strategy +
      " rollout. Next: set each region's rtt and CDN egress, the cohorts' counts and firmware shares, the "
      "firmware size, then add faults (fleetsim schema lists every key; README \"Scenario format\").";
  doc["seed"] = 1;
  doc["start"] = "2026-12-01T00:00:00Z";
  doc["duration"] = "7d";
  for (const std::string& r : c.regions) doc["regions"][r] = J{{"rtt", "50ms"}};
  for (const std::string& r : c.regions) doc["platform"]["cdn"]["regions"][r] = J{{"egress", "1Gbps"}};
  doc["platform"]["update_service"] = J{{"capacity", "1000/s"}};
  // An even split; the first cohorts take the remainder.
  const int64_t cohorts = int64_t(c.regions.size() * c.models.size());
  int64_t index = 0;
  J list = J::array();
  for (const std::string& r : c.regions)
    for (const std::string& m : c.models) {
      const int64_t count = c.devices / cohorts + (index++ < c.devices % cohorts ? 1 : 0);
      list.push_back(J{{"name", m + "-" + r}, {"model", m}, {"count", count}, {"region", r},
                       {"firmware", J{{"1.0.0", "100%"}}}});
    }
  doc["fleet"]["cohorts"] = list;
  doc["firmware"] = J{{"target", "1.1.0"}, {"size", "1.8MiB"}, {"delta", J{{"1.0.0", "320KiB"}}}};
  J rollout;
  const int64_t canary = std::clamp<int64_t>(c.devices / 100, 1, 200);
  if (c.strategy == "all-at-once") {
    rollout["strategy"] = "all-at-once";
  } else {
    rollout["strategy"] = "waves";
    // A share wave is kept only when it adds devices (the loader rounds share × fleet to the
    // nearest device and rejects an empty wave): a tiny fleet gets fewer waves.
    J waves = J::array({J{{"devices", canary}, {"soak", "2h"}}});
    int64_t end = canary;
    std::vector<int> shares = {100};
    if (c.strategy == "waves") shares = {10, 50, 100};
    for (int share : shares) {
      const int64_t new_end = std::llround(share / 100.0 * double(c.devices));
      if (new_end <= end) continue;
      waves.push_back(J{{"percent", std::to_string(share) + "%"}, {"soak", "2h"}});
      end = new_end;
    }
    waves.back().erase("soak");  // nothing follows the last wave
    rollout["waves"] = waves;
    rollout["gates"] = J{{"min_success", "85%"}, {"max_failure", "5%"}, {"action", "pause"}};
  }
  rollout["execution_timeout"] = "48h";
  rollout["retries"] = J{{"max", 2}, {"failure", "failed"}};
  doc["rollout"] = rollout;
  doc["assertions"] = J::array({J{{"metric", "rollout.state"}, {"op", "=="}, {"value", "completed"}},
                                J{{"metric", "fleet.on_target_fraction"}, {"op", ">="}, {"value", 0.85}}});
  return doc;
}

// One question on stdout; the answer from stdin, `fallback` on Enter or end of input.
std::string ask(const std::string& question, const std::string& fallback) {
  std::cout << question << " [" << fallback << "]: " << std::flush;
  std::string line;
  if (!std::getline(std::cin, line)) {
    std::cout << "\n";
    return fallback;
  }
  line.erase(0, line.find_first_not_of(" \t"));
  line.erase(line.find_last_not_of(" \t\r") + 1);
  return line.empty() ? fallback : line;
}

std::optional<int64_t> parse_count(const std::string& text) {
  try {
    size_t used = 0;
    const long long v = std::stoll(text, &used);
    if (used == text.size()) return int64_t(v);
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace

int init_command(int argc, char** argv) {
  po::options_description desc(kUsage);
  StarterChoices c;
  desc.add_options()
      ("devices", po::value<std::string>(), ("fleet size (default " + std::to_string(c.devices) + ")").c_str())
      ("regions", po::value<std::string>(), ("comma-separated region names (default " + joined(c.regions) + ")").c_str())
      ("models", po::value<std::string>(), ("comma-separated device models from `fleetsim models` (default " + joined(c.models) + ")").c_str())
      ("strategy", po::value<std::string>(), ("canary, waves or all-at-once (default " + c.strategy + ")").c_str())
      ("force", "overwrite FILE.json if it exists")
      ("help,h", "show this help");
  CommandArgs a;
  if (auto done = parse_command(argc, argv, desc, a)) return *done;
  if (a.positional.size() != 1) return usage_error("init takes exactly one file to write", "fleetsim init --help");
  const std::string file = a.positional[0];
  std::error_code ec;
  if (!a.vm.count("force") && std::filesystem::exists(file, ec))
    return usage_error(file + " exists (expected a new file name, or --force to overwrite it)", "fleetsim init --help");

  const bool any_option = a.vm.count("devices") || a.vm.count("regions") || a.vm.count("models") ||
                          a.vm.count("strategy");
  std::string devices_text = std::to_string(c.devices), regions_text = joined(c.regions),
              models_text = joined(c.models), strategy_text = c.strategy;
  if (!any_option && isatty(STDIN_FILENO)) {
    std::cout << "A starting scenario for " << file << " (Enter keeps the default in brackets).\n";
    devices_text = ask("Devices in the fleet", devices_text);
    regions_text = ask("Regions, comma-separated", regions_text);
    models_text = ask("Device models, comma-separated (" + joined(catalog_names()) + ")", models_text);
    strategy_text = ask("Rollout strategy (canary, waves, all-at-once)", strategy_text);
  } else {
    if (a.vm.count("devices")) devices_text = a.vm["devices"].as<std::string>();
    if (a.vm.count("regions")) regions_text = a.vm["regions"].as<std::string>();
    if (a.vm.count("models")) models_text = a.vm["models"].as<std::string>();
    if (a.vm.count("strategy")) strategy_text = a.vm["strategy"].as<std::string>();
  }
  const auto devices = parse_count(devices_text);
  if (!devices) return usage_error("--devices \"" + devices_text + "\": expected a whole number", "fleetsim init --help");
  c.devices = *devices;
  c.regions = split_list(regions_text);
  c.models = split_list(models_text);
  c.strategy = strategy_text;
  if (std::string e = check_choices(c); !e.empty()) return usage_error(e, "fleetsim init --help");

  const std::string name = std::filesystem::path(file).stem().string();
  const std::string text = starter_scenario(name.empty() ? "starter" : name, c).dump(2) + "\n";
  // The promise is a file that validates cleanly: checked before it is written.
  LoadResult check = load_scenario_text(text, file);
  if (!check.problems.empty() || !check.warnings.empty()) {
    std::cerr << "fleetsim: the starter scenario does not validate cleanly (a bug in fleetsim init):\n"
              << check.format(file) << format_warnings(file, check.warnings);
    return exit_code::kInfrastructure;
  }
  if (std::string e = write_files_atomically({{file, text}}); !e.empty()) {
    std::cerr << "fleetsim: " << e << "\n";
    return exit_code::kInfrastructure;
  }
  std::cout << "wrote " << file << ": " << c.devices << " devices in " << c.regions.size() << " region(s) ("
            << joined(c.regions) << "), models " << joined(c.models) << ", " << c.strategy << " rollout\n";
  const auto row = [](const std::string& left, const std::string& right) {
    std::cout << "  " << left << std::string(left.size() < 52 ? 52 - left.size() : 1, ' ') << right << "\n";
  };
  std::cout << "Next:\n";
  row("fleetsim validate --strict " + file, "check it after each edit");
  row("fleetsim run " + file, "simulate it; results in results/" + name + "/ (report.html)");
  std::cout << "Keys to edit (README \"Scenario format\", fleetsim schema):\n";
  row("regions.NAME.rtt, platform.cdn.regions.NAME.egress", "each region's network");
  row("fleet.cohorts[i].count, fleet.cohorts[i].firmware", "fleet size, versions devices start on");
  row("firmware.size, firmware.delta", "the update");
  row("rollout.waves, rollout.gates", "how it is paced and when it pauses");
  row("faults, regions.NAME.outages", "what goes wrong");
  return exit_code::kOk;
}

}  // namespace fleetsim
