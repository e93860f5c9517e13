#include "hil/emulator/board_emulator.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "hil/protocol/mcuboot_image.hpp"
#include "sim/core/sha256.hpp"
#include "hil/protocol/smp_packet.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/board_state.hpp"

using fleetsim::hil::BoardEmulator;
using fleetsim::hil::BoardEmulatorOptions;
using fleetsim::hil::ImageVersion;
using fleetsim::hil::kSmpV1;
using fleetsim::hil::kSmpV2;
using fleetsim::sha256;
using fleetsim::hil::SmpOp;
using fleetsim::hil::SmpPacket;
using fleetsim::testing::TempDir;
using fleetsim::testing::flag;
using fleetsim::testing::hash_of;
using fleetsim::testing::slot_entry;
using fleetsim::testing::upload_image;
using fleetsim::testing::make_image;
using fleetsim::testing::tlv_hash;
using json = nlohmann::json;
using Bytes = std::vector<std::uint8_t>;

namespace {

json bin(const Bytes& b) { return json::binary(b); }

struct Client {
  BoardEmulator& emu;
  std::uint8_t seq = 0;
  std::uint8_t version = kSmpV2;

  // Sends one request as bytes and decodes the single response; checks header echo.
  json call(SmpOp op, std::uint16_t group, std::uint8_t command, json payload) {
    SmpPacket req;
    req.header.op = op;
    req.header.version = version;
    req.header.group = group;
    req.header.command = command;
    req.header.seq = ++seq;
    req.payload = std::move(payload);
    const auto bytes = req.encode();
    REQUIRE(bytes.ok());
    const auto reply = emu.handle(bytes.value());
    REQUIRE(reply.has_value());
    const auto decoded = SmpPacket::decode(*reply);
    REQUIRE(decoded.ok());
    const auto& h = decoded.value().header;
    CHECK(static_cast<int>(h.op) == static_cast<int>(op) + 1);
    CHECK(h.group == group);
    CHECK(h.command == command);
    CHECK(h.seq == seq);
    CHECK(h.version == version);
    return decoded.value().payload;
  }

  json upload_chunk(json fields) { return call(SmpOp::Write, 1, 1, std::move(fields)); }

  // Uploads `image` from offset `from` in chunks of `chunk` bytes, following the returned off.
  void upload(const Bytes& image, std::size_t chunk = 512, std::size_t from = 0) {
    const json last = upload_image([&](json req) { return upload_chunk(std::move(req)); }, image,
                                   chunk, from);
    if (from < image.size()) CHECK(last.value("match", false));
  }

  json state() { return call(SmpOp::Read, 1, 0, json::object()); }
  json state_write(json req) { return call(SmpOp::Write, 1, 0, std::move(req)); }
  json reset() { return call(SmpOp::Write, 0, 5, json::object()); }
};

std::int64_t group_rc(const json& reply) {
  if (!reply.contains("err")) return -1;
  CHECK(reply["err"]["group"] == 1);
  return reply["err"]["rc"].get<std::int64_t>();
}

BoardEmulatorOptions options_for(const TempDir& dir) {
  BoardEmulatorOptions options;
  options.state_dir = dir.path;
  options.slot_size = 64 * 1024;
  return options;
}

}  // namespace

