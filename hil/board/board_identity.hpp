// What makes two boards.json entries the same board, whatever way their URIs are written: a UDP
// board is each address its host resolves to plus the port (udp://localhost:P and
// udp://127.0.0.1:P are one board), a serial board is its tty device — the device number of the
// file (st_rdev), so a symlink such as /dev/serial/by-id/… and /dev/ttyACM0 are one board, and
// the baud rate is not part of it. The reservation lock files (board_lock.hpp) are named by these
// keys too, so two runs that name one board differently still exclude each other.
#pragma once

#include <string>
#include <vector>

#include "hil/transport/transport_uri.hpp"

namespace fleetsim::hil {

struct BoardIdentity {
  // Sorted, unique keys such as "udp 127.0.0.1 1337" or "tty 136:3"; two boards are the same
  // when they share a key. A host that does not resolve (or a tty that does not exist) keys by
  // its text: the entry is then still compared with the others, just not by address.
  std::vector<std::string> keys;
  // For messages, e.g. "127.0.0.1 port 1337" or "tty device 136:3 (/dev/pts/3)".
  std::string described;
};

BoardIdentity board_identity(const TransportUri& uri);

// The first key the two identities share, or "" when they are different boards.
std::string shared_key(const BoardIdentity& a, const BoardIdentity& b);

}  // namespace fleetsim::hil
