#include "reports/client_rate_limit.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>

namespace fleetsim {

namespace {

std::optional<double> number(const std::string& text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

}  // namespace

std::optional<RequestRateLimit> RequestRateLimit::parse(const std::string& value, std::string& error) {
  if (value == "off") return RequestRateLimit{0, 0};
  const size_t comma = value.find(',');
  const auto rate = number(value.substr(0, comma));
  const auto burst = comma == std::string::npos ? std::nullopt : number(value.substr(comma + 1));
  if (!rate || !burst || *rate <= 0 || *rate > 1e6 || *burst < 1 || *burst > 1e6 || *burst != std::floor(*burst)) {
    error = "--metrics-rate-limit \"" + value +
            "\": expected RATE,BURST (requests per second per client above 0, and a whole number of requests "
            "from 1 it may send at once), e.g. 5,10, or off";
    return std::nullopt;
  }
  return RequestRateLimit{*rate, *burst};
}

double ClientRateLimit::refilled(const Bucket& b, Clock::time_point now) const {
  const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.at).count());
  return std::min(limit_.burst, b.tokens + elapsed * limit_.per_second);
}

double ClientRateLimit::admit(const std::string& client, Clock::time_point now) {
  if (limit_.off()) return 0;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= kMaxClients)
      std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= limit_.burst; });
    if (buckets_.size() >= kMaxClients) return 1 / limit_.per_second;
    it = buckets_.emplace(client, Bucket{limit_.burst, now}).first;
  }
  Bucket& b = it->second;
  b.tokens = refilled(b, now);
  b.at = std::max(b.at, now);
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return (1 - b.tokens) / limit_.per_second;
}

}  // namespace fleetsim
