#include "hil/board/board_inventory.hpp"

#include "hil/board/board_identity.hpp"

#include <algorithm>
#include <set>

#include "sim/core/json_document.hpp"
#include "sim/core/json_reader.hpp"

namespace fleetsim::hil {

namespace {

using namespace json_reader;

constexpr const char* kArgv =
    "an argv array such as [\"uhubctl\", \"-a\", \"off\", \"-p\", \"2\"], run without a shell";

constexpr size_t kMaxBoards = 1'000;

class InventoryReader {
 public:
  InventoryReader(Problems& problems, const std::vector<std::string>& models) : p_(problems), models_(models) {}

  BoardInventory read(const Json& doc) {
    BoardInventory inv;
    Obj top(p_, &doc, "", {"$schema", "boards", "lock_dir"});
    if (!top.valid()) return inv;
    (void)text(top["$schema"], true);
    const Field lock_dir = top["lock_dir"];
    if (auto dir = text(lock_dir)) {
      if (dir->empty() || dir->front() != '/')
        lock_dir.error("lock directory " + quote(*dir) + " is not an absolute path (expected e.g. \"/var/lock/fleetsim\", "
                       "the same for every run that uses these boards)");
      inv.lock_dir = *dir;
    }
    Field boards = top.required("boards", "an array of boards");
    if (boards.j && boards.j->is_array() && boards.j->empty()) boards.error("no boards (expected at least one board)");
    // A lab has tens of boards; each is a connection and a process of its own.
    if (!count_within(boards, kMaxBoards, "boards")) return inv;
    std::vector<size_t> index;  // of each read board in the array
    for_each_element(boards, [&](const Field& b, size_t i) {
      if (auto board = read_board(b)) {
        inv.boards.push_back(std::move(*board));
        index.push_back(i);
      }
    }, "an array of boards");
    if (p_.empty()) refuse_same_board_twice(inv, index);
    return inv;
  }

 private:
  std::optional<BoardSpec> read_board(const Field& f) {
    const size_t before = p_.size();
    Obj o(f, {"id", "uri", "stands_for", "power_off", "power_on", "reset", "tags", "console", "agent", "token"});
    if (!o.valid()) return std::nullopt;
    BoardSpec spec;
    Field id_field = o.required("id", "a unique board id such as \"emu-1\"");
    if (auto id = text(id_field)) {
      if (!ids_.insert(*id).second) id_field.error("duplicate board id " + quote(*id) + " (expected each id once)");
      spec.id = *id;
    }
    const Field agent_field = o["agent"];
    if (auto agent = choice<BoardAgent>(agent_field, "agent", {{"swupdate", BoardAgent::kSwupdate}, {"mender", BoardAgent::kMender}}))
      spec.agent = *agent;
    const Field token_field = o["token"];
    if (auto token = text(token_field)) {
      if (!agent_field.j)
        token_field.error("a token is for agent boards (expected \"agent\": \"swupdate\" or \"mender\" with it, or no token)");
      else if (std::any_of(token->begin(), token->end(), [](unsigned char c) { return c <= ' ' || c >= 0x7f; }))
        token_field.error("token " + quote(*token) + " has spaces or control characters (expected printable ASCII: it "
                          "is sent in an HTTP header)");
      spec.token = *token;
    }
    if (agent_field.j) {  // an agent board polls fleetsim: nothing to connect to
      if (o["uri"].j) o["uri"].error("an agent board polls fleetsim and has no uri (remove \"uri\" or \"agent\")");
      if (o["console"].j) o["console"].error("an agent board has no console link (remove \"console\")");
    } else {
      Field uri_field = o.required("uri", "a board URI such as \"udp://127.0.0.1:1337\" or \"serial:///dev/ttyACM0\"");
      if (auto uri = text(uri_field)) {
        spec.uri_text = *uri;
        auto parsed = parse_transport_uri(*uri);
        if (parsed) spec.uri = parsed.value();
        else uri_field.error(parsed.error());
      }
    }
    Field model_field = o.required("stands_for", "the name of the device model the board stands in for");
    if (auto model = text(model_field)) {
      spec.stands_for = *model;
      if (std::find(models_.begin(), models_.end(), *model) == models_.end())
        model_field.error("unknown device model " + quote(*model) + model_hint(*model));
    }
    spec.power_off = argv(o["power_off"]);
    spec.power_on = argv(o["power_on"]);
    spec.reset = argv(o["reset"]);
    if (spec.power_off.empty() != spec.power_on.empty() && p_.size() == before)
      f.error("power_off and power_on go together (expected both hooks or neither)");
    spec.tags = string_list(o["tags"], "an array of tag strings");
    const Field console_field = o["console"];
    if (auto console = agent_field.j ? std::nullopt : text(console_field)) {
      auto parsed = parse_transport_uri(*console);
      if (!parsed) console_field.error(parsed.error());
      else if (parsed.value().scheme != TransportUri::Scheme::Serial)
        console_field.error("console " + quote(*console) + " is not a tty (expected serial:///dev/ttyUSB1?baud=115200)");
      else if (spec.uri.scheme == TransportUri::Scheme::Serial)
        console_field.error("a serial board's console is its own tty (expected \"console\" only for udp:// boards)");
      else {
        spec.console_text = *console;
        spec.console = parsed.value();
      }
    }
    if (p_.size() != before) return std::nullopt;
    return spec;
  }

