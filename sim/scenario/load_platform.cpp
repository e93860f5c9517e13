// The "platform" section: CDN egress per region, the update service and the broker; every region
// needs some capacity, from its CDN egress or its own backhaul.
#include <algorithm>

#include "sim/core/json_units.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

void ScenarioReader::read_platform(const Field& f) {
  Obj o(f, {"cdn", "update_service", "broker"});
  Obj cdn(o["cdn"], {"regions", "max_connections"});
  for_each_member(cdn["regions"], [&](const std::string& name, const Field& rf) {
    Obj r(rf, {"egress"});
    auto egress = rate(r.required("egress", "a rate like \"10Gbps\""));
    if (std::find(region_names_.begin(), region_names_.end(), name) == region_names_.end()) {
      rf.error("undefined region " + quote(name) + suggestion(name, region_names_, "defined: "));
      return;
    }
    if (egress) s_.platform.cdn_egress[name] = *egress;
    else cdn_region_with_problem_.insert(name);
  });
  set(s_.platform.cdn_max_connections, integer(cdn["max_connections"], 1));
  Obj us(o["update_service"], {"capacity"});
  set(s_.platform.update_service_capacity, per_second(us.required("capacity", "a rate like \"5000/s\"")));
  Obj broker(o["broker"], {"max_connections", "connect_rate"});
  set(s_.platform.broker_max_connections, integer(broker["max_connections"], 1));
  set(s_.platform.broker_connect_rate, per_second(broker["connect_rate"]));

  for (const auto& r : s_.regions) {
    // Regions whose egress or backhaul failed to read are reported already.
    if (r.backhaul.value > 0 || s_.platform.cdn_egress.count(r.name) || cdn_region_with_problem_.count(r.name) ||
        bad_backhaul_.count(r.name))
      continue;
    add(p_, "/platform/cdn/regions/" + json_pointer_token(r.name),
        "region " + quote(r.name) + " has no capacity (expected an egress like \"10Gbps\", or a backhaul on the region)");
  }
}

}  // namespace fleetsim
