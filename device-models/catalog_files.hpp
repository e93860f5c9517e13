// The catalog files (device-models/catalog/*.json), compiled into the binary at build time so that
// fleetsim runs from anywhere: file name -> JSON text. sim/scenario parses them
// (device_model_catalog.hpp); nothing here interprets them.
#pragma once

#include <map>
#include <string>

namespace fleetsim {

const std::map<std::string, std::string>& builtin_device_model_files();

}  // namespace fleetsim
