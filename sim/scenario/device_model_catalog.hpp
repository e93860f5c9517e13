// The built-in device-model catalog: the files device-models/ embeds, each checked against the
// device-model format (the scenario's "device_models" entries use the same parser) and required
// to name its file and cite a source for every number.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "device-models/device_model.hpp"

namespace fleetsim {

// The catalog compiled into the binary, sorted by name.
const std::vector<DeviceModel>& builtin_device_models();
// The raw JSON text of each catalog file, by model name (for `fleetsim models --json`).
const std::map<std::string, std::string>& builtin_device_model_sources();

}  // namespace fleetsim
