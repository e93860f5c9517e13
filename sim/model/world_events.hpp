// Timer kinds the World schedules on the kernel (model-defined; the kernel only routes them):
// the device timers of device-models/device_events.hpp and the platform services' own.
#pragma once

#include <cstdint>

#include "device-models/device_events.hpp"

namespace fleetsim::event {

// service timers
constexpr uint16_t kTick = 10;
constexpr uint16_t kSample = 11;
constexpr uint16_t kFaultStart = 12;
constexpr uint16_t kFaultEnd = 13;
constexpr uint16_t kAssertion = 14;  // tag = assertion index

}  // namespace fleetsim::event
