// The "regions" section: each region's latency, backhaul, edge sites and scheduled outages and
// degradations.
#include "sim/core/json_units.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

void ScenarioReader::read_regions(const Field& f) {
  if (f.j && f.j->is_object() && f.j->empty()) f.error("no regions (expected at least one region)");
  for_each_member(f, [&](const std::string& name, const Field& rf) {
    region_names_.push_back(name);
    if (name.empty()) rf.error("empty region name (expected a name like \"eu-west\")");
    Region r;
    r.name = name;
    Obj o(rf, {"rtt", "backhaul", "outages", "degradations", "sites"});
    set(r.rtt, duration(o["rtt"]));
    if (auto sites = integer(o["sites"], 1, kMaxSites)) r.sites = int(*sites);
    Field backhaul = o["backhaul"];
    if (backhaul.j) {
      if (auto b = rate(backhaul, Min::Zero)) r.backhaul = *b;
      else bad_backhaul_.insert(name);
    }
    for_each_element(o["outages"], [&](const Field& e, size_t) {
      if (auto w = window(Obj(e, {"at", "for"}))) r.outages.push_back(*w);
    });
    for_each_element(o["degradations"], [&](const Field& e, size_t) {
      Obj d(e, {"at", "for", "factor"});
      auto w = window(d);
      auto factor = fraction(d.required("factor", "a capacity multiplier in [0, 1]"));
      if (w && factor) r.degradations.push_back({*w, *factor});
    });
    s_.regions.push_back(std::move(r));
  });
}

}  // namespace fleetsim
