// A record of one board's SMP exchange for reports (JUnit system-out): one line per request and
// one per response or failure, with the time since the first request and the payload summarised
// (byte strings by their length, long texts cut), e.g.
//   +0.012 s > write image/upload seq 4 {off: 2010, data: <1990 bytes>}
//   +0.015 s < rc 0 {off: 4000}
// Not thread-safe: one update flow writes it, the report reads it after the flow is over.
#pragma once

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "hil/protocol/smp_packet.hpp"

namespace fleetsim::hil {

class SmpTranscript {
 public:
  void request(const SmpPacket& packet);
  void response(const nlohmann::json& payload);
  void failure(const std::string& message);  // no (usable) response
  const std::string& text() const { return text_; }
  std::size_t lines() const { return lines_; }

 private:
  void line(const std::string& text);

  std::chrono::steady_clock::time_point start_{};
  bool started_ = false;
  std::string text_;
  std::size_t lines_ = 0;
};

// "{off: 2010, data: <1990 bytes>}": a payload on one line.
std::string summarise_smp_payload(const nlohmann::json& payload);

}  // namespace fleetsim::hil
