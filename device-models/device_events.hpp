// Timer kinds of a device's own steps, which the device lifecycle schedules through its fleet
// (the kernel only routes them), and the phases and outcomes a kPhaseDone timer carries.
#pragma once

#include <cstdint>

namespace fleetsim::event {

constexpr uint16_t kNotify = 1;      // poll hit or push notification arrives
constexpr uint16_t kRetry = 2;       // backoff over: try the step again
constexpr uint16_t kLinkFlip = 3;    // Gilbert–Elliott state change while a download is open
constexpr uint16_t kPhaseDone = 4;   // aux = phase; tag = generation
constexpr uint16_t kTimeout = 5;     // tag = execution number
constexpr uint16_t kRecharged = 6;
constexpr uint16_t kExternalOutcome = 7;  // aux = terminal DeviceState reported by a board, or:
// The board failed for infrastructure reasons (unreachable, lost mid-update): its outcome says
// nothing about the firmware, so the device is withdrawn from its wave (README "Hardware in the loop").
constexpr uint16_t kExternalWithdrawn = 0xFFFF;

// phases carried in kPhaseDone's aux (low byte) with an outcome (high byte)
constexpr uint16_t kVerify = 1, kInstall = 2, kReboot = 3, kHealth = 4;
constexpr uint16_t kOk = 0, kCorrupt = 1, kPowerLoss = 2, kInstallFail = 3, kBootFail = 4;

}  // namespace fleetsim::event
