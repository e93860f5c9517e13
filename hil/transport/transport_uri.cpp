#include "hil/transport/transport_uri.hpp"

#include <array>
#include <charconv>
#include <cstddef>
#include <utility>

#include "hil/transport/serial_smp_client.hpp"
#include "hil/transport/udp_smp_client.hpp"
#include "hil/transport/udp_socket.hpp"

namespace fleetsim::hil {

namespace {

// " (expected udp://HOST:PORT, e.g. udp://127.0.0.1:1337, or serial:///dev/ttyACM0?baud=115200)":
// how each registered scheme is written.
std::string expected_uris();

Result<TransportUri, std::string> parse_udp(std::string_view rest) {
  TransportUri uri;
  if (rest.empty()) return fail("udp URI without a host" + expected_uris());
  const bool has_port = rest.back() != ']' && rest.find(':') != std::string_view::npos &&
                        (rest.front() == '[' || rest.find(':') == rest.rfind(':'));
  const std::string with_port = has_port ? std::string(rest) : std::string(rest) + ":1337";
  const auto endpoint = parse_udp_endpoint(with_port);
  if (!endpoint) return fail("\"udp://" + std::string(rest) + "\" is not HOST:PORT" + expected_uris());
  if (endpoint->port == 0) return fail("udp port 0 cannot be reached" + expected_uris());
  uri.host = endpoint->host;
  uri.port = endpoint->port;
  return uri;
}

std::unique_ptr<SmpTransport> open_udp(const TransportUri& uri, TransportTiming timing) {
  return std::make_unique<UdpSmpClient>(uri.host, uri.port, 1500, timing);
}

Result<TransportUri, std::string> parse_serial(std::string_view rest) {
  TransportUri uri;
  const auto question = rest.find('?');
  uri.path = std::string(rest.substr(0, question));
  if (uri.path.empty() || uri.path.front() != '/') {
    return fail("serial URI needs an absolute tty path after serial://" + expected_uris());
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

std::unique_ptr<SmpTransport> open_serial(const TransportUri& uri, TransportTiming timing) {
  return std::make_unique<SerialSmpClient>(uri.path, uri.baud, timing, uri.emulate_baud);
}

// A way to reach a board, chosen by the scheme its URI starts with (NAME://): how the rest of the
// URI is read and how the transport is opened. A new transport is one more entry here.
struct UriScheme {
  std::string_view name;
  TransportUri::Scheme scheme;
  std::string_view written;  // how a URI of this scheme is written, for "(expected …)"
  Result<TransportUri, std::string> (*parse)(std::string_view rest);  // rest: after NAME://
  std::unique_ptr<SmpTransport> (*open)(const TransportUri& uri, TransportTiming timing);
};

constexpr std::array kSchemes{
    UriScheme{"udp", TransportUri::Scheme::Udp, "udp://HOST:PORT, e.g. udp://127.0.0.1:1337", parse_udp, open_udp},
    UriScheme{"serial", TransportUri::Scheme::Serial, "serial:///dev/ttyACM0?baud=115200", parse_serial, open_serial},
};

// open_transport finds a scheme's entry by its TransportUri::Scheme value.
constexpr bool indexed_by_scheme() {
  for (std::size_t i = 0; i < kSchemes.size(); ++i)
    if (static_cast<std::size_t>(kSchemes[i].scheme) != i) return false;
  return true;
}
static_assert(indexed_by_scheme(), "kSchemes[i] must be the entry of TransportUri::Scheme value i");

// "a, b or c", over the registered schemes' `field`.
std::string listed(std::string_view UriScheme::*field, std::string_view last_separator) {
  std::string out;
  for (std::size_t i = 0; i < kSchemes.size(); ++i) {
    if (i > 0) out += i + 1 == kSchemes.size() ? last_separator : std::string_view(", ");
    out += kSchemes[i].*field;
  }
  return out;
}

std::string expected_uris() { return " (expected " + listed(&UriScheme::written, ", or ") + ")"; }

}  // namespace

Result<TransportUri, std::string> parse_transport_uri(std::string_view text) {
  const auto separator = text.find("://");
  const std::string_view name = text.substr(0, separator);
  if (separator != std::string_view::npos) {
    for (const UriScheme& scheme : kSchemes) {
      if (scheme.name != name) continue;
      auto parsed = scheme.parse(text.substr(separator + 3));
      if (!parsed) return parsed;
      TransportUri uri = std::move(parsed).value();
      uri.scheme = scheme.scheme;
      return uri;
    }
  }
  const std::string why =
      separator == std::string_view::npos ? "no scheme" : "unknown scheme \"" + std::string(name) + "\"";
  return fail("\"" + std::string(text) + "\" is not a board URI: " + why + ", the schemes are " +
              listed(&UriScheme::name, " and ") + expected_uris());
}

std::unique_ptr<SmpTransport> open_transport(const TransportUri& uri, TransportTiming timing) {
  return kSchemes.at(static_cast<std::size_t>(uri.scheme)).open(uri, timing);
}

}  // namespace fleetsim::hil
