#include "hil/board/board_health.hpp"

#include <chrono>

namespace fleetsim::hil {

BoardHealth check_board_health(SmpClient& client) {
  const auto start = std::chrono::steady_clock::now();
  BoardHealth h;
  auto finish = [&](std::string problem) {
    h.healthy = problem.empty();
    h.problem = std::move(problem);
    h.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return h;
  };
  const std::string token = "fleetsim-health";
  auto echo = client.echo(token);
  if (!echo) return finish("echo: " + echo.error().message);
  if (echo.value() != token) return finish("echo answered \"" + echo.value() + "\" instead of \"" + token + "\"");
  auto params = client.params();
  if (!params) return finish("mcumgr params: " + params.error().message);
  h.params = params.value();
  auto state = client.state_read();
  if (!state) return finish("image state read: " + state.error().message);
  h.state = state.value();
  const SlotState* running = h.state.slot(0);
  if (!running || !running->active) return finish("image state read lists no active image in slot 0");
  h.running_version = running->version;
  return finish("");
}

}  // namespace fleetsim::hil
