#include "sim/cli/board_lookup.hpp"

#include <iostream>

#include "sim/core/exit_codes.hpp"
#include "sim/scenario/device_model_catalog.hpp"

namespace fleetsim::hil {

int hil_usage_error(const std::string& message) {
  std::cerr << "fleetsim hil: " << message << "\n(see 'fleetsim hil --help')\n";
  return exit_code::kBadInput;
}

std::optional<BoardSpec> resolve_board(const std::string& board, const std::string& boards_file, int& code,
                                       std::string* lock_dir) {
  if (board.find("://") != std::string::npos) {
    auto uri = parse_transport_uri(board);
    if (!uri) {
      code = hil_usage_error("BOARD " + uri.error());
      return std::nullopt;
    }
    BoardSpec spec;
    spec.id = board;
    spec.uri_text = board;
    spec.uri = uri.value();
    return spec;
  }
  if (boards_file.empty()) {
    code = hil_usage_error("BOARD \"" + board + "\" is not a URI; give --boards FILE to look it up as a board id");
    return std::nullopt;
  }
  std::vector<std::string> models;
  for (const auto& m : builtin_device_models()) models.push_back(m.name);
  auto loaded = load_board_inventory_file(boards_file, models);
  if (!loaded.inventory) {
    std::cerr << loaded.format(boards_file);
    code = exit_code::kBadInput;
    return std::nullopt;
  }
  if (lock_dir) *lock_dir = loaded.inventory->lock_dir;
  if (const BoardSpec* spec = loaded.inventory->find(board)) return *spec;
  std::string ids;
  for (const auto& b : loaded.inventory->boards) ids += (ids.empty() ? "" : ", ") + b.id;
  code = hil_usage_error("no board \"" + board + "\" in " + boards_file + " (boards: " + ids + ")");
  return std::nullopt;
}

std::unique_ptr<SmpTransport> open_board(const BoardSpec& board, int& code) {
  try {
    return open_transport(board.uri);
  } catch (const std::exception& e) {
    std::cerr << "fleetsim hil: board " << board.id << " (" << board.uri_text << "): " << e.what() << "\n";
    code = exit_code::kInfrastructure;
    return nullptr;
  }
}

}  // namespace fleetsim::hil
