// A per-client request-rate limit for the --metrics-listen endpoint (README "Running"): one token
// bucket per client address. A bucket holds at most `burst` tokens, gains `per_second` tokens a
// second, and each request takes one; a request that finds less than one token is refused (the
// endpoint answers 429 Too Many Requests with Retry-After). A client that waits is served again,
// and one client's burst does not affect another's.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace fleetsim {

struct RequestRateLimit {
  double per_second = 5;  // tokens added per second
  double burst = 10;      // bucket size: requests a client may send at once

  // "RATE,BURST" (e.g. "5,10") or "off"; nullopt with `error` naming the option when malformed.
  // An "off" limit is returned as per_second 0.
  static std::optional<RequestRateLimit> parse(const std::string& value, std::string& error);
  bool off() const { return per_second <= 0; }
};

class ClientRateLimit {
 public:
  using Clock = std::chrono::steady_clock;
  // Clients tracked at once. A bucket that has refilled is forgotten (a full bucket is what a new
  // client gets), so this bounds the clients that sent a request within the last burst / rate
  // seconds; beyond it new clients are refused until buckets refill.
  static constexpr std::size_t kMaxClients = 4096;

  explicit ClientRateLimit(RequestRateLimit limit) : limit_(limit) {}

  // Takes a token for a request from `client` at `now`: 0 when admitted, else the seconds until
  // the client's bucket holds a token again (> 0).
  double admit(const std::string& client, Clock::time_point now);

 private:
  struct Bucket {
    double tokens;
    Clock::time_point at;  // when `tokens` was counted
  };
  double refilled(const Bucket& b, Clock::time_point now) const;

  RequestRateLimit limit_;
  std::mutex mutex_;  // civetweb's worker threads call admit concurrently
  std::map<std::string, Bucket> buckets_;
};

}  // namespace fleetsim
