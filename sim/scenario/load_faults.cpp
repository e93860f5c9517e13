// The "faults" section: injected outages, degradations, bad builds, corrupt artifacts and power
// losses; which keys a fault takes depends on its "kind".
#include <algorithm>

#include "sim/core/json_units.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

void ScenarioReader::read_fault(const Field& f) {
  static const Choices<FaultKind> kinds = {{"region_outage", FaultKind::RegionOutage},
                                           {"cdn_degradation", FaultKind::CdnDegradation},
                                           {"update_service_brownout", FaultKind::UpdateServiceBrownout},
                                           {"bad_build", FaultKind::BadBuild},
                                           {"corrupt_artifact", FaultKind::CorruptArtifact},
                                           {"power_loss", FaultKind::PowerLoss}};
  if (!f.j->is_object()) {
    f.wrong_type("an object with \"kind\"");
    return;
  }
  auto kind_it = f.j->find("kind");
  if (kind_it == f.j->end()) {
    add(p_, child(f.ptr, "kind"), "missing required key \"kind\" (expected " + join_quoted([] {
          std::vector<std::string> n;
          for (const auto& k : kinds) n.push_back(k.first);
          return n;
        }()) + ")");
    return;
  }
  auto kind = choice(Field{p_, &*kind_it, child(f.ptr, "kind")}, "fault kind", kinds);
  if (!kind) return;
  Fault fault;
  fault.kind = *kind;
  auto region = [&](const Obj& o, bool required) {
    Field rf = required ? o.required("region", "a region name defined in \"regions\"") : o["region"];
    set(fault.region, reference(rf, "region", region_names_));
  };
  auto timed = [&](const Obj& o) { set(fault.window, window(o)); };
  switch (*kind) {
    case FaultKind::RegionOutage: {
      Obj o(f, {"kind", "region", "at", "for"});
      region(o, true);
      timed(o);
      break;
    }
    case FaultKind::CdnDegradation: {
      Obj o(f, {"kind", "region", "at", "for", "factor"});
      region(o, false);
      timed(o);
      set(fault.factor, fraction(o.required("factor", "a capacity multiplier in [0, 1]")));
      break;
    }
    case FaultKind::UpdateServiceBrownout: {
      Obj o(f, {"kind", "at", "for", "factor"});
      timed(o);
      set(fault.factor, fraction(o.required("factor", "a capacity multiplier in [0, 1]")));
      break;
    }
    case FaultKind::BadBuild: {
      Obj o(f, {"kind", "at", "boot_failure", "models"});
      set(fault.window.at, duration(o["at"]));
      set(fault.boot_failure, fraction(o.required("boot_failure", "a fraction like \"30%\"")));
      const auto used = used_models();
      for_each_element(o["models"], [&](const Field& e, size_t) {
        auto m = text(e);
        if (!m) return;
        if (std::find(used.begin(), used.end(), *m) == used.end())
          e.error("model " + quote(*m) + " is not used by any cohort" + suggestion(*m, used, "used: "));
        else
          fault.models.push_back(*m);
      }, "an array of model names");
      break;
    }
    case FaultKind::CorruptArtifact: {
      Obj o(f, {"kind", "region", "at", "for"});
      region(o, false);
      timed(o);
      break;
    }
    case FaultKind::PowerLoss: {
      Obj o(f, {"kind", "at", "region", "cohort", "fraction"});
      set(fault.window.at, duration(o.required("at", "a duration from the start, like \"2h\"")));
      region(o, false);
      set(fault.cohort, reference(o["cohort"], "cohort", cohort_names_));
      set(fault.fraction, fraction(o["fraction"]));
      break;
    }
  }
  s_.faults.push_back(std::move(fault));
}

}  // namespace fleetsim
