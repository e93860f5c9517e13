#include "hil/board/smp_transcript.hpp"

#include <cstdio>

#include "hil/protocol/smp_error.hpp"

namespace fleetsim::hil {

namespace {

// "os/echo", "image/upload": the commands the bridge sends by name, others by number.
std::string command_name(std::uint16_t group, std::uint8_t command) {
  if (group == kSmpGroupOs) {
    switch (command) {
      case 0: return "os/echo";
      case 5: return "os/reset";
      case 6: return "os/mcumgr_params";
      case 7: return "os/info";
    }
  }
  if (group == kSmpGroupImage) {
    switch (command) {
      case 0: return "image/state";
      case 1: return "image/upload";
      case 5: return "image/erase";
    }
  }
  return "group " + std::to_string(group) + "/" + std::to_string(command);
}

std::string summarise(const nlohmann::json& value, int depth) {
  if (value.is_binary()) return "<" + std::to_string(value.get_binary().size()) + " bytes>";
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    return nlohmann::json(s.size() > 40 ? s.substr(0, 40) + "…" : s).dump();
  }
  if (value.is_object()) {
    if (depth > 2) return "{…}";
    std::string out = "{";
    for (auto it = value.begin(); it != value.end(); ++it)
      out += (out.size() > 1 ? ", " : "") + it.key() + ": " + summarise(it.value(), depth + 1);
    return out + "}";
  }
  if (value.is_array()) {
    if (depth > 2) return "[" + std::to_string(value.size()) + " items]";
    std::string out = "[";
    for (const auto& v : value) out += (out.size() > 1 ? ", " : "") + summarise(v, depth + 1);
    return out + "]";
  }
  return value.dump();
}

}  // namespace

std::string summarise_smp_payload(const nlohmann::json& payload) { return summarise(payload, 0); }

void SmpTranscript::line(const std::string& text) {
  const auto now = std::chrono::steady_clock::now();
  if (!started_) {
    start_ = now;
    started_ = true;
  }
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "+%.3f s ", std::chrono::duration<double>(now - start_).count());
  text_ += stamp + text + "\n";
  ++lines_;
}

void SmpTranscript::request(const SmpPacket& packet) {
  const char* op = packet.header.op == SmpOp::Write ? "write" : "read";
  line(std::string("> ") + op + " " + command_name(packet.header.group, packet.header.command) + " seq " +
       std::to_string(packet.header.seq) + " " + summarise_smp_payload(packet.payload));
}

void SmpTranscript::response(const nlohmann::json& payload) { line("< " + summarise_smp_payload(payload)); }

void SmpTranscript::failure(const std::string& message) { line("< " + message); }

}  // namespace fleetsim::hil