  // Two entries that reach one board would run two update flows on it at once (interleaved
  // uploads fail with HASH_NOT_FOUND, or pass for the wrong reason): each board once.
  void refuse_same_board_twice(const BoardInventory& inv, const std::vector<size_t>& index) {
    std::vector<BoardIdentity> ids;
    for (const BoardSpec& b : inv.boards) ids.push_back(board_identity(b.uri));
    for (size_t i = 0; i < ids.size(); ++i) {
      if (inv.boards[i].agent != BoardAgent::kNone) continue;  // reached by its id, which is unique
      for (size_t j = 0; j < i; ++j) {
        if (inv.boards[j].agent != BoardAgent::kNone) continue;
        if (shared_key(ids[i], ids[j]).empty()) continue;
        const BoardSpec& first = inv.boards[j];
        add(p_, "/boards/" + std::to_string(index[i]) + "/uri",
            "same board as /boards/" + std::to_string(index[j]) + " (" + quote(first.id) + ", " + first.uri_text +
                "): " + quote(inv.boards[i].uri_text) + " reaches " + ids[i].described +
                " too (expected each board once: remove one of the two entries)");
        break;
      }
    }
  }

  // A hook: a non-empty array of non-empty strings.
  static std::vector<std::string> argv(const Field& f) {
    if (f.j && f.j->is_array() && f.j->empty()) {
      f.error(std::string("no arguments (expected ") + kArgv + ")");
      return {};
    }
    return string_list(f, kArgv);
  }

  // " (did you mean …)" or the models to choose from; too many to list are named by where they come from.
  std::string model_hint(const std::string& model) const {
    std::string hint = suggestion(model, models_, "expected one of ");
    if (hint.empty()) hint = " (expected a model from `fleetsim models` or the scenario's \"device_models\")";
    return hint;
  }

  Problems& p_;
  const std::vector<std::string>& models_;
  std::set<std::string> ids_;
};

}  // namespace

const char* board_agent_name(BoardAgent a) {
  switch (a) {
    case BoardAgent::kNone: return "";
    case BoardAgent::kSwupdate: return "swupdate";
    case BoardAgent::kMender: return "mender";
  }
  return "";
}

const BoardSpec* BoardInventory::find(const std::string& id) const {
  for (const auto& b : boards)
    if (b.id == id) return &b;
  return nullptr;
}

std::string BoardInventoryLoad::format(const std::string& file) const { return format_problems(file, problems); }

BoardInventoryLoad load_board_inventory_text(const std::string& text, const std::vector<std::string>& models) {
  BoardInventoryLoad result;
  auto doc = parse_json_document(text, result.problems);
  if (!doc) return result;
  InventoryReader reader(result.problems, models);
  BoardInventory inv = reader.read(*doc);
  if (result.problems.empty()) result.inventory = std::move(inv);
  return result;
}

BoardInventoryLoad load_board_inventory_file(const std::string& path, const std::vector<std::string>& models) {
  BoardInventoryLoad result;
  auto text = read_document_file(path, "a boards.json inventory", result.problems);
  if (!text) return result;
  return load_board_inventory_text(*text, models);
}

}  // namespace fleetsim::hil
