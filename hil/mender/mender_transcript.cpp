#include "hil/mender/mender_transcript.hpp"

#include <algorithm>
#include <cstdio>

namespace fleetsim::hil::mender {

void MenderTranscript::add(std::chrono::steady_clock::time_point started, const std::string& request,
                           int http_status, const std::string& detail) {
  Line line{started, request + " → " + std::to_string(http_status) + (detail.empty() ? "" : " " + detail)};
  const auto at = std::upper_bound(lines_.begin(), lines_.end(), started,
                                   [](auto t, const Line& l) { return t < l.started; });
  lines_.insert(at, std::move(line));
}

std::string MenderTranscript::text() const {
  std::string out;
  for (const Line& line : lines_) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "+%.3f s ",
                  std::chrono::duration<double>(line.started - lines_.front().started).count());
    out += stamp + line.text + "\n";
  }
  return out;
}

}  // namespace fleetsim::hil::mender
