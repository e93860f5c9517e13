// The device-model format (README "Device models"), shared by the catalog files and a scenario's
// "device_models" entries. Internal to sim/scenario: scenario_loader.hpp's parse_device_model is
// the API.
#pragma once

#include <optional>

#include "device-models/device_model.hpp"
#include "sim/core/json_reader.hpp"

namespace fleetsim {

// The model, or nullopt after reporting its problems (nullopt too when `f` is absent).
std::optional<DeviceModel> device_model(const json_reader::Field& f);

}  // namespace fleetsim
