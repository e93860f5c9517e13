// The SMP server side of a Zephyr/MCUboot board (Zephyr SMP OS and image management groups),
// independent of any transport: one request packet in, the response packet out. Two file-backed
// slots (slot0.bin, slot1.bin) and a JSON state file (state.json, written temp + rename) live in a
// state directory and survive restarts — including an upload in progress, so a restarted emulator
// answers a resume with the offset it had reached. Reset swaps the slots as MCUboot does (MCUboot
// design documentation: test, confirm, revert; the cases are in reset()): the transport sends the
// reset reply, takes the request with take_reset_request(), stays silent for the reset time, then
// calls reset().
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hil/protocol/image_version.hpp"
#include "sim/core/sha256.hpp"
#include "hil/protocol/smp_error.hpp"
#include "hil/protocol/smp_packet.hpp"

namespace fleetsim::hil {

struct BoardEmulatorOptions {
  std::filesystem::path state_dir;
  std::size_t slot_size = 1024 * 1024;              // bytes per slot
  ImageVersion initial_version{1, 0, 0, 0};         // slot 0 of a fresh state directory
  std::uint32_t initial_body_size = 4096;
  std::uint32_t buf_size = 2048;                    // mcumgr params (Zephyr's UDP defaults)
  std::uint32_t buf_count = 2;
  // Fault switches (README "The board emulator"): an image of this version never comes up healthy,
  // so a test swap to it reverts during the reset; --no-confirm: a confirm is acknowledged but
  // never persisted.
  std::optional<ImageVersion> boot_fail;
  bool no_confirm = false;
  // --die-at-offset: the upload write that reaches this offset (inside the image) stores the
  // bytes below it, the state is persisted, then `power_loss` runs (fleetsim-board: _exit) and
  // nothing is answered. A restarted emulator resumes the upload from this offset.
  std::optional<std::size_t> die_at_offset;
  std::function<void()> power_loss;
  // --flash-rate: bytes per second an upload write takes before the reply (0: instant).
  double flash_rate = 0;
  // --echo-fail-after-boot: once a reset has swapped in a new image, echo answers rc 1
  // (UNKNOWN) — the application's health probe fails — until a revert brings the old one back.
  bool echo_fail_after_boot = false;
  // Called when the application comes up after a reset, with the version it runs (the
  // fleetsim-board console prints its boot banner).
  std::function<void(const std::string& running_version)> on_boot;
};

// The stat group (2) the emulator keeps, as Zephyr's smp_svr sample names it.
inline constexpr const char* kBoardStatGroup = "smp_svr_stats";

class BoardEmulator {
 public:
  // Opens (or initialises) the state directory; throws std::runtime_error on I/O failure.
  explicit BoardEmulator(BoardEmulatorOptions options);

  // The response to one request packet; std::nullopt when nothing can be answered (header
  // unreadable, the packet is itself a response, or --die-at-offset cut the power).
  std::optional<std::vector<std::uint8_t>> handle(std::span<const std::uint8_t> request);
  // Decoded variant for tests and transports that already have a packet.
  std::optional<SmpPacket> handle(const SmpPacket& request);

  // True once after a reset request was answered.
  bool take_reset_request();
  // What the board does while it reboots: MCUboot's swap/revert, then the app comes up.
  void reset();

  // The version slot 0 holds: what the board runs.
  std::string running_version() const;

  // Where an upload in progress stands (0 when none).
  std::size_t upload_offset() const { return upload_ ? upload_->off : 0; }

 private:
  struct Upload {
    std::size_t len = 0;
    std::size_t off = 0;
    std::vector<std::uint8_t> sha;
  };
  struct SlotImage {
    ImageVersion version;
    Sha256Digest hash{};
  };

  nlohmann::json dispatch(const SmpPacket& request);
  nlohmann::json os_group(const SmpPacket& request);
  nlohmann::json image_group(const SmpPacket& request);
  nlohmann::json stat_group(const SmpPacket& request);
  nlohmann::json os_info(const nlohmann::json& req) const;
  nlohmann::json state_read() const;
  nlohmann::json state_write(const nlohmann::json& req);
  nlohmann::json upload(const nlohmann::json& req);
  nlohmann::json erase(const nlohmann::json& req);

  std::optional<SlotImage> slot_image(int slot) const;
  bool slot1_in_use() const;
  void swap_slots();
  void load_state();
  void save_state() const;
  std::filesystem::path slot_path(int slot) const;

  BoardEmulatorOptions options_;
  bool slot0_confirmed_ = true;
  bool slot1_confirmed_ = false;  // the old image kept for a revert after a test swap
  bool slot1_pending_ = false;
  bool slot1_permanent_ = false;
  // The running image came in through a swap (not a revert): --echo-fail-after-boot applies.
  bool slot0_from_update_ = false;
  std::optional<Upload> upload_;
  bool reset_requested_ = false;
  bool powered_off_ = false;  // --die-at-offset cut the power: nothing is answered any more
  // smp_svr_stats counters, in the application's RAM (cleared by a reset).
  std::uint64_t requests_since_boot_ = 0;
  std::uint64_t upload_bytes_since_boot_ = 0;
};

}  // namespace fleetsim::hil