TEST_CASE("board emulator: full update flow, test → reset → confirm", "[board]") {
  TempDir dir;
  BoardEmulator emu(options_for(dir));
  Client c{emu};

  json s = c.state();
  REQUIRE(s["images"].size() == 1);
  CHECK(slot_entry(s, 0)["version"] == "1.0.0");
  CHECK(flag(slot_entry(s, 0), "active"));
  CHECK(flag(slot_entry(s, 0), "confirmed"));
  const auto old_hash = slot_entry(s, 0)["hash"].get_binary();
  CHECK(old_hash.size() == 32);

  const Bytes image = make_image({1, 2, 3, 0});
  c.upload(image);
  s = c.state();
  REQUIRE(s["images"].size() == 2);
  const json slot1 = slot_entry(s, 1);
  CHECK(slot1["version"] == "1.2.3");
  CHECK(hash_of(slot1) == tlv_hash(image));
  CHECK_FALSE(flag(slot1, "pending"));
  CHECK_FALSE(flag(slot1, "confirmed"));
  CHECK_FALSE(flag(slot1, "active"));

  s = c.state_write({{"hash", bin(tlv_hash(image))}, {"confirm", false}});
  CHECK(flag(slot_entry(s, 1), "pending"));
  CHECK_FALSE(flag(slot_entry(s, 1), "permanent"));
  CHECK(flag(slot_entry(s, 0), "active"));

  CHECK(c.reset() == json::object());
  CHECK(emu.take_reset_request());
  CHECK_FALSE(emu.take_reset_request());
  emu.reset();

  s = c.state();
  CHECK(slot_entry(s, 0)["version"] == "1.2.3");
  CHECK(flag(slot_entry(s, 0), "active"));
  CHECK_FALSE(flag(slot_entry(s, 0), "confirmed"));
  CHECK(slot_entry(s, 1)["version"] == "1.0.0");
  CHECK(flag(slot_entry(s, 1), "confirmed"));
  CHECK_FALSE(flag(slot_entry(s, 1), "active"));

  // Testing the running image is refused.
  CHECK(group_rc(c.state_write({{"hash", bin(tlv_hash(image))}, {"confirm", false}})) == 33);

  s = c.state_write({{"confirm", true}});
  CHECK(flag(slot_entry(s, 0), "confirmed"));
  CHECK(flag(slot_entry(s, 0), "active"));
  CHECK_FALSE(flag(slot_entry(s, 1), "confirmed"));

  // A further reset keeps the confirmed image.
  c.reset();
  emu.reset();
  CHECK(slot_entry(c.state(), 0)["version"] == "1.2.3");
}

TEST_CASE("board emulator: an unconfirmed test image reverts on the next reset", "[board]") {
  TempDir dir;
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  const Bytes image = make_image({2, 0, 0, 0});
  c.upload(image, 700);
  c.state_write({{"hash", bin(tlv_hash(image))}});
  c.reset();
  emu.reset();
  CHECK(slot_entry(c.state(), 0)["version"] == "2.0.0");
  // Slot 1 holds the revert image: neither erase nor a new upload may touch it.
  CHECK(group_rc(c.call(SmpOp::Write, 1, 5, json::object())) == 9);
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(Bytes(image.begin(), image.begin() + 64))},
                                 {"len", image.size()}})) == 9);
  c.reset();
  emu.reset();
  const json s = c.state();
  CHECK(slot_entry(s, 0)["version"] == "1.0.0");
  CHECK(flag(slot_entry(s, 0), "active"));
  CHECK(flag(slot_entry(s, 0), "confirmed"));
  CHECK(slot_entry(s, 1)["version"] == "2.0.0");
  CHECK_FALSE(flag(slot_entry(s, 1), "pending"));
  CHECK_FALSE(flag(slot_entry(s, 1), "confirmed"));
}

TEST_CASE("board emulator: permanent (confirm with slot-1 hash) swaps for good", "[board]") {
  TempDir dir;
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  const Bytes image = make_image({1, 1, 0, 7});
  c.upload(image);
  json s = c.state_write({{"hash", bin(tlv_hash(image))}, {"confirm", true}});
  CHECK(flag(slot_entry(s, 1), "pending"));
  CHECK(flag(slot_entry(s, 1), "permanent"));
  c.reset();
  emu.reset();
  s = c.state();
  CHECK(slot_entry(s, 0)["version"] == "1.1.0.7");
  CHECK(flag(slot_entry(s, 0), "confirmed"));
  CHECK_FALSE(flag(slot_entry(s, 1), "confirmed"));
  c.reset();
  emu.reset();
  CHECK(slot_entry(c.state(), 0)["version"] == "1.1.0.7");
}

