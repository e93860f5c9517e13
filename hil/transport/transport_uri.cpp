#include "hil/transport/transport_uri.hpp"

#include <charconv>

#include "hil/transport/serial_smp_client.hpp"
#include "hil/transport/udp_smp_client.hpp"
#include "hil/transport/udp_socket.hpp"

namespace fleetsim::hil {

namespace {

constexpr const char* kExpected =
    " (expected udp://HOST:PORT, e.g. udp://127.0.0.1:1337, or serial:///dev/ttyACM0?baud=115200)";

Result<TransportUri, std::string> parse_udp(std::string_view rest) {
  TransportUri uri;
  uri.scheme = TransportUri::Scheme::Udp;
  if (rest.empty()) return fail(std::string("udp URI without a host") + kExpected);
  const bool has_port = rest.back() != ']' && rest.find(':') != std::string_view::npos &&
                        (rest.front() == '[' || rest.find(':') == rest.rfind(':'));
  const std::string with_port = has_port ? std::string(rest) : std::string(rest) + ":1337";
  const auto endpoint = parse_udp_endpoint(with_port);
  if (!endpoint) return fail("\"udp://" + std::string(rest) + "\" is not HOST:PORT" + kExpected);
  if (endpoint->port == 0) return fail(std::string("udp port 0 cannot be reached") + kExpected);
  uri.host = endpoint->host;
  uri.port = endpoint->port;
  return uri;
}

Result<TransportUri, std::string> parse_serial(std::string_view rest) {
  TransportUri uri;
  uri.scheme = TransportUri::Scheme::Serial;
  const auto question = rest.find('?');
  uri.path = std::string(rest.substr(0, question));
  if (uri.path.empty() || uri.path.front() != '/') {
    return fail("serial URI needs an absolute tty path after serial://" + std::string(kExpected));
  }
  if (question == std::string_view::npos) return uri;
  std::string_view query = rest.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (item == "emulate_baud=1" || item == "emulate_baud=0") {
      uri.emulate_baud = item.back() == '1';
      continue;
    }
    if (item.substr(0, 5) != "baud=") {
      return fail("unknown serial option \"" + std::string(item) + "\" (expected baud=N or emulate_baud=1)");
    }
    const std::string_view value = item.substr(5);
    std::uint32_t baud = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), baud);
    if (ec != std::errc() || end != value.data() + value.size() || baud == 0) {
      return fail("baud \"" + std::string(value) + "\" is not a positive whole number (expected e.g. baud=115200)");
    }
    uri.baud = baud;
  }
  return uri;
}

}  // namespace

Result<TransportUri, std::string> parse_transport_uri(std::string_view text) {
  if (text.substr(0, 6) == "udp://") return parse_udp(text.substr(6));
  if (text.substr(0, 9) == "serial://") return parse_serial(text.substr(9));
  return fail("\"" + std::string(text) + "\" is not a board URI" + kExpected);
}

std::unique_ptr<SmpTransport> open_transport(const TransportUri& uri, TransportTiming timing) {
  if (uri.scheme == TransportUri::Scheme::Udp) return std::make_unique<UdpSmpClient>(uri.host, uri.port, 1500, timing);
  return std::make_unique<SerialSmpClient>(uri.path, uri.baud, timing, uri.emulate_baud);
}

}  // namespace fleetsim::hil
