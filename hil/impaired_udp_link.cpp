#include "hil/impaired_udp_link.hpp"

#include "hil/udp_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace fleetsim::hil {

namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

ImpairedUdpLink::ImpairedUdpLink(const std::string& board_host, std::uint16_t board_port, LinkImpairment impairment)
    : impairment_(std::move(impairment)), rng_(impairment_.seed * 0x9E3779B97F4A7C15ull + 1), started_(Clock::now()) {
  front_ = open_udp_socket("127.0.0.1", 0, UdpRole::Bind);  // port 0: the OS picks one
  try {
    port_ = local_udp_port(front_);
    back_ = open_udp_socket(board_host, board_port, UdpRole::Connect);
  } catch (...) {
    close(front_);
    throw;
  }
  thread_ = std::thread([this] { run(); });
}

ImpairedUdpLink::~ImpairedUdpLink() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  close(front_);
  close(back_);
}

ImpairedUdpLink::Stats ImpairedUdpLink::stats() const {
  std::lock_guard<std::mutex> lock(stats_mu_);
  return stats_;
}

double ImpairedUdpLink::draw_uniform() {
  // xorshift64*: this is the bench's link, not the model; it needs no per-device stream.
  rng_ ^= rng_ >> 12;
  rng_ ^= rng_ << 25;
  rng_ ^= rng_ >> 27;
  return double((rng_ * 0x2545F4914F6CDD1Dull) >> 11) / 9007199254740992.0;
}

double ImpairedUdpLink::draw_exponential(double mean) { return -mean * std::log1p(-draw_uniform()); }

bool ImpairedUdpLink::link_bad(double now) {
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

void ImpairedUdpLink::run() {
  auto clock_now = [this] {
    if (impairment_.clock) return impairment_.clock();
    return std::chrono::duration<double>(Clock::now() - started_).count();
  };
  std::vector<InFlight> in_flight;
  std::vector<std::uint8_t> buf(65536);
  sockaddr_storage client{};
  socklen_t client_len = 0;
  while (!stop_) {
    // Release what is due; held datagrams (stall) wait while the link is bad.
    const auto now = Clock::now();
    const double t = clock_now();
    const bool bad = link_bad(t);
    for (auto it = in_flight.begin(); it != in_flight.end();) {
      if (it->release > now || (bad && impairment_.stall)) {
        ++it;
        continue;
      }
      {  // counted before it leaves, so whoever receives it sees the count
        std::lock_guard<std::mutex> lock(stats_mu_);
        ++stats_.forwarded;
      }
      if (it->to_board) send(back_, it->bytes.data(), it->bytes.size(), 0);
      else if (client_len > 0)
        sendto(front_, it->bytes.data(), it->bytes.size(), 0, reinterpret_cast<sockaddr*>(&client), client_len);
      it = in_flight.erase(it);
    }
    int wait_ms = 20;
    for (const auto& f : in_flight)
      wait_ms = std::min<int>(wait_ms, int(std::max<long>(0, std::chrono::ceil<std::chrono::milliseconds>(f.release - now).count())));
    pollfd fds[2] = {{front_, POLLIN, 0}, {back_, POLLIN, 0}};
    if (poll(fds, 2, wait_ms) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      sockaddr_storage from{};
      socklen_t from_len = sizeof from;
      const ssize_t n = i == 0 ? recvfrom(front_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len)
                               : recv(back_, buf.data(), buf.size(), 0);
      if (n < 0) continue;  // e.g. ECONNREFUSED while the board restarts
      if (i == 0) {
        client = from;
        client_len = from_len;
      }
      const double arrival = clock_now();
      const bool in_outage = std::any_of(impairment_.outages.begin(), impairment_.outages.end(),
                                         [&](const auto& w) { return arrival >= w.first && arrival < w.second; });
      const bool link_is_bad = link_bad(arrival);
      const bool lost = impairment_.loss > 0 && draw_uniform() < impairment_.loss;
      if (in_outage || lost || (link_is_bad && !impairment_.stall)) {
        std::lock_guard<std::mutex> lock(stats_mu_);
        ++stats_.dropped;
        continue;
      }
      if (link_is_bad) {
        std::lock_guard<std::mutex> lock(stats_mu_);
        ++stats_.held;
      }
      in_flight.push_back({Clock::now() + impairment_.delay, i == 0, std::vector<std::uint8_t>(buf.begin(), buf.begin() + n)});
    }
  }
}

}  // namespace fleetsim::hil
