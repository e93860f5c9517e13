// A device model: the data that parameterises the shared device behaviour (device-models/README.md).
// Models come from the built-in catalog (device-models/catalog/*.json, compiled into the
// binary) or from a scenario's own "device_models" section.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/distribution.hpp"
#include "sim/core/quantity.hpp"

namespace fleetsim {

enum class LinkType : uint8_t { NbIot, LteM, Lte, Wifi, Ethernet, LoRaWan, Ble };
enum class StorageLayout : uint8_t { AB, Single };
enum class BadLinkBehaviour : uint8_t { Stall, Drop };
enum class Notification : uint8_t { Poll, Push };

struct DeviceModel {
  std::string name;
  std::string description;

  // link
  LinkType link_type = LinkType::Wifi;
  Distribution downlink;          // bytes/s, the per-transfer cap
  Distribution rtt;               // seconds, device-side round trip added to the region RTT
  Seconds mean_good{0};           // Gilbert–Elliott mean sojourn in the good state (0 = never bad)
  Seconds mean_bad{0};            // mean sojourn in the bad state
  BadLinkBehaviour bad_state = BadLinkBehaviour::Stall;
  bool resume = true;             // HTTP range resume of interrupted downloads

  // storage
  StorageLayout storage = StorageLayout::AB;
  BytesPerSecond flash_write_rate{0};  // 0 = flashing time folded into the install phase

  // update phases (seconds)
  Distribution verify;
  Distribution install;
  Distribution reboot;
  Distribution health_check;

  // failure modes (probabilities per attempt, power loss per hour)
  double corruption = 0.0;
  double install_failure = 0.0;
  double power_loss_per_hour = 0.0;

  // behaviour
  Notification notification = Notification::Poll;
  Seconds poll_interval{3600};
  Seconds poll_jitter{0};         // each poll is delayed by U(0, jitter); jitter < interval
  int retry_max_attempts = 5;     // download attempts before download-failed
  Seconds backoff_base{60};       // first retry delay; doubles each retry
  Seconds backoff_cap{1800};
  double backoff_jitter = 0.5;    // delay × (1 − jitter·U)
  bool has_battery = false;
  Distribution battery_level;     // fraction in [0,1] when the update is offered
  double battery_threshold = 0.0; // update only when level ≥ threshold
  Distribution recharge;          // seconds until the battery is above threshold again

  // Where each number comes from: "link.downlink" -> "3GPP TS 36.306 Cat-NB1 ...".
  std::map<std::string, std::string> sources;
};

const char* to_string(LinkType);
const char* to_string(StorageLayout);

}  // namespace fleetsim
