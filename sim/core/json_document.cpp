#include "sim/core/json_document.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <memory>
#include <unordered_set>

#include "sim/core/message_text.hpp"

namespace fleetsim {
namespace {

using Json = nlohmann::ordered_json;

// Records duplicate object keys while nlohmann parses.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(std::vector<Problem>& p) : p_(p) {}

  bool operator()(int, nlohmann::detail::parse_event_t event, Json& parsed) {
    using E = nlohmann::detail::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start: {
        std::string token;
        if (!frames_.empty())
          token = frames_.back().object ? json_pointer_token(frames_.back().key) : std::to_string(frames_.back().index);
        frames_.push_back({event == E::object_start, std::move(token), {}, 0, {}});
        break;
      }
      case E::key: {
        Frame& top = frames_.back();
        top.key = parsed.get<std::string>();
        // Capped: each report costs O(depth), and a hundred say enough.
        if (!top.keys.insert(top.key).second && ++reported_ <= 100)
          p_.push_back({pointer() + "/" + json_pointer_token(top.key),
                        "duplicate key " + quote(top.key) + " (expected each key once)"});
        break;
      }
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        element_done();
        break;
      case E::value: element_done(); break;
    }
    return true;
  }

 private:
  struct Frame {
    bool object;
    std::string token;  // this container's place in its parent
    std::unordered_set<std::string> keys;
    size_t index;
    std::string key;
  };

  // Built only when needed: storing each frame's full path costs O(depth²) on deep input.
  std::string pointer() const {
    std::string out;
    for (size_t i = 1; i < frames_.size(); ++i) out += "/" + frames_[i].token;
    return out;
  }
  void element_done() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
  }

  std::vector<Problem>& p_;
  std::vector<Frame> frames_;
  size_t reported_ = 0;
};

// nlohmann reports a number too large for a double as out_of_range, without a position; find
// the literal it quotes to say where it is.
std::string overflow_message(const std::string& text, const std::string& what) {
  std::string literal;
  if (auto open = what.find("parsing '"); open != std::string::npos) {
    auto close = what.find('\'', open + 9);
    if (close != std::string::npos) literal = what.substr(open + 9, close - open - 9);
  }
  std::string where;
  if (auto at = literal.empty() ? std::string::npos : text.find(literal); at != std::string::npos) {
    size_t line = 1 + size_t(std::count(text.begin(), text.begin() + long(at), '\n'));
    size_t line_start = text.rfind('\n', at);
    size_t column = at - (line_start == std::string::npos ? 0 : line_start + 1) + 1;
    where = "line " + std::to_string(line) + ", column " + std::to_string(column) + ": ";
  }
  return where + "number " + (literal.empty() ? std::string("") : literal + " ") +
         "is too large (expected a number within the range of a double)";
}

// "line 3, column 5: syntax error: unexpected '}'; expected string literal".
std::string syntax_message(const std::string& text, const nlohmann::detail::parse_error& e) {
  size_t end = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  std::string what = e.what();
  // nlohmann's text reads "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error
  // while parsing object - unexpected '}'; expected string literal"; keep the part after " - ".
  std::string detail = what;
  if (auto dash = what.find(" - "); dash != std::string::npos) detail = what.substr(dash + 3);
  else if (auto colon = what.rfind(": "); colon != std::string::npos) detail = what.substr(colon + 2);
  // The two mistakes hand-edited JSON usually has, which nlohmann's wording does not name.
  if (detail.ends_with("expected '}'") || detail.ends_with("expected ']'")) detail += " (is a comma missing?)";
  else if (detail.starts_with("unexpected '}'") || detail.starts_with("unexpected ']'"))
    detail += " (is there a trailing comma?)";
  else if (detail.find("control character U+000A") != std::string::npos)
    detail += " (is a closing quote missing?)";
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": syntax error: " + detail;
}

std::string position_text(const std::string& text, size_t at) {
  size_t line = 1, line_start = 0;
  for (size_t i = 0; i < at; ++i)
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  return "line " + std::to_string(line) + ", column " + std::to_string(at - line_start + 1);
}

std::string size_text(size_t bytes) {
  return bytes >= (size_t(1) << 20) ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

}  // namespace

// Runs before anything recurses or builds a map. Strings are skipped (with their escapes);
// syntax errors are left to the parser.
std::optional<Problem> json_structure_problem(const std::string& text) {
  struct Open {
    bool object;
    size_t keys;
  };
  std::vector<Open> open;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '{':
      case '[':
        if (open.size() == kMaxJsonDepth)
          return Problem{"", position_text(text, i) + ": arrays and objects nested more than " +
                                 std::to_string(kMaxJsonDepth) + " deep (expected at most " +
                                 std::to_string(kMaxJsonDepth) + " levels)"};
        open.push_back({c == '{', 0});
        break;
      case '}':
      case ']':
        if (!open.empty()) open.pop_back();
        break;
      case ':':
        if (!open.empty() && open.back().object && ++open.back().keys > kMaxObjectMembers)
          return Problem{"", position_text(text, i) + ": an object with more than " +
                                 std::to_string(kMaxObjectMembers) + " keys (expected at most " +
                                 std::to_string(kMaxObjectMembers) + ")"};
        break;
      default: break;
    }
  }
  return std::nullopt;
}

std::optional<std::string> read_bounded_file(const std::string& path, size_t max_bytes, std::vector<Problem>& problems) {
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!in) {
    problems.push_back({"", std::string("cannot read file: ") + std::strerror(errno)});
    return std::nullopt;
  }
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const size_t n = std::fread(buffer, 1, sizeof buffer, in.get());
    if (out.size() + n > max_bytes) {
      problems.push_back({"", "cannot read file: larger than " + size_text(max_bytes) +
                                  " (expected a file of at most that size; is it the right file?)"});
      return std::nullopt;
    }
    out.append(buffer, n);
    if (n < sizeof buffer) break;
  }
  if (std::ferror(in.get())) {
    problems.push_back({"", std::string("cannot read file: ") + std::strerror(errno)});
    return std::nullopt;
  }
  return out;
}

std::optional<std::string> read_document_file(const std::string& path, const std::string& expected,
                                              std::vector<Problem>& problems, size_t max_bytes) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    problems.push_back({"", "cannot read file: it is a directory (expected " + expected + ")"});
    return std::nullopt;
  }
  return read_bounded_file(path, max_bytes, problems);
}

std::optional<nlohmann::ordered_json> parse_json_document(const std::string& text, std::vector<Problem>& problems) {
  if (auto problem = json_structure_problem(text)) {
    problems.push_back(*problem);
    return std::nullopt;
  }
  const size_t before = problems.size();
  DuplicateKeyFinder duplicates(problems);
  try {
    return Json::parse(text, std::ref(duplicates));
  } catch (const nlohmann::detail::parse_error& e) {
    problems.resize(before);
    problems.push_back({"", syntax_message(text, e)});
  } catch (const nlohmann::detail::out_of_range& e) {
    problems.resize(before);
    problems.push_back({"", overflow_message(text, e.what())});
  }
  return std::nullopt;
}

}  // namespace fleetsim
