// The network models the SimGrid kernel offers, in the spelling scenarios use. Here, in the
// kernel interface, so the scenario format can list them without linking SimGrid.
#pragma once

#include <string>
#include <vector>

namespace fleetsim {

inline const std::vector<std::string>& simgrid_network_models() {
  static const std::vector<std::string> models = {"max-min", "CM02", "LV08"};
  return models;
}

}  // namespace fleetsim
