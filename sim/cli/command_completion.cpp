#include "sim/cli/command_completion.hpp"

#include "sim/cli/schema_fields.hpp"
#include "sim/core/options_manual.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace fleetsim {

namespace po = boost::program_options;
using Json = nlohmann::json;

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// The line split into words as the shell would (quotes and backslashes removed); the last word is
// the one being completed ("" after a space).
std::vector<std::string> shell_words(const std::string& line) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < line.size()) word += line[++i];
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < line.size()) {
      word += line[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  words.push_back(word);
  return words;
}

struct Option {
  std::string name;  // long name
  bool takes_value = false;
};

std::vector<Option> options_in(const std::optional<po::options_description>& desc) {
  std::vector<Option> out;
  if (!desc) return out;
  for (const auto& o : desc->options())
    out.push_back({o->long_name(), o->semantic() && o->semantic()->max_tokens() > 0});
  return out;
}

// The placeholders of a synopsis line ("fleetsim compare RESULTS_A RESULTS_B [--tolerance REL]":
// RESULTS_A, RESULTS_B): the arguments a command takes, in order.
std::vector<std::string> positional_placeholders(const std::string& synopsis, size_t skip_words) {
  std::vector<std::string> out;
  std::istringstream in(synopsis.substr(0, synopsis.find('\n')));
  std::string word;
  int depth = 0;             // inside [...]
  bool option_value = false;  // the word after an option is its value
  for (size_t i = 0; in >> word; ++i) {
    const int opened = int(std::count(word.begin(), word.end(), '['));
    const int closed = int(std::count(word.begin(), word.end(), ']'));
    const bool counted = i >= skip_words && depth == 0 && opened == 0 && word[0] != '-' && !option_value;
    option_value = word[0] == '-';
    depth += opened - closed;
    if (counted) out.push_back(word);
  }
  return out;
}

// The compgen directive for a placeholder or an option's value.
std::string file_directive(const std::string& what) {
  if (what.find(".json") != std::string::npos || what == "boards" || what == "SCENARIO") return "@files json\n";
  if (what.find("DIR") != std::string::npos || what.find("RESULTS") != std::string::npos || what == "out")
    return "@dirs\n";
  return "@files\n";
}

std::string listed(const std::vector<std::string>& candidates, const std::string& current) {
  // bash splits the current word after '=' and ':' (COMP_WORDBREAKS); it replaces only that part.
  const auto cut = current.find_last_of("=:");
  const size_t keep = cut == std::string::npos ? 0 : cut + 1;
  std::string out;
  for (const std::string& c : candidates)
    if (starts_with(c, current)) out += c.substr(keep) + "\n";
  return out;
}

// The scenario named on the line (the first *.json argument that parses), for its own keys.
Json scenario_on_line(const std::vector<std::string>& words) {
  for (size_t i = 2; i + 1 < words.size(); ++i)
    if (words[i].size() > 5 && words[i].compare(words[i].size() - 5, 5, ".json") == 0 && words[i - 1] != "--boards") {
      std::ifstream in(words[i]);
      if (!in) continue;
      Json doc = Json::parse(in, nullptr, false);
      if (doc.is_object()) return doc;
    }
  return Json::object();
}

}  // namespace

std::vector<std::string> commands_in_usage(const std::string& usage, const std::string& program) {
  std::vector<std::string> out;
  std::istringstream lines(usage);
  const std::string lead = "  " + program + " ";
  for (std::string line; std::getline(lines, line);) {
    if (!starts_with(line, lead)) continue;
    std::istringstream words(line.substr(lead.size()));
    std::string word;
    words >> word;
    if (word.empty() || word[0] == '-') continue;
    if (program.find(' ') != std::string::npos) {  // "fleetsim hil": "probe|flash|..." or "probe"
      std::istringstream alternatives(word);
      for (std::string w; std::getline(alternatives, w, '|');)
        if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
    } else if (std::find(out.begin(), out.end(), word) == out.end()) {
      out.push_back(word);
    }
  }
  return out;
}

std::string complete_command_line(const std::string& line, const CompletionSources& sources) {
  const std::vector<std::string> words = shell_words(line);
  const std::string& current = words.back();
  const size_t index = words.size() - 1;
  if (index == 0) return "";
  const std::vector<std::string> commands = commands_in_usage(sources.usage, "fleetsim");
  if (index == 1) {
    if (starts_with(current, "-")) return listed({"--help", "--version"}, current);
    return listed(commands, current);
  }
  const std::string& command = words[1];
  if (command == "help") return index == 2 ? listed(commands, current) : "";
  if (std::find(commands.begin(), commands.end(), command) == commands.end()) return "";
  std::vector<std::string> command_words = {command};
  size_t first_argument = 2;  // where the command's own arguments start
  if (command == "hil") {
    if (index == 2) return listed(commands_in_usage(sources.hil_usage, "fleetsim hil"), current);
    if (words[2] == "image") {
      command_words.push_back("image");
      if (index == 3) return listed({"create"}, current);
      first_argument = 4;
    } else {
      first_argument = 3;
    }
  }
  const auto desc = sources.options_of(command_words);
  const std::vector<Option> options = options_in(desc);
  // The value of an option: --set/--vary paths (models after ".model="), files, folders.
  const std::string previous = words[index - 1];
  if (starts_with(previous, "--")) {
    const auto option = std::find_if(options.begin(), options.end(),
                                     [&](const Option& o) { return "--" + o.name == previous; });
    if (option != options.end() && option->takes_value) {
      if (option->name == "set" || option->name == "vary") {
        const auto eq = current.find('=');
        if (eq == std::string::npos) {
          std::vector<std::string> paths;
          for (const SchemaField& f : schema_fields(sources.schema, scenario_on_line(words))) paths.push_back(f.path);
          for (std::string& p : paths) p += "=";
          return listed(paths, current);
        }
        const std::string path = current.substr(0, eq);
        if (path == "model" || (path.size() > 6 && path.compare(path.size() - 6, 6, ".model") == 0)) {
          std::vector<std::string> values;
          for (const std::string& m : sources.model_names) values.push_back(path + "=" + m);
          return listed(values, current);
        }
        return "";
      }
      if (option->name == "boards" || option->name == "out") return file_directive(option->name);
      return "";
    }
  }
  if (starts_with(current, "-")) {
    std::vector<std::string> names;
    for (const Option& o : options) names.push_back("--" + o.name);
    return listed(names, current);
  }
  // A positional argument: its placeholder in the command's synopsis says what it is.
  size_t position = 0;
  for (size_t i = first_argument; i < index; ++i) {
    if (starts_with(words[i], "-")) {
      const auto option = std::find_if(options.begin(), options.end(),
                                       [&](const Option& o) { return "--" + o.name == words[i]; });
      if (option != options.end() && option->takes_value) ++i;  // its value
      continue;
    }
    ++position;
  }
  if (command == "hil") return position == 0 ? "" : "@files\n";  // BOARD (an id or URI), then IMAGE
  const std::vector<std::string> placeholders =
      desc ? positional_placeholders(options_caption(*desc), 2) : std::vector<std::string>{};
  if (position < placeholders.size()) return file_directive(placeholders[position]);
  return "";
}

}  // namespace fleetsim
