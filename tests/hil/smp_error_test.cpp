#include "hil/protocol/smp_error.hpp"

#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "hil/protocol/smp_packet.hpp"

using fleetsim::hil::read_smp_error;
using fleetsim::hil::smp_image_rc_name;
using fleetsim::hil::smp_rc_name;
using fleetsim::hil::SmpError;
using fleetsim::hil::SmpErrorFieldError;
using fleetsim::hil::SmpPacket;
using json = nlohmann::json;

TEST_CASE("a v1 rc with a reason reads as an SMP-level error", "[smp]") {
  const auto error = read_smp_error({{"rc", 8}, {"rsn", "no such command"}}, 0);
  REQUIRE(error.ok());
  REQUIRE(error.value().has_value());
  CHECK(*error.value() == SmpError{0, 8, false, "no such command"});
}

TEST_CASE("a v2 err map reads as a group error", "[smp]") {
  const auto error = read_smp_error({{"err", {{"group", 1}, {"rc", 24}}}}, 1);
  REQUIRE(error.ok());
  REQUIRE(error.value().has_value());
  CHECK(*error.value() == SmpError{1, 24, true, ""});
}

TEST_CASE("a v2 group error sent as indefinite-length CBOR reads the same", "[smp]") {
  // Response packet: op 3, v2, group 1; payload {"err": {"group": 1, "rc": 24}} as bf … ff.
  const std::vector<std::uint8_t> bytes = {
      0x0b, 0x00, 0x00, 0x14, 0x00, 0x01, 0x05, 0x01, 0xbf, 0x63, 'e',  'r',  'r',  0xbf,
      0x65, 'g',  'r',  'o',  'u',  'p',  0x01, 0x62, 'r',  'c',  0x18, 0x18, 0xff, 0xff};
  const auto packet = SmpPacket::decode(bytes);
  REQUIRE(packet.ok());
  const auto error = read_smp_error(packet.value().payload, packet.value().header.group);
  REQUIRE(error.ok());
  REQUIRE(error.value().has_value());
  CHECK(*error.value() == SmpError{1, 24, true, ""});
}

TEST_CASE("a top-level rc in a v2 response is an SMP-level error", "[smp]") {
  // v2 servers still report e.g. version too new (13) as top-level rc.
  const auto error = read_smp_error({{"rc", 13}}, 0);
  REQUIRE(error.ok());
  REQUIRE(error.value().has_value());
  CHECK(error.value()->rc == 13);
  CHECK_FALSE(error.value()->v2);
}

TEST_CASE("responses without an error, or with rc 0, read as success", "[smp]") {
  for (const json& payload : {json::object(), json{{"r", "hello"}}, json{{"rc", 0}},
                              json{{"err", {{"group", 1}, {"rc", 0}}}}}) {
    const auto error = read_smp_error(payload, 0);
    REQUIRE(error.ok());
    CHECK_FALSE(error.value().has_value());
  }
}

TEST_CASE("malformed error fields are reported, not guessed", "[smp]") {
  const auto rc_text = read_smp_error({{"rc", "eight"}}, 0);
  REQUIRE_FALSE(rc_text.ok());
  CHECK(rc_text.error() == SmpErrorFieldError::RcNotInteger);

  const auto rsn_number = read_smp_error({{"rc", 1}, {"rsn", 5}}, 0);
  REQUIRE_FALSE(rsn_number.ok());
  CHECK(rsn_number.error() == SmpErrorFieldError::RsnNotText);

  const auto err_array = read_smp_error({{"err", json::array({1, 24})}}, 0);
  REQUIRE_FALSE(err_array.ok());
  CHECK(err_array.error() == SmpErrorFieldError::ErrNotMap);

  const auto err_no_rc = read_smp_error({{"err", {{"group", 1}}}}, 0);
  REQUIRE_FALSE(err_no_rc.ok());
  CHECK(err_no_rc.error() == SmpErrorFieldError::ErrFieldsInvalid);

  const auto err_negative = read_smp_error({{"err", {{"group", 1}, {"rc", -3}}}}, 0);
  REQUIRE_FALSE(err_negative.ok());
  CHECK(err_negative.error() == SmpErrorFieldError::ErrFieldsInvalid);
}

TEST_CASE("rc codes have the names of Zephyr's MGMT_ERR codes", "[smp]") {
  CHECK(smp_rc_name(0) == "OK");
  CHECK(smp_rc_name(8) == "NOTSUP");
  CHECK(smp_rc_name(9) == "CORRUPT");
  CHECK(smp_rc_name(13) == "UNSUPPORTED_TOO_NEW");
  CHECK_FALSE(smp_rc_name(14).has_value());
  CHECK(smp_image_rc_name(24) == "INVALID_HASH");
  CHECK(smp_image_rc_name(33) == "IMAGE_SETTING_TEST_TO_ACTIVE_DENIED");
  CHECK_FALSE(smp_image_rc_name(1).has_value());
}

TEST_CASE("an error describes itself with its group and code name", "[smp]") {
  CHECK(describe(SmpError{1, 24, true, ""}) == "group 1 rc 24 INVALID_HASH");
  CHECK(describe(SmpError{0, 8, false, "nope"}) == "rc 8 NOTSUP (nope)");
}
