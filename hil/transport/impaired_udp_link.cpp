#include "hil/transport/impaired_udp_link.hpp"

#include "hil/transport/udp_socket.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace fleetsim::hil {

ImpairedUdpLink::ImpairedUdpLink(const std::string& board_host, std::uint16_t board_port, LinkImpairment impairment)
    : queue_(std::move(impairment)) {
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

void ImpairedUdpLink::run() {
  std::vector<std::uint8_t> buf(65536);
  sockaddr_storage client{};
  socklen_t client_len = 0;
  while (!stop_) {
    for (const auto& d : queue_.take_due()) {
      if (d.to_board) send(back_, d.bytes.data(), d.bytes.size(), 0);
      else if (client_len > 0)
        sendto(front_, d.bytes.data(), d.bytes.size(), 0, reinterpret_cast<sockaddr*>(&client), client_len);
    }
    pollfd fds[2] = {{front_, POLLIN, 0}, {back_, POLLIN, 0}};
    if (poll(fds, 2, queue_.poll_timeout_ms()) <= 0) continue;
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
      queue_.arrive(i == 0, std::vector<std::uint8_t>(buf.begin(), buf.begin() + n));
    }
  }
}

}  // namespace fleetsim::hil
