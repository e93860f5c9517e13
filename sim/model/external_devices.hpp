// Device slots whose update runs outside the simulation — a real or emulated board behind the
// HIL bridge (README "Hardware in the loop"). When such a device is notified, the World hands the job to the
// backend instead of simulating the download and install; the backend reports the outcome by
// scheduling an event::kExternalOutcome timer for the device (aux = the terminal DeviceState),
// typically from the kernel's ExternalPacer once the board has finished. The outcome then counts
// in waves, gates and abort criteria exactly like a virtual device's. While the board works, the
// device is counted as installing.
#pragma once

#include <cstdint>

#include "sim/core/quantity.hpp"

namespace fleetsim {

class ExternalDevices {
 public:
  virtual ~ExternalDevices() = default;
  virtual bool owns(uint32_t device) const = 0;
  // `device` was notified at `now` and should update to the rollout's target image.
  virtual void start_update(uint32_t device, Seconds now) = 0;
};

}  // namespace fleetsim
