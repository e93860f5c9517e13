#include "hil/protocol/smp_error.hpp"

#include <cstdint>

namespace fleetsim::hil {

using nlohmann::json;

std::string_view describe(SmpErrorFieldError error) {
  switch (error) {
    case SmpErrorFieldError::RcNotInteger: return "`rc` is not an integer";
    case SmpErrorFieldError::RsnNotText: return "`rsn` is not a text string";
    case SmpErrorFieldError::ErrNotMap: return "`err` is not a map";
    case SmpErrorFieldError::ErrFieldsInvalid:
      return "`err` lacks a non-negative integer `group` or `rc`";
  }
  return "unknown SMP error-field problem";
}

namespace {

// Integers that fit int64; unsigned values above INT64_MAX give std::nullopt like non-integers.
std::optional<std::int64_t> as_int64(const json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return std::nullopt;
}

std::optional<std::int64_t> int_member(const json& map, const char* key) {
  const auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return as_int64(*it);
}

}  // namespace

Result<std::optional<SmpError>, SmpErrorFieldError> read_smp_error(const json& payload,
                                                                   std::uint16_t group) {
  std::optional<SmpError> none;
  if (!payload.is_object()) return none;

  if (const auto rc_it = payload.find("rc"); rc_it != payload.end()) {
    const auto rc = as_int64(*rc_it);
    if (!rc) return fail(SmpErrorFieldError::RcNotInteger);
    std::string reason;
    if (const auto rsn_it = payload.find("rsn"); rsn_it != payload.end()) {
      if (!rsn_it->is_string()) return fail(SmpErrorFieldError::RsnNotText);
      reason = rsn_it->get<std::string>();
    }
    if (*rc != 0) return std::optional<SmpError>(SmpError{group, *rc, false, std::move(reason)});
  }

  if (const auto err_it = payload.find("err"); err_it != payload.end()) {
    if (!err_it->is_object()) return fail(SmpErrorFieldError::ErrNotMap);
    // Unsigned on the wire; JSON built in code holds small numbers as signed, so both count.
    // -1 stands for absent or not an integer.
    const std::int64_t err_group = int_member(*err_it, "group").value_or(-1);
    const std::int64_t err_rc = int_member(*err_it, "rc").value_or(-1);
    if (err_group < 0 || err_group > 0xFFFF || err_rc < 0) {
      return fail(SmpErrorFieldError::ErrFieldsInvalid);
    }
    if (err_rc != 0) {
      return std::optional<SmpError>(
          SmpError{static_cast<std::uint16_t>(err_group), err_rc, true, {}});
    }
  }
  return none;
}

std::optional<std::string_view> smp_rc_name(std::int64_t rc) {
  switch (rc) {
    case 0: return "OK";
    case 1: return "UNKNOWN";
    case 2: return "NOMEM";
    case 3: return "INVAL";
    case 4: return "TIMEOUT";
    case 5: return "NOENT";
    case 6: return "BADSTATE";
    case 7: return "MSGSIZE";
    case 8: return "NOTSUP";
    case 9: return "CORRUPT";
    case 10: return "BUSY";
    case 11: return "ACCESSDENIED";
    case 12: return "UNSUPPORTED_TOO_OLD";
    case 13: return "UNSUPPORTED_TOO_NEW";
    default: return std::nullopt;
  }
}

std::optional<std::string_view> smp_image_rc_name(std::int64_t rc) {
  switch (ImageRc(rc)) {
    case ImageRc::NoImage: return "NO_IMAGE";
    case ImageRc::HashNotFound: return "HASH_NOT_FOUND";
    case ImageRc::NoFreeSlot: return "NO_FREE_SLOT";
    case ImageRc::InvalidSlot: return "INVALID_SLOT";
    case ImageRc::InvalidOffset: return "INVALID_OFFSET";
    case ImageRc::InvalidLength: return "INVALID_LENGTH";
    case ImageRc::InvalidImageHeader: return "INVALID_IMAGE_HEADER";
    case ImageRc::InvalidImageHeaderMagic: return "INVALID_IMAGE_HEADER_MAGIC";
    case ImageRc::InvalidHash: return "INVALID_HASH";
    case ImageRc::CurrentVersionIsNewer: return "CURRENT_VERSION_IS_NEWER";
    case ImageRc::ImageAlreadyPending: return "IMAGE_ALREADY_PENDING";
    case ImageRc::InvalidImageTooLarge: return "INVALID_IMAGE_TOO_LARGE";
    case ImageRc::InvalidImageDataOverrun: return "INVALID_IMAGE_DATA_OVERRUN";
    case ImageRc::ImageSettingTestToActiveDenied: return "IMAGE_SETTING_TEST_TO_ACTIVE_DENIED";
  }
  return std::nullopt;
}

std::string describe(const SmpError& error) {
  std::string text;
  std::optional<std::string_view> name;
  if (error.v2) {
    text = "group " + std::to_string(error.group) + " ";
    if (error.group == kSmpGroupImage) name = smp_image_rc_name(error.rc);
  } else {
    name = smp_rc_name(error.rc);
  }
  text += "rc " + std::to_string(error.rc);
  if (name) text += " " + std::string(*name);
  if (!error.reason.empty()) text += " (" + error.reason + ")";
  return text;
}

}  // namespace fleetsim::hil
