// Reading the error of an SMP response, whichever of the two shapes the server used (Zephyr "SMP
// Protocol Specification", errors): v1 / SMP-level `{"rc": int, "rsn"?: text}` and v2 group errors
// `{"err": {"group": uint, "rc": uint}}`. Also the names of the rc codes, for messages.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "hil/protocol/result.hpp"

namespace fleetsim::hil {

// SMP-level result codes (top-level `rc`).
enum class SmpRc : std::int64_t {
  Ok = 0,
  Unknown = 1,
  NoMem = 2,
  Inval = 3,
  Timeout = 4,
  NoEnt = 5,
  BadState = 6,
  MsgSize = 7,
  NotSup = 8,
  Corrupt = 9,
  Busy = 10,
  AccessDenied = 11,
  UnsupportedTooOld = 12,
  UnsupportedTooNew = 13,
};

inline constexpr std::uint16_t kSmpGroupOs = 0;
inline constexpr std::uint16_t kSmpGroupImage = 1;

// Image group (1) v2 error codes (Zephyr's IMG_MGMT_ERR_… codes): the ones the update flow meets,
// which the emulator returns and smp_image_rc_name names.
enum class ImageRc : std::int64_t {
  NoImage = 3,
  HashNotFound = 8,
  NoFreeSlot = 9,
  InvalidSlot = 14,
  InvalidOffset = 20,
  InvalidLength = 21,
  InvalidImageHeader = 22,
  InvalidImageHeaderMagic = 23,
  InvalidHash = 24,
  CurrentVersionIsNewer = 27,
  ImageAlreadyPending = 28,
  InvalidImageTooLarge = 30,
  InvalidImageDataOverrun = 31,
  ImageSettingTestToActiveDenied = 33,
};

// A failed response. `v2` tells which shape it came in: true → `rc` is a code of `group`
// (e.g. image group 24 INVALID_HASH); false → `rc` is an SMP-level code (SmpRc) and `group` is
// the group of the response that carried it.
struct SmpError {
  std::uint16_t group = 0;
  std::int64_t rc = 0;
  bool v2 = false;
  std::string reason;  // v1 `rsn`, empty when absent

  friend bool operator==(const SmpError&, const SmpError&) = default;
};

enum class SmpErrorFieldError {
  RcNotInteger,      // top-level `rc` present but not an integer
  RsnNotText,        // `rsn` present but not a text string
  ErrNotMap,         // `err` present but not a map
  ErrFieldsInvalid,  // `err` lacks a non-negative integer `group` (≤ 0xFFFF) or `rc`
};

std::string_view describe(SmpErrorFieldError error);

// The error carried by `payload`, a response from `group`; std::nullopt on success (`rc`
// absent or 0, and no `err` or an `err` with rc 0). A top-level non-zero `rc` wins over `err`:
// it is how v2 servers still report SMP-level failures.
Result<std::optional<SmpError>, SmpErrorFieldError> read_smp_error(const nlohmann::json& payload,
                                                                   std::uint16_t group);

// "NOTSUP", "UNSUPPORTED_TOO_NEW", … (Zephyr's MGMT_ERR_E… codes); std::nullopt for other codes.
std::optional<std::string_view> smp_rc_name(std::int64_t rc);
// Image group (1) v2 codes: "INVALID_HASH", "NO_FREE_SLOT", …; std::nullopt when unlisted.
std::optional<std::string_view> smp_image_rc_name(std::int64_t rc);

// For logs and reports: "rc 8 NOTSUP" or "group 1 rc 24 INVALID_HASH (reason)".
std::string describe(const SmpError& error);

}  // namespace fleetsim::hil
