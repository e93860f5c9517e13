// Reading one parsed scenario document into a Scenario (README "Scenario format"), one section
// per file: scenario_reader.cpp (the top-level keys, in order), load_regions.cpp,
// load_platform.cpp, load_fleet.cpp (the scenario's device models and the cohorts),
// load_firmware.cpp, load_rollout.cpp, load_faults.cpp, load_assertions.cpp and load_hil.cpp.
// One device model is read by load_device_model.cpp, which the built-in catalog shares. Later
// sections check against what earlier ones defined (region and cohort names, the models in use,
// the fleet size), so the reader keeps that between them. Internal to sim/scenario:
// scenario_loader.hpp is the API.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/core/json_reader.hpp"
#include "sim/scenario/scenario.hpp"

namespace fleetsim {

class ScenarioReader {
 public:
  using Field = json_reader::Field;
  using Obj = json_reader::Obj;

  ScenarioReader(json_reader::Problems& p, const json_reader::Json& doc) : p_(p), doc_(doc) {}

  // The scenario, or nullopt when any problem was found (all of them are in the problem list).
  std::optional<Scenario> read(const std::string& file);

 private:
  void read_device_models(const Field& f);
  void read_regions(const Field& f);
  static std::optional<TimeWindow> window(const Obj& o);
  void read_platform(const Field& f);
  void read_fleet(const Field& f);
  void read_cohort(const Field& f);
  void resolve_model(const Field& f, const std::string& name);
  std::vector<std::string> used_models() const;
  void read_firmware(const Field& f);
  std::optional<Gate> gate(const Field& f);
  static const json_reader::Choices<GateAction>& actions();
  void read_rollout(const Field& f);
  void read_rate(const Field& f);
  int64_t eligible_devices() const;
  void read_waves(const Obj& rollout, const Field& strategy);
  void read_fault(const Field& f);
  void read_assertion(const Field& f);

  json_reader::Problems& p_;
  const json_reader::Json& doc_;
  Scenario s_;
  bool duration_ok_ = false;
  bool fleet_ok_ = false;
  bool filter_ok_ = false;
  std::vector<std::string> region_names_;
  std::vector<std::string> cohort_names_;
  std::vector<std::string> scenario_model_names_;
  std::map<std::string, DeviceModel> scenario_models_;
  std::set<std::string> cdn_region_with_problem_;
  std::set<std::string> bad_backhaul_;
};

// The "hil" section; needs the rollout and cohorts read first. Relative image paths are resolved
// against the scenario `file`'s folder.
std::optional<HilBinding> read_hil(const json_reader::Field& f, const std::string& file, const Rollout& rollout,
                                   const std::vector<std::string>& cohort_names);

}  // namespace fleetsim
