#include "hil/transport/link_impairment.hpp"

#include <algorithm>
#include <cmath>

namespace fleetsim::hil {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

ImpairedQueue::ImpairedQueue(LinkImpairment impairment)
    : impairment_(std::move(impairment)), rng_(impairment_.seed * 0x9E3779B97F4A7C15ull + 1), started_(Clock::now()) {}

LinkStats ImpairedQueue::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

double ImpairedQueue::clock_now() const {
  if (impairment_.clock) return impairment_.clock();
  return std::chrono::duration<double>(Clock::now() - started_).count();
}

double ImpairedQueue::draw_uniform() {
  // xorshift64*: this is the bench's link, not the model; it needs no per-device stream.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return double((rng_ * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

double ImpairedQueue::draw_exponential(double mean) { return -mean * std::log1p(-draw_uniform()); }

bool ImpairedQueue::link_bad(double now) {
  if (impairment_.mean_good <= 0 || impairment_.mean_bad <= 0) return false;
  if (next_flip_ < 0) {  // state unknown: start from the stationary distribution, as virtual devices do
    bad_ = draw_uniform() < impairment_.mean_bad / (impairment_.mean_good + impairment_.mean_bad);
    next_flip_ = now + draw_exponential(bad_ ? impairment_.mean_bad : impairment_.mean_good);
  }
  while (now >= next_flip_) {
    bad_ = !bad_;
    next_flip_ += draw_exponential(bad_ ? impairment_.mean_bad : impairment_.mean_good);
  }
  return bad_;
}

void ImpairedQueue::arrive(bool to_board, std::vector<std::uint8_t> bytes) {
  const double arrival = clock_now();
  const bool in_outage = std::any_of(impairment_.outages.begin(), impairment_.outages.end(),
                                     [&](const auto& w) { return arrival >= w.first && arrival < w.second; });
  const bool link_is_bad = link_bad(arrival);
  const bool lost = impairment_.loss > 0 && draw_uniform() < impairment_.loss;
  if (in_outage || lost || (link_is_bad && !impairment_.stall)) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.dropped;
    return;
  }
  if (link_is_bad) {
    std::lock_guard<std::mutex> lock(stats_mu_);
    ++stats_.held;
  }
  in_flight_.push_back({Clock::now() + impairment_.delay, to_board, std::move(bytes)});
}

std::vector<ImpairedQueue::Unit> ImpairedQueue::take_due() {
  std::vector<Unit> due;
  if (in_flight_.empty()) return due;
  // Held units (stall) wait while the link is bad; all share one delay, so the queue is in
  // release order and a unit never overtakes an earlier one (a console line must not).
  holding_ = impairment_.stall && link_bad(clock_now());
  if (holding_) return due;
  const auto now = Clock::now();
  while (!in_flight_.empty() && in_flight_.front().release <= now) {
    due.push_back(std::move(in_flight_.front()));
    in_flight_.pop_front();
  }
  std::lock_guard<std::mutex> lock(stats_mu_);
  stats_.forwarded += due.size();
  return due;
}

int ImpairedQueue::poll_timeout_ms() const {
  if (in_flight_.empty() || holding_) return 20;  // holding: due units wait for the clock, not for time
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(in_flight_.front().release - Clock::now()).count();
  return int(std::clamp<long>(left, 0, 20));
}

}  // namespace fleetsim::hil
