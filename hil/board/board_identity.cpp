#include "hil/board/board_identity.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace fleetsim::hil {

namespace {

// The numeric addresses `host` resolves to (for UDP); empty when it does not resolve.
std::set<std::string> resolved_addresses(const std::string& host) {
  std::set<std::string> out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return out;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    char text[NI_MAXHOST] = {};
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) == 0)
      out.insert(text);
  }
  freeaddrinfo(found);
  return out;
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return text;
}

}  // namespace

BoardIdentity board_identity(const TransportUri& uri) {
  BoardIdentity id;
  if (uri.scheme == TransportUri::Scheme::Udp) {
    std::set<std::string> addresses = resolved_addresses(uri.host);
    const std::string port = std::to_string(uri.port);
    if (addresses.empty()) {
      id.keys.push_back("udp host " + lowercase(uri.host) + " " + port);
      id.described = uri.host + " port " + port + " (does not resolve)";
      return id;
    }
    std::string list;
    for (const std::string& a : addresses) {
      id.keys.push_back("udp " + a + " " + port);
      list += (list.empty() ? "" : ", ") + a;
    }
    id.described = list + " port " + port;
    return id;
  }
  struct stat st {};
  if (stat(uri.path.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
    const std::string dev = std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
    id.keys.push_back("tty " + dev);
    id.described = "tty device " + dev;
    return id;
  }
  // Not a device (yet): the same file by its canonical path.
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(uri.path, ec);
  const std::string path = ec ? uri.path : canonical.string();
  id.keys.push_back("tty path " + path);
  id.described = "tty " + path;
  return id;
}

std::string shared_key(const BoardIdentity& a, const BoardIdentity& b) {
  for (const std::string& k : a.keys)
    if (std::find(b.keys.begin(), b.keys.end(), k) != b.keys.end()) return k;
  return "";
}

}  // namespace fleetsim::hil
