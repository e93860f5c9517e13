// The built-in device-model catalog, parsed once on first use from the files device-models/
// embeds: the device-model parser is the scenario format's.
#include <algorithm>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/scenario/device_model_catalog.hpp"

#include "device-models/catalog_files.hpp"
#include "sim/core/json_document.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

struct Catalog {
  std::vector<DeviceModel> models;
  std::map<std::string, std::string> sources;  // model name -> file text
};

// Parameters that are names or switches, not numbers, so they need no source.
const std::set<std::string> kNotNumeric = {"link.type", "link.resume", "link.flakiness.bad_state", "storage.layout",
                                           "behaviour.notification"};

// Collects the dotted paths of the numeric parameters a model file sets; a distribution
// object ({"dist": …}) is one parameter.
void numeric_parameters(const Json& j, const std::string& path, std::vector<std::string>& out) {
  if (j.is_object() && !j.contains("dist")) {
    for (const auto& [k, v] : j.items()) numeric_parameters(v, path.empty() ? k : path + "." + k, out);
    return;
  }
  if (!kNotNumeric.count(path)) out.push_back(path);
}

// Checks one catalog file beyond the device-model format itself: its name matches the file
// and every number it sets says where it comes from.
std::optional<DeviceModel> read_catalog_file(const std::string& file, const std::string& text,
                                             std::vector<Problem>& problems) {
  auto parsed = parse_json_document(text, problems);
  if (!parsed) return std::nullopt;
  const Json& j = *parsed;
  auto model = parse_device_model(j, "", problems);
  if (!j.is_object()) return std::nullopt;
  const std::string stem = file.size() > 5 && file.ends_with(".json") ? file.substr(0, file.size() - 5) : file;
  auto name = j.find("name");
  if (name == j.end()) {
    problems.push_back({"/name", "missing required key \"name\" (expected \"" + stem + "\", the file name)"});
  } else if (name->is_string() && name->get<std::string>() != stem) {
    problems.push_back({"/name", "name " + name->dump() + " differs from the file name (expected \"" + stem + "\")"});
  }
  if (!j.contains("sources")) {
    problems.push_back({"/sources", "missing required key \"sources\" (catalog models document every number)"});
  } else if (model) {
    std::vector<std::string> numeric;
    for (const char* section : {"link", "storage", "phases", "failures", "behaviour"})
      if (j.contains(section)) numeric_parameters(j[section], section, numeric);
    for (const auto& p : numeric)
      if (!model->sources.count(p))
        problems.push_back({"/sources", "no source for \"" + p + "\" (expected one for every numeric parameter set)"});
  }
  if (!problems.empty()) return std::nullopt;
  return model;
}

Catalog load_catalog() {
  Catalog c;
  for (const auto& [file, text] : builtin_device_model_files()) {
    std::vector<Problem> problems;
    auto model = read_catalog_file(file, text, problems);
    if (!model) {
      // A broken catalog file is a product bug: say so loudly, but keep the other models usable.
      for (const auto& p : problems)
        std::cerr << "fleetsim: internal error: built-in device model " << file << ": "
                  << (p.pointer.empty() ? "" : p.pointer + ": ") << p.message << "\n";
      continue;
    }
    c.sources[model->name] = text;
    c.models.push_back(std::move(*model));
  }
  std::sort(c.models.begin(), c.models.end(),
            [](const DeviceModel& a, const DeviceModel& b) { return a.name < b.name; });
  return c;
}

const Catalog& catalog() {
  static const Catalog c = [] {
    try {
      return load_catalog();
    } catch (const std::exception& e) {
      std::cerr << "fleetsim: internal error: cannot load the built-in device models: " << e.what() << "\n";
      return Catalog{};
    }
  }();
  return c;
}

}  // namespace

const std::vector<DeviceModel>& builtin_device_models() { return catalog().models; }

const std::map<std::string, std::string>& builtin_device_model_sources() { return catalog().sources; }

}  // namespace fleetsim
