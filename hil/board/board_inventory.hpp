// The bench: boards.json lists the boards the bridge may use (README "Hardware in the loop"):
//   {"boards": [{"id": "emu-1", "uri": "udp://127.0.0.1:1337", "stands_for": "eth-gateway",
//                "power_off": ["uhubctl", "-a", "off", "-p", "2"], "power_on": [...],
//                "reset": [...], "tags": ["bench-a"]}], "lock_dir": "/var/lock/fleetsim"}
// A Linux board updated by an agent polls fleetsim instead of being reached over SMP: it has
// "agent" ("swupdate": hawkBit DDI, "mender": the Mender device API) and an optional "token" (its
// TargetToken / device token) instead of a "uri":
//   {"id": "gw-1", "agent": "swupdate", "stands_for": "eth-gateway", "token": "…"}
// Hooks are argv arrays run without a shell. It is read with the scenario loader's JSON reader
// (sim/core/json_reader.hpp), so problems read alike: `FILE: /boards/0/uri: message (expected …)`,
// unknown keys with a "did you mean", duplicate keys as errors.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hil/transport/transport_uri.hpp"
#include "sim/core/problem.hpp"

namespace fleetsim::hil {

enum class BoardAgent { kNone, kSwupdate, kMender };  // kNone: an SMP board with a "uri"
const char* board_agent_name(BoardAgent a);           // "", "swupdate", "mender"

struct BoardSpec {
  std::string id;
  BoardAgent agent = BoardAgent::kNone;
  std::string token;     // an agent board's token, "" = none (allowed only when fleetsim listens on loopback)
  std::string uri_text;  // as written ("" for an agent board)
  TransportUri uri;
  std::string stands_for;  // a device model name
  std::vector<std::string> power_off, power_on, reset;  // empty = no hook
  std::vector<std::string> tags;
  std::string console_text;             // "console": a UDP board's console tty, as written ("" = none)
  std::optional<TransportUri> console;  // parsed (serial:// only)
};

struct BoardInventory {
  std::vector<BoardSpec> boards;
  std::string lock_dir;  // "lock_dir": where runs reserve these boards (board_lock.hpp); "" when not given
  const BoardSpec* find(const std::string& id) const;
};

struct BoardInventoryLoad {
  std::optional<BoardInventory> inventory;  // set only when problems is empty
  std::vector<Problem> problems;
  // One line per problem: "FILE: /pointer: message".
  std::string format(const std::string& file) const;
};

// `models` are the device models a board may stand for (the catalog, plus a scenario's own).
BoardInventoryLoad load_board_inventory_text(const std::string& text, const std::vector<std::string>& models);
BoardInventoryLoad load_board_inventory_file(const std::string& path, const std::vector<std::string>& models);

}  // namespace fleetsim::hil
