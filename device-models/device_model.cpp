#include "device-models/device_model.hpp"

namespace fleetsim {

const char* to_string(LinkType t) {
  switch (t) {
    case LinkType::NbIot: return "nb-iot";
    case LinkType::LteM: return "lte-m";
    case LinkType::Lte: return "lte";
    case LinkType::Wifi: return "wifi";
    case LinkType::Ethernet: return "ethernet";
    case LinkType::LoRaWan: return "lorawan";
    case LinkType::Ble: return "ble";
  }
  return "unknown";
}

const char* to_string(StorageLayout s) {
  switch (s) {
    case StorageLayout::AB: return "ab";
    case StorageLayout::Single: return "single";
  }
  return "unknown";
}

}  // namespace fleetsim