TEST_CASE("board emulator: --boot-fail and --no-confirm end in a revert", "[board]") {
  TempDir dir;
  const Bytes image = make_image({3, 0, 0, 0});
  SECTION("boot-fail") {
    auto options = options_for(dir);
    options.boot_fail = ImageVersion{3, 0, 0, 0};
    BoardEmulator emu(options);
    Client c{emu};
    c.upload(image);
    c.state_write({{"hash", bin(tlv_hash(image))}});
    c.reset();
    emu.reset();
    const json s = c.state();
    CHECK(slot_entry(s, 0)["version"] == "1.0.0");
    CHECK(flag(slot_entry(s, 0), "confirmed"));
    CHECK(slot_entry(s, 1)["version"] == "3.0.0");
  }
  SECTION("no-confirm") {
    auto options = options_for(dir);
    options.no_confirm = true;
    BoardEmulator emu(options);
    Client c{emu};
    c.upload(image);
    c.state_write({{"hash", bin(tlv_hash(image))}});
    c.reset();
    emu.reset();
    CHECK(c.state_write({{"confirm", true}}).contains("images"));
    CHECK_FALSE(flag(slot_entry(c.state(), 0), "confirmed"));
    c.reset();
    emu.reset();
    CHECK(slot_entry(c.state(), 0)["version"] == "1.0.0");
  }
}

TEST_CASE("board emulator: an interrupted upload resumes with the same sha", "[board]") {
  TempDir dir;
  const Bytes image = make_image({1, 5, 0, 0}, 5000);
  const auto sha = sha256(image);
  std::size_t stopped_at = 0;
  {
    BoardEmulator emu(options_for(dir));
    Client c{emu};
    json r = c.upload_chunk({{"off", 0},
                             {"len", image.size()},
                             {"sha", bin(Bytes(sha.begin(), sha.end()))},
                             {"data", bin(Bytes(image.begin(), image.begin() + 1000))}});
    CHECK(r["off"] == 1000);
    r = c.upload_chunk({{"off", 1000}, {"data", bin(Bytes(image.begin() + 1000, image.begin() + 2000))}});
    CHECK(r["off"] == 2000);
    stopped_at = 2000;
    // Upload in progress: slot 1 is not reported.
    CHECK(c.state()["images"].size() == 1);
  }
  // Re-created from the same directory (process restarted): same sha → current offset.
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  CHECK(emu.upload_offset() == stopped_at);
  const json r = c.upload_chunk({{"off", 0},
                                 {"len", image.size()},
                                 {"sha", bin(Bytes(sha.begin(), sha.end()))},
                                 {"data", bin(Bytes(image.begin(), image.begin() + 1000))}});
  CHECK(r == json{{"off", stopped_at}});
  c.upload(image, 1000, stopped_at);
  CHECK(hash_of(slot_entry(c.state(), 1)) == tlv_hash(image));

  SECTION("a different sha restarts the upload from scratch") {
    const Bytes other = make_image({1, 6, 0, 0}, 5000);
    const auto other_sha = sha256(other);
    const json r2 = c.upload_chunk({{"off", 0},
                                    {"len", other.size()},
                                    {"sha", bin(Bytes(other_sha.begin(), other_sha.end()))},
                                    {"data", bin(Bytes(other.begin(), other.begin() + 100))}});
    CHECK(r2["off"] == 100);
  }
}

