#include "hil/board/board_inventory.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace fleetsim::hil {

namespace {

using Json = nlohmann::json;

class InventoryReader {
 public:
  InventoryReader(std::vector<Problem>& problems, const std::vector<std::string>& models)
      : problems_(problems), models_(models) {}

  BoardInventory read(const Json& doc) {
    BoardInventory inv;
    if (!doc.is_object()) {
      add("", "expected an object {\"boards\": [...]}");
      return inv;
    }
    for (const auto& [key, value] : doc.items())
      if (key != "boards" && key != "$schema") add("/" + json_pointer_token(key), "unknown key (expected \"boards\")");
    const auto boards = doc.find("boards");
    if (boards == doc.end()) {
      add("", "missing required key \"boards\" (expected an array of boards)");
      return inv;
    }
    if (!boards->is_array() || boards->empty()) {
      add("/boards", "expected a non-empty array of boards");
      return inv;
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < boards->size(); ++i) {
      const std::string ptr = "/boards/" + std::to_string(i);
      const Json& entry = (*boards)[i];
      if (entry.is_object() && entry.contains("id") && entry["id"].is_string() &&
          !ids.insert(entry["id"].get<std::string>()).second) {
        add(ptr + "/id", "duplicate board id \"" + entry["id"].get<std::string>() + "\" (expected every id once)");
        continue;
      }
      if (auto board = read_board(entry, ptr)) inv.boards.push_back(std::move(*board));
    }
    return inv;
  }

 private:
  void add(std::string pointer, std::string message) { problems_.push_back({std::move(pointer), std::move(message)}); }

  std::optional<std::string> text(const Json& board, const std::string& ptr, const char* key, bool required) {
    const auto it = board.find(key);
    if (it == board.end()) {
      if (required) add(ptr, std::string("missing required key \"") + key + "\"");
      return std::nullopt;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      add(ptr + "/" + key, "expected a non-empty string");
      return std::nullopt;
    }
    return it->get<std::string>();
  }

  // An argv array of non-empty strings; `what` says what it is for in the message.
  std::vector<std::string> strings(const Json& board, const std::string& ptr, const char* key, const char* what,
                                   bool allow_empty = false) {
    const auto it = board.find(key);
    if (it == board.end()) return {};
    const std::string p = ptr + "/" + key;
    if (!it->is_array() || (it->empty() && !allow_empty)) {
      add(p, std::string("expected ") + what);
      return {};
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < it->size(); ++i) {
      const Json& s = (*it)[i];
      if (!s.is_string() || s.get_ref<const std::string&>().empty()) {
        add(p + "/" + std::to_string(i), std::string("expected a non-empty string (") + what + ")");
        return {};
      }
      out.push_back(s.get<std::string>());
    }
    return out;
  }

  std::optional<BoardSpec> read_board(const Json& board, const std::string& ptr) {
    if (!board.is_object()) {
      add(ptr, "expected an object with \"id\", \"uri\" and \"stands_for\"");
      return std::nullopt;
    }
    static const std::vector<std::string> keys = {"id", "uri", "stands_for", "power_off", "power_on", "reset", "tags"};
    const std::size_t before = problems_.size();
    for (const auto& [key, value] : board.items())
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        add(ptr + "/" + json_pointer_token(key),
            "unknown key (expected id, uri, stands_for, power_off, power_on, reset or tags)");
    BoardSpec spec;
    if (auto id = text(board, ptr, "id", true)) spec.id = *id;
    if (auto uri = text(board, ptr, "uri", true)) {
      spec.uri_text = *uri;
      auto parsed = parse_transport_uri(*uri);
      if (parsed) spec.uri = parsed.value();
      else add(ptr + "/uri", parsed.error());
    }
    if (auto model = text(board, ptr, "stands_for", true)) {
      spec.stands_for = *model;
      if (std::find(models_.begin(), models_.end(), *model) == models_.end()) {
        std::string known;
        for (const auto& m : models_) known += (known.empty() ? "" : ", ") + m;
        add(ptr + "/stands_for", "unknown device model \"" + *model + "\" (expected one of " + known + ")");
      }
    }
    const char* argv_what = "an argv array such as [\"uhubctl\", \"-a\", \"off\", \"-p\", \"2\"], run without a shell";
    spec.power_off = strings(board, ptr, "power_off", argv_what);
    spec.power_on = strings(board, ptr, "power_on", argv_what);
    spec.reset = strings(board, ptr, "reset", argv_what);
    if (spec.power_off.empty() != spec.power_on.empty() && problems_.size() == before)
      add(ptr, "power_off and power_on go together (expected both hooks or neither)");
    spec.tags = strings(board, ptr, "tags", "an array of tag strings", true);
    if (problems_.size() != before) return std::nullopt;
    return spec;
  }

  std::vector<Problem>& problems_;
  const std::vector<std::string>& models_;
};

}  // namespace

const BoardSpec* BoardInventory::find(const std::string& id) const {
  for (const auto& b : boards)
    if (b.id == id) return &b;
  return nullptr;
}

std::string BoardInventoryLoad::format(const std::string& file) const { return format_problems(file, problems); }

BoardInventoryLoad load_board_inventory_text(const std::string& text, const std::vector<std::string>& models) {
  BoardInventoryLoad result;
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::parse_error& e) {
    result.problems.push_back({"", std::string("not valid JSON: ") + e.what()});
    return result;
  }
  InventoryReader reader(result.problems, models);
  BoardInventory inv = reader.read(doc);
  if (result.problems.empty()) result.inventory = std::move(inv);
  return result;
}

BoardInventoryLoad load_board_inventory_file(const std::string& path, const std::vector<std::string>& models) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    BoardInventoryLoad result;
    result.problems.push_back({"", "cannot read file (expected a boards.json inventory)"});
    return result;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return load_board_inventory_text(ss.str(), models);
}

}  // namespace fleetsim::hil
