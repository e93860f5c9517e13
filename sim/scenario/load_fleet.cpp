// The "device_models" and "fleet" sections: the scenario's own device models, and the cohorts,
// each resolved to one of those or a catalog model.
#include <algorithm>
#include <cmath>

#include "sim/core/json_units.hpp"
#include "sim/scenario/device_model_catalog.hpp"
#include "sim/scenario/format_limits.hpp"
#include "sim/scenario/load_device_model.hpp"
#include "sim/scenario/local_time.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

void ScenarioReader::read_device_models(const Field& f) {
  for_each_member(f, [&](const std::string& name, const Field& m) {
    scenario_model_names_.push_back(name);
    auto model = device_model(m);
    if (!model) return;
    if (!model->name.empty() && model->name != name) {
      add(p_, child(m.ptr, "name"),
          "name " + quote(model->name) + " differs from its key " + quote(name) + " (expected them equal)");
      return;
    }
    model->name = name;
    scenario_models_.emplace(name, std::move(*model));
  });
}

void ScenarioReader::read_fleet(const Field& f) {
  Obj fleet(f, {"cohorts"});
  Field cohorts = fleet.required("cohorts", "an array of cohorts");
  if (cohorts.j && cohorts.j->is_array() && cohorts.j->empty())
    cohorts.error("no cohorts (expected at least one cohort)");
  if (count_within(cohorts, kMaxCohorts, "cohorts"))
    for_each_element(cohorts, [&](const Field& cf, size_t) { read_cohort(cf); });
}

void ScenarioReader::read_cohort(const Field& f) {
  Obj o(f, {"name", "model", "count", "region", "timezone", "firmware", "tags"});
  if (!o.valid()) return;
  Cohort c;
  Field name_field = o.required("name", "a unique cohort name");
  if (auto name = text(name_field)) {
    if (std::find(cohort_names_.begin(), cohort_names_.end(), *name) != cohort_names_.end())
      name_field.error("duplicate cohort name " + quote(*name) + " (expected unique names)");
    else
      cohort_names_.push_back(*name);
    c.name = *name;
  }
  Field model_field = o.required("model", "a device model name from the catalog or \"device_models\"");
  if (auto model = text(model_field)) {
    c.model = *model;
    resolve_model(model_field, *model);
  }
  set(c.count, integer(o.required("count", "an integer ≥ 1"), 1, kMaxCohortCount));
  set(c.region, reference(o.required("region", "a region name defined in \"regions\""), "region", region_names_));
  Field tz = o["timezone"];
  if (auto zone = text(tz)) {
    if (CohortClock::for_zone(*zone)) c.timezone = *zone;
    else tz.error("unknown time zone " + quote(*zone) + " (expected an IANA name like \"Europe/Berlin\")");
  }
  Field fw = o.required("firmware", "an object of version shares, e.g. {\"1.0.0\": \"100%\"}");
  double sum = 0;
  bool shares_ok = true;
  for_each_member(fw, [&](const std::string& version, const Field& share) {
    auto v = fraction(share);
    if (!v) {
      shares_ok = false;
      return;
    }
    sum += *v;
    c.firmware.emplace_back(version, *v);
  }, "an object of version shares, e.g. {\"1.0.0\": \"100%\"}");
  if (fw.j && fw.j->is_object()) {
    if (fw.j->empty()) fw.error("no versions (expected at least one version share)");
    else if (shares_ok && std::fabs(sum - 1.0) > 1e-6)
      fw.error("shares sum to " + percent_text(sum) + " (expected 100%)");
  }
  c.tags = string_list(o["tags"]);
  s_.cohorts.push_back(std::move(c));
}

void ScenarioReader::resolve_model(const Field& f, const std::string& name) {
  if (s_.models.count(name)) return;
  if (auto it = scenario_models_.find(name); it != scenario_models_.end()) {
    s_.models.emplace(name, it->second);
    return;
  }
  // A scenario model with problems of its own is already reported.
  if (std::find(scenario_model_names_.begin(), scenario_model_names_.end(), name) != scenario_model_names_.end())
    return;
  std::vector<std::string> known = scenario_model_names_;
  for (const auto& m : builtin_device_models()) {
    if (m.name == name) {
      s_.models.emplace(name, m);
      return;
    }
    known.push_back(m.name);
  }
  f.error("unknown device model " + quote(name) +
          (closest(name, known) ? suggestion(name, known)
                                : " (expected a catalog model (see `fleetsim models`) or one in \"device_models\")"));
}

std::vector<std::string> ScenarioReader::used_models() const {
  std::vector<std::string> out;
  for (const auto& c : s_.cohorts)
    if (!c.model.empty() && std::find(out.begin(), out.end(), c.model) == out.end()) out.push_back(c.model);
  return out;
}

}  // namespace fleetsim