TEST_CASE("board emulator: upload error rules", "[board]") {
  TempDir dir;
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  const Bytes image = make_image({1, 2, 0, 0});
  const Bytes head(image.begin(), image.begin() + 64);

  CHECK(group_rc(c.upload_chunk({{"data", bin(head)}, {"len", image.size()}})) == 20);
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(Bytes(head.begin(), head.begin() + 31))},
                                 {"len", image.size()}})) == 22);
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(head)}})) == 21);
  Bytes bad_magic = head;
  bad_magic[0] ^= 0xFF;
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(bad_magic)}, {"len", image.size()}})) == 23);
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(head)}, {"len", 64 * 1024 + 1}})) == 30);
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(head)}, {"len", 32}})) == 31);
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(head)}, {"len", image.size()},
                                 {"upgrade", true}, {"image", 0}})) == -1);  // 1.2.0 > 1.0.0

  // off ≠ expected: data dropped, success with the expected offset.
  CHECK(c.upload_chunk({{"off", 100}, {"data", bin(head)}}) == json{{"off", 64}});
  CHECK(c.upload_chunk({{"off", 64}, {"data", bin(head)}}) == json{{"off", 128}});
  // Overrun past len.
  const Bytes big(image.size(), 0xAB);
  CHECK(group_rc(c.upload_chunk({{"off", 128}, {"data", bin(big)}})) == 31);

  // Not newer than the running 1.0.0 with upgrade=true.
  const Bytes old = make_image({1, 0, 0, 9});
  CHECK(group_rc(c.upload_chunk({{"off", 0}, {"data", bin(Bytes(old.begin(), old.begin() + 64))},
                                 {"len", old.size()}, {"upgrade", true}})) == 27);

  SECTION("no upload in progress: a later offset gets off 0 back") {
    CHECK(c.call(SmpOp::Write, 1, 5, json::object()) == json::object());  // erase
    CHECK(c.upload_chunk({{"off", 512}, {"data", bin(head)}}) == json{{"off", 0}});
  }
  SECTION("v1 requests get a top-level rc") {
    c.version = kSmpV1;
    const json r = c.upload_chunk({{"off", 0}, {"data", bin(head)}});
    CHECK(r["rc"] == 3);
    CHECK(r["rsn"] == "INVALID_LENGTH");
    CHECK_FALSE(r.contains("err"));
  }
}

TEST_CASE("board emulator: OS group, unknown commands and versions", "[board]") {
  TempDir dir;
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  CHECK(c.call(SmpOp::Write, 0, 0, {{"d", "hello"}}) == json{{"r", "hello"}});
  CHECK(c.call(SmpOp::Read, 0, 0, {{"d", ""}}) == json{{"r", ""}});
  CHECK(c.call(SmpOp::Read, 0, 6, json::object()) == json{{"buf_size", 2048}, {"buf_count", 2}});
  CHECK(c.call(SmpOp::Read, 0, 8, json::object()) == json{{"bootloader", "MCUboot"}});
  CHECK(c.call(SmpOp::Read, 0, 8, {{"query", "mode"}}).contains("mode"));
  CHECK(c.call(SmpOp::Read, 0, 99, json::object()) == json{{"rc", 8}});
  CHECK(c.call(SmpOp::Read, 42, 0, json::object()) == json{{"rc", 8}});
  CHECK(c.call(SmpOp::Read, 1, 9, json::object()) == json{{"rc", 8}});
  CHECK(group_rc(c.state_write({{"hash", bin(Bytes(32, 0x11))}})) == 8);  // HASH_NOT_FOUND
  CHECK(group_rc(c.state_write({{"hash", bin(Bytes(5, 0x11))}})) == 24);

  // Version 2 (bits = 2) → rc 13, answered with version min(2, 1).
  SmpPacket req;
  req.header.op = SmpOp::Write;
  req.header.version = 2;
  req.header.seq = 9;
  req.payload = {{"d", "x"}};
  auto reply = emu.handle(req.encode().value());
  REQUIRE(reply);
  auto decoded = SmpPacket::decode(*reply);
  REQUIRE(decoded.ok());
  CHECK(decoded.value().payload == json{{"rc", 13}});
  CHECK(decoded.value().header.version == kSmpV2);
  CHECK(decoded.value().header.seq == 9);

  // Length larger than the bytes present → rc 9; garbage and responses → no answer.
  req.header.version = kSmpV2;
  Bytes bytes = req.encode().value();
  bytes.pop_back();
  reply = emu.handle(bytes);
  REQUIRE(reply);
  CHECK(SmpPacket::decode(*reply).value().payload == json{{"rc", 9}});
  CHECK_FALSE(emu.handle(Bytes{0x01, 0x02}).has_value());
  req.header.op = SmpOp::WriteResponse;
  CHECK_FALSE(emu.handle(req.encode().value()).has_value());
}

