// A record of one device's requests to the Mender device API for reports (JUnit system-out):
// one line per request, in the order the requests arrived, with the time since the device's
// first request, the request, the HTTP status fleetsim answered and what it meant, e.g.
//   +1.027 s PUT /api/devices/v1/deployments/device/deployments/deployment-1/status → 204 downloading
// A line is added when its request ends (only then is the status known, even for file downloads
// civetweb answers itself), so lines are ordered by their start, not by when they were added.
// The server writes it under its lock; readers take copies.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace fleetsim::hil::mender {

class MenderTranscript {
 public:
  void add(std::chrono::steady_clock::time_point started, const std::string& request, int http_status,
           const std::string& detail);
  std::string text() const;
  std::size_t lines() const { return lines_.size(); }

 private:
  struct Line {
    std::chrono::steady_clock::time_point started;
    std::string text;  // without the time
  };
  std::vector<Line> lines_;  // ordered by `started`
};

}  // namespace fleetsim::hil::mender
