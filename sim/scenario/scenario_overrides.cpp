// `--set key.path=value` overrides, applied to the parsed scenario JSON before validation so that
// an overridden value is checked exactly like one written in the file.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/core/json_document.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace fleetsim {
namespace {

using Json = nlohmann::ordered_json;

struct Step {
  std::optional<std::string> key;  // else an array index
  size_t index = 0;
};


std::string kind_of(const Json& j) {
  if (j.is_array()) return "an array";
  if (j.is_object()) return "an object";
  if (j.is_string()) return "a string";
  if (j.is_number()) return "a number";
  if (j.is_boolean()) return "a boolean";
  return "null";
}

// "fleet.cohorts[0].count" -> [fleet, cohorts, 0, count]; nullopt with `error` set otherwise.
std::optional<std::vector<Step>> parse_path(std::string_view path, std::string& error) {
  std::vector<Step> steps;
  size_t i = 0;
  for (;;) {
    size_t start = i;
    while (i < path.size() && path[i] != '.' && path[i] != '[' && path[i] != ']') ++i;
    if (i == start) {
      error = "empty key in the path (expected a path like fleet.cohorts[0].count)";
      return std::nullopt;
    }
    steps.push_back({std::string(path.substr(start, i - start)), 0});
    while (i < path.size() && path[i] == '[') {
      size_t close = path.find(']', i);
      std::string_view digits = path.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
      bool ok = close != std::string_view::npos && !digits.empty() && digits.size() <= 9 &&
                digits.find_first_not_of("0123456789") == std::string_view::npos;
      if (!ok) {
        error = "bad index in the path (expected [N] with a non-negative integer N)";
        return std::nullopt;
      }
      steps.push_back({std::nullopt, size_t(std::stoul(std::string(digits)))});
      i = close + 1;
    }
    if (steps.size() > kMaxJsonDepth) {
      error = "more than " + std::to_string(kMaxJsonDepth) + " steps in the path (expected a path into the scenario)";
      return std::nullopt;
    }
    if (i == path.size()) return steps;
    if (path[i] != '.') {
      error = std::string("unexpected '") + path[i] + "' in the path (expected a path like fleet.cohorts[0].count)";
      return std::nullopt;
    }
    ++i;
  }
}

// Why `steps` cannot be applied to `doc`, or nullopt when it can: keys are created as needed,
// array indices must exist or be the next one (append).
std::optional<Problem> check_path(const Json& doc, const std::vector<Step>& steps, const std::string& name) {
  const Json* node = &doc;  // nullptr once the path leaves what exists (it will be created)
  std::string pointer;
  std::string shown;  // the path walked so far, as the user wrote it
  for (const auto& step : steps) {
    if (step.key) {
      if (node && !node->is_null() && !node->is_object())
        return Problem{pointer, name + ": " + (shown.empty() ? "the document" : shown) + " is " + kind_of(*node) +
                                    " (expected an object to hold key \"" + *step.key + "\")"};
      if (node) {
        auto it = node->is_object() ? node->find(*step.key) : node->end();
        node = (node->is_object() && it != node->end()) ? &*it : nullptr;
      }
      pointer += "/" + json_pointer_token(*step.key);
      shown += (shown.empty() ? "" : ".") + *step.key;
    } else {
      const std::string index = std::to_string(step.index);
      if (!node || !node->is_array())
        return Problem{pointer, name + ": " + shown + " is " + (node ? kind_of(*node) : std::string("absent")) +
                                    " (expected an array to index with [" + index + "])"};
      if (step.index > node->size())
        return Problem{pointer, name + ": index " + index + " is out of range (" + shown + " has " +
                                    std::to_string(node->size()) + " elements; [" + std::to_string(node->size()) +
                                    "] appends)"};
      node = step.index < node->size() ? &(*node)[step.index] : nullptr;
      pointer += "/" + index;
      shown += "[" + index + "]";
    }
  }
  return std::nullopt;
}

}  // namespace

std::string set_option_text(const std::string& set) {
  return "--set " + Json(set).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::vector<Problem> apply_overrides(nlohmann::ordered_json& doc, const std::vector<std::string>& sets,
                                     const std::vector<std::string>& names, std::vector<std::string>* pointers) {
  std::vector<Problem> problems;
  if (pointers) pointers->assign(sets.size(), "");
  for (size_t i = 0; i < sets.size(); ++i) {
    const std::string& set = sets[i];
    const std::string name = i < names.size() && !names[i].empty() ? names[i] : set_option_text(set);
    const size_t eq = set.find('=');
    if (eq == std::string::npos) {
      problems.push_back({"", name + ": no \"=\" (expected key.path=value)"});
      continue;
    }
    std::string error;
    auto steps = parse_path(std::string_view(set).substr(0, eq), error);
    if (!steps) {
      problems.push_back({"", name + ": " + error});
      continue;
    }
    const std::string value_text = set.substr(eq + 1);
    if (auto problem = json_structure_problem(value_text)) {
      problems.push_back({"", name + ": " + problem->message});
      continue;
    }
    Json value = Json::parse(value_text, nullptr, false);
    if (value.is_discarded()) value = value_text;  // not JSON: a plain string such as 72h

    // Check the whole path before changing anything, so that a failed override leaves no
    // half-created keys behind (and without copying the document, which may be huge).
    if (auto problem = check_path(doc, *steps, name)) {
      problems.push_back(std::move(*problem));
      continue;
    }
    Json* node = &doc;
    std::string pointer;
    for (const auto& step : *steps) {
      pointer += "/" + (step.key ? json_pointer_token(*step.key) : std::to_string(step.index));
      if (step.key) {
        if (node->is_null()) *node = Json::object();
        node = &(*node)[*step.key];
      } else {
        if (step.index == node->size()) node->push_back(nullptr);
        node = &(*node)[step.index];
      }
    }
    *node = std::move(value);
    if (pointers) (*pointers)[i] = pointer;
  }
  return problems;
}

}  // namespace fleetsim
