// Fuzzes the SMP console framing decoder (hil/protocol/serial_framing) and the base64 it relies
// on (hil/protocol/base64): the bytes a tty delivers, in chunks of fuzzer-chosen sizes.
// Properties checked besides "no crash": a decoded packet, framed again and decoded by a fresh
// decoder, comes back unchanged; base64 decodes what it encodes.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "hil/protocol/base64.hpp"
#include "hil/protocol/serial_framing.hpp"

namespace hil = fleetsim::hil;

namespace {

void check_reframes(const std::vector<std::uint8_t>& packet) {
  const auto lines = hil::encode_serial_frame(packet);
  if (!lines) __builtin_trap();  // the decoder delivered a packet too large to frame
  hil::SerialFrameDecoder fresh;
  std::vector<hil::SerialFrameEvent> events;
  for (const std::string& line : lines.value())
    for (auto& e : fresh.feed(line)) events.push_back(std::move(e));
  if (events.size() != 1 || !events[0] || events[0].value() != packet) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  // The first byte sets the chunk size (1..256) the tty bytes arrive in.
  const std::size_t chunk = std::size_t{data[0]} + 1;
  const std::span<const std::uint8_t> tty(data + 1, size - 1);
  hil::SerialFrameDecoder decoder;
  for (std::size_t pos = 0; pos < tty.size(); pos += chunk)
    for (const hil::SerialFrameEvent& e : decoder.feed(tty.subspan(pos, std::min(chunk, tty.size() - pos))))
      if (e) check_reframes(e.value());

  const std::string_view text(reinterpret_cast<const char*>(tty.data()), tty.size());
  if (const auto bytes = hil::base64_decode(text)) {
    if (bytes->size() * 4 > (text.size() / 4) * 3 * 4) __builtin_trap();  // more bytes than 3 per 4 chars
  }
  const std::string encoded = hil::base64_encode(tty);
  const auto back = hil::base64_decode(encoded);
  if (!back || !std::equal(back->begin(), back->end(), tty.begin(), tty.end())) __builtin_trap();
  return 0;
}
