// The SMP commands the bridge uses (Zephyr SMP groups: OS management 0, image management 1), typed:
// echo, mcumgr params, image state read/write, upload, erase, reset. Picks sequence numbers, sends
// through an SmpTransport and turns every kind of failure — no answer, a malformed answer, an
// `rc` / `err` from the board — into an SmpClientError.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hil/protocol/result.hpp"
#include "sim/core/sha256.hpp"
#include "hil/board/smp_transcript.hpp"
#include "hil/protocol/smp_error.hpp"
#include "hil/transport/smp_transport.hpp"

namespace fleetsim::hil {

struct SmpClientError {
  enum class Kind {
    Transport,  // no answer or I/O failure: the board is unreachable (infrastructure)
    Malformed,  // an answer that does not have the fields the command returns
    Board,      // the board answered with an error (`smp` says which)
  };
  Kind kind = Kind::Transport;
  TransportError transport;  // Kind::Transport
  SmpError smp;              // Kind::Board
  std::string message;       // a sentence for logs and reports

  // The board refused because of the state it is in, not because of the image: no free slot,
  // an image already pending, testing the running image, busy. Says nothing about the firmware.
  bool board_state() const;
};

struct McumgrParams {
  std::uint32_t buf_size = 0;
  std::uint32_t buf_count = 0;
};

// One entry of an image state read; missing flags are false.
struct SlotState {
  int image = 0;
  int slot = 0;
  std::string version;
  std::vector<std::uint8_t> hash;
  bool bootable = false, pending = false, confirmed = false, active = false, permanent = false;
};

struct ImageState {
  std::vector<SlotState> slots;
  // The entry of `slot` (image 0), if the board listed it.
  const SlotState* slot(int slot) const;
};

struct UploadProgress {
  std::size_t offset = 0;  // bytes the board holds
  std::size_t total = 0;
  std::size_t requests = 0;
  std::size_t chunk_bytes = 0;  // largest data field sent
  bool resumed = false;         // the board answered the first chunk with an offset > 0
  std::size_t resumed_from = 0; // that offset: the bytes below it were not sent again
};

class SmpClient {
 public:
  explicit SmpClient(SmpTransport& transport) : transport_(transport) {}

  SmpTransport& transport() { return transport_; }
  // Every request and its response or failure is recorded there (null: none); it must outlive
  // the requests.
  void set_transcript(SmpTranscript* transcript) { transcript_ = transcript; }

  Result<std::string, SmpClientError> echo(const std::string& text);
  Result<McumgrParams, SmpClientError> params();
  Result<ImageState, SmpClientError> state_read();
  // confirm=false + hash of slot 1: test the image (pending) on the next reset.
  Result<ImageState, SmpClientError> test(std::span<const std::uint8_t> hash);
  // confirm=true without hash: make the running image permanent.
  Result<ImageState, SmpClientError> confirm();
  Result<std::monostate, SmpClientError> reset();
  // Image erase of slot 1 (image group command 5): the board refuses while slot 1 is in use.
  Result<std::monostate, SmpClientError> erase();

  // Uploads `image` to slot 1: starts at offset 0 with the whole file's SHA-256, so a board that
  // holds part of the same upload answers with where it stands, and continues from every offset
  // the board returns. Chunks fill packets of at most `packet_limit` bytes (capped by the
  // transport). `progress` is called after every answered chunk.
  Result<UploadProgress, SmpClientError> upload(std::span<const std::uint8_t> image, std::size_t packet_limit,
                                                const std::function<void(const UploadProgress&)>& progress = {});

  // Sends one request and returns the payload of its successful response.
  Result<nlohmann::json, SmpClientError> request(SmpOp op, std::uint16_t group, std::uint8_t command,
                                                 const nlohmann::json& payload);

 private:
  Result<ImageState, SmpClientError> state_write(const nlohmann::json& payload);

  SmpTransport& transport_;
  std::uint8_t next_seq_ = 0;
  SmpTranscript* transcript_ = nullptr;
};

}  // namespace fleetsim::hil