TEST_CASE("board emulator: state survives re-creating the emulator", "[board]") {
  TempDir dir;
  const Bytes image = make_image({4, 0, 0, 0});
  {
    BoardEmulator emu(options_for(dir));
    Client c{emu};
    c.upload(image);
    c.state_write({{"hash", bin(tlv_hash(image))}});
  }
  {
    BoardEmulator emu(options_for(dir));
    Client c{emu};
    CHECK(flag(slot_entry(c.state(), 1), "pending"));
    c.reset();
    emu.reset();
  }
  {
    BoardEmulator emu(options_for(dir));
    Client c{emu};
    const json s = c.state();
    CHECK(slot_entry(s, 0)["version"] == "4.0.0");
    CHECK_FALSE(flag(slot_entry(s, 0), "confirmed"));
    CHECK(flag(slot_entry(s, 1), "confirmed"));
    c.state_write({{"confirm", true}});
  }
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  CHECK(flag(slot_entry(c.state(), 0), "confirmed"));
  CHECK(hash_of(slot_entry(c.state(), 0)) == tlv_hash(image));
}

TEST_CASE("board emulator: OS info lists the selected fields in Zephyr's fixed order", "[board]") {
  TempDir dir;
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  // Fields in order s n r v m p i o; r is the running image's version (a fresh board: 1.0.0).
  CHECK(c.call(SmpOp::Read, 0, 7, json::object()) == json{{"output", "Zephyr"}});
  CHECK(c.call(SmpOp::Read, 0, 7, {{"format", ""}}) == json{{"output", "Zephyr"}});
  CHECK(c.call(SmpOp::Read, 0, 7, {{"format", "rs"}}) == json{{"output", "Zephyr 1.0.0"}});
  CHECK(c.call(SmpOp::Read, 0, 7, {{"format", "oo"}}) == json{{"output", "Zephyr"}});
  CHECK(c.call(SmpOp::Read, 0, 7, {{"format", "a"}}) ==
        json{{"output", "Zephyr fleetsim-board 1.0.0 emulated posix emulated fleetsim_board Zephyr"}});
  // An unknown letter is OS group error 2 (INVALID_FORMAT); v1 clients get rc 3 (EINVAL).
  CHECK(c.call(SmpOp::Read, 0, 7, {{"format", "sx"}}) ==
        json{{"err", {{"group", 0}, {"rc", 2}}}});
  c.version = kSmpV1;
  CHECK(c.call(SmpOp::Read, 0, 7, {{"format", "sx"}}) == json{{"rc", 3}});
  CHECK(c.call(SmpOp::Write, 0, 7, json::object()) == json{{"rc", 8}});
}

TEST_CASE("board emulator: stat group smp_svr_stats counts requests and upload bytes since boot",
          "[board]") {
  TempDir dir;
  BoardEmulator emu(options_for(dir));
  Client c{emu};
  CHECK(c.call(SmpOp::Read, 2, 1, json::object()) == json{{"stat_list", {"smp_svr_stats"}}});
  c.call(SmpOp::Write, 0, 0, {{"d", "1"}});
  c.call(SmpOp::Write, 0, 0, {{"d", "2"}});
  // list + 2 echoes + this show = 4 requests; nothing uploaded.
  CHECK(c.call(SmpOp::Read, 2, 0, {{"name", "smp_svr_stats"}}) ==
        json{{"name", "smp_svr_stats"}, {"fields", {{"requests", 4}, {"upload_bytes", 0}}}});
  const Bytes image = make_image({1, 1, 0, 0}, 2000);
  c.upload(image, 512);
  const json shown = c.call(SmpOp::Read, 2, 0, {{"name", "smp_svr_stats"}});
  CHECK(shown["fields"]["upload_bytes"] == image.size());
  // Unknown name: stat group error 2 (INVALID_GROUP).
  CHECK(c.call(SmpOp::Read, 2, 0, {{"name", "nope"}}) == json{{"err", {{"group", 2}, {"rc", 2}}}});
  // The counters live in the app's RAM: a reset starts them over (the show itself is 1).
  c.reset();
  emu.reset();
  CHECK(c.call(SmpOp::Read, 2, 0, {{"name", "smp_svr_stats"}})["fields"] ==
        json{{"requests", 1}, {"upload_bytes", 0}});
}
