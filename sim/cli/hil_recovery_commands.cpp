#include "sim/cli/hil_recovery_commands.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "hil/board/board_hook.hpp"
#include "hil/board/known_state.hpp"
#include "sim/cli/board_lookup.hpp"
#include "sim/core/exit_codes.hpp"

namespace fleetsim::hil {

namespace {

// "emu-1 (udp://127.0.0.1:1337)", or the URI alone when BOARD was one.
std::string board_name(const BoardSpec& board, const SmpTransport& transport) {
  return board.id == board.uri_text ? transport.uri() : board.id + " (" + transport.uri() + ")";
}

int refused(const std::string& name, const std::string& what, const SmpClientError& e) {
  std::cerr << "fleetsim hil: board " << name << ": " << what << ": " << e.message;
  if (e.board_state()) std::cerr << " (the board's state does not allow it; see `fleetsim hil state`)";
  std::cerr << "\n";
  return exit_code::kInfrastructure;
}

// The slots after an action, or exit 3 when they cannot be read.
int print_state(SmpClient& client, const std::string& name) {
  auto state = client.state_read();
  if (!state) return refused(name, "image state read", state.error());
  std::printf("%s:\n%s", name.c_str(), describe_slots(state.value()).c_str());
  return exit_code::kOk;
}

}  // namespace

bool is_recovery_operation(const std::string& op) {
  return op == "reset" || op == "confirm" || op == "erase" || op == "state";
}

int run_recovery_operation(const std::string& op, const BoardSpec& board, double reboot_timeout) {
  int code = exit_code::kOk;
  auto transport = open_board(board, code);
  if (!transport) return code;
  SmpClient client(*transport);
  const std::string name = board_name(board, *transport);
  if (op == "state") return print_state(client, name);
  if (op == "reset") {
    BoardUpdateOptions options;
    options.reboot_timeout = std::chrono::milliseconds(std::llround(reboot_timeout * 1000));
    options.recover = board_recovery(board.reset, board.power_off, board.power_on,
                                     [&](const std::string& m) { std::cerr << "  " << board.id << ": " << m << "\n"; });
    const ResetWait r = reset_board(client, options);
    if (!r.sent) {
      std::cerr << "fleetsim hil: board " << name << " refused the reset: " << r.problem << "\n";
      return exit_code::kInfrastructure;
    }
    if (!r.back) {
      std::cerr << "fleetsim hil: board " << name << ": " << r.problem
                << " (check its power and cable; boards.json hooks reset or power_off + power_on run once)\n";
      return exit_code::kInfrastructure;
    }
    std::printf("%s: reset%s, answering again after %.3f s\n", name.c_str(), r.replied ? "" : " (no reply)",
                r.reset_seconds + r.wait_seconds);
    return print_state(client, name);
  }
  if (op == "confirm") {
    auto r = client.confirm();
    if (!r) return refused(name, "confirm", r.error());
    const SlotState* running = r.value().slot(0);
    if (!running || !running->confirmed) {
      std::cerr << "fleetsim hil: board " << name << " acknowledged the confirm but slot 0 is not confirmed "
                << "(the image does not persist it; `fleetsim hil reset` reverts to the previous image)\n";
      return exit_code::kInfrastructure;
    }
    std::printf("%s: confirmed %s\n", name.c_str(), running->version.c_str());
    return print_state(client, name);
  }
  auto r = client.erase();  // erase
  if (!r) return refused(name, "erase slot 1", r.error());
  std::printf("%s: slot 1 erased\n", name.c_str());
  return print_state(client, name);
}

}  // namespace fleetsim::hil
