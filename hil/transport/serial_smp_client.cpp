#include "hil/transport/serial_smp_client.hpp"

#include "hil/transport/serial_tty.hpp"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

namespace fleetsim::hil {

namespace {

TransportError io_error(const char* what) {
  return TransportError{TransportError::Kind::Io, std::string(what) + ": " + std::strerror(errno)};
}

}  // namespace

SerialSmpClient::SerialSmpClient(const std::string& path, std::uint32_t baud, TransportTiming timing,
                                 bool emulate_baud)
    : timing_(timing),
      uri_("serial://" + path + "?baud=" + std::to_string(baud) + (emulate_baud ? "&emulate_baud=1" : "")),
      byte_seconds_(emulate_baud ? 10.0 / baud : 0.0),
      line_free_(std::chrono::steady_clock::now()) {
  fd_ = open_raw_tty(path, baud);
}

SerialSmpClient::~SerialSmpClient() {
  if (fd_ >= 0) close(fd_);
}

std::optional<TransportError> SerialSmpClient::write_all(const std::string& bytes) {
  if (byte_seconds_ > 0) {  // the line is busy until the previous bytes are out
    std::this_thread::sleep_until(line_free_);
    line_free_ = std::max(line_free_, std::chrono::steady_clock::now()) +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(byte_seconds_ * double(bytes.size())));
  }
  bytes_written_ += bytes.size();
  std::size_t done = 0;
  const auto deadline = std::chrono::steady_clock::now() + timing_.response_timeout;
  while (done < bytes.size()) {
    const ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
    if (n > 0) {
      done += std::size_t(n);
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EINTR) return io_error("write");
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return TransportError{TransportError::Kind::Timeout, "tty " + uri_ + " does not accept output"};
    pollfd pfd{fd_, POLLOUT, 0};
    poll(&pfd, 1, int(left.count()));
  }
  return std::nullopt;
}

Result<SmpPacket, TransportError> SerialSmpClient::transact(const SmpPacket& request) {
  const auto encoded = request.encode();
  if (!encoded) return fail(TransportError{TransportError::Kind::Encode, std::string(describe(encoded.error()))});
  const auto lines = encode_serial_frame(encoded.value());
  if (!lines) return fail(TransportError{TransportError::Kind::Encode, "packet too large for the serial framing"});
  std::string frame;
  for (const auto& line : lines.value()) frame += line;

  char buf[4096];
  for (int attempt = 0; attempt < timing_.attempts; ++attempt) {
    if (attempt > 0) ++retransmissions_;
    decoder_.reset();  // a half-received frame from before cannot be completed by new lines
    if (auto error = write_all(frame)) return fail(*error);
    const auto deadline = std::chrono::steady_clock::now() + timing_.response_timeout;
    for (;;) {
      const int ready = wait_readable(fd_, deadline);
      if (ready < 0) return fail(io_error("poll"));
      if (ready == 0) break;
      const ssize_t n = read(fd_, buf, sizeof buf);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        return fail(io_error("read"));
      }
      if (n == 0) return fail(TransportError{TransportError::Kind::Io, "tty " + uri_ + " closed"});
      for (auto& event : decoder_.feed(std::span(reinterpret_cast<const std::uint8_t*>(buf), std::size_t(n)))) {
        if (!event) {
          ++damaged_frames_;
          continue;
        }
        const auto packet = SmpPacket::decode(event.value());
        if (packet && answers(packet.value().header, request.header)) return packet.value();
      }
    }
  }
  return fail(no_response_error(uri_, timing_));
}

}  // namespace fleetsim::hil
