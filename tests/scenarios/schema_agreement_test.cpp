// scenarios/scenario.schema.json (what editors check scenario files against) and the loader are
// two descriptions of one format. Here a real JSON Schema validator (Debian's python3-jsonschema,
// through schema_verdicts.py) and the loader judge the same documents:
//   - every shipped scenario (scenarios/**/*.json) and every malformed case (malformed/*.json);
//   - variants of each shipped scenario and of schema_agreement/every_option.json (which uses
//     every key of the format): each key dropped, an unknown key added to each object, each leaf
//     given a value of another type, and each leaf set to edge values (an empty string, the
//     string with its digits zeroed, "150%" for a percentage; 0, -1, 0.5 and 1e19 for a number).
// They must accept and reject the same documents, except where the loader checks what no JSON
// Schema can say: kCrossFieldChecks names those checks by their messages and says why.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/core/problem.hpp"
#include "sim/scenario/scenario_loader.hpp"
#include "tests/cli_runner.hpp"

using namespace fleetsim::testing;

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

const fs::path kRoot = FLEETSIM_SOURCE_DIR;

struct Document {
  std::string name;  // where it comes from: "scenarios/quickstart.json: drop /rollout/order"
  std::string text;
};

// Loader checks that relate one part of a document to another, or to the world outside it:
// a JSON Schema validates each value against a fixed description and cannot express them. A
// document the loader rejects and the schema accepts is excused when every problem the loader
// reports contains one of these phrases.
struct CrossFieldCheck {
  const char* phrase;
  const char* why;
};
const CrossFieldCheck kCrossFieldChecks[] = {
    {"undefined region", "a cohort's, the CDN's or a fault's region must be a key of \"regions\""},
    {"undefined cohort", "a filter names cohorts defined in \"fleet\""},
    {"unknown device model", "a cohort's model must be in the built-in catalog or in \"device_models\""},
    {"is not used by any cohort", "a per-model boot failure names a model some cohort uses"},
    {"has no capacity", "a region needs a CDN egress in \"platform\" or a backhaul in \"regions\""},
    {"shares sum to", "a cohort's version shares must add up to 100%"},
    {"is not above the median", "a lognormal's p95 is compared with its median"},
    {"is below min", "a uniform distribution's max is compared with its min"},
    {"is not below poll_interval", "poll_jitter is compared with poll_interval (or its default)"},
    {"is below backoff_base", "backoff_cap is compared with backoff_base"},
    {"is larger than the full image", "a delta's size is compared with the image's"},
    {"has no image here", "without a shared firmware size, every model some cohort uses needs an entry in images"},
    {"duplicate cohort name", "cohort names are unique across the array's items"},
    {"duplicate key", "a key given twice is gone once parsed, and the schema sees parsed JSON"},
    {"is not above the previous wave's", "cumulative wave shares increase from item to item"},
    {"eligible devices", "wave sizes depend on how many devices the filter lets through"},
    {"no cohort matches the filter", "the filter is matched against the cohorts"},
    {"unknown time zone", "time zones are the IANA database's, not a list in the schema"},
};

// The .json files under `dir` (recursively), but the schema itself, relative to the repository.
std::vector<fs::path> json_files(const fs::path& dir, const std::string& skip) {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.path().extension() == ".json" && e.path().filename() != skip) out.push_back(fs::relative(e.path(), kRoot));
  std::sort(out.begin(), out.end());
  return out;
}

// Every node of `j` with its JSON pointer, depth first.
void nodes(const Json& j, const std::string& ptr, std::vector<std::pair<std::string, const Json*>>& out) {
  out.emplace_back(ptr, &j);
  if (j.is_object())
    for (const auto& [k, v] : j.items()) nodes(v, ptr + "/" + fleetsim::json_pointer_token(k), out);
  if (j.is_array())
    for (size_t i = 0; i < j.size(); ++i) nodes(j[i], ptr + "/" + std::to_string(i), out);
}

std::string edited(const Json& base, const std::function<void(Json&)>& edit) {
  Json j = base;
  edit(j);
  return j.dump(2);
}

std::vector<Json> edge_values(const Json& leaf) {
  if (leaf.is_number()) return {0, -1, 0.5, 1e19};
  if (!leaf.is_string()) return {};
  std::string zeroed = leaf.get<std::string>();
  std::replace_if(zeroed.begin(), zeroed.end(), [](char c) { return c >= '1' && c <= '9'; }, '0');
  std::vector<Json> out = {"", zeroed};
  if (leaf.get<std::string>().ends_with("%")) out.emplace_back("150%");
  return out;
}

void add_variants(const std::string& name, const Json& base, std::vector<Document>& out) {
  std::vector<std::pair<std::string, const Json*>> all;
  nodes(base, "", all);
  for (const auto& [ptr, node] : all) {
    const Json::json_pointer at(ptr);
    if (node->is_object()) {
      for (const auto& [key, value] : node->items())
        out.push_back({name + ": drop " + ptr + "/" + fleetsim::json_pointer_token(key),
                       edited(base, [&](Json& j) { j[at].erase(key); })});
      out.push_back({name + ": add " + ptr + "/unknown_key",
                     edited(base, [&](Json& j) { j[at]["unknown_key"] = "x"; })});
    } else if (!node->is_array() && !ptr.empty()) {
      const Json other_type = node->is_boolean() ? Json("yes") : Json(true);
      out.push_back({name + ": retype " + ptr, edited(base, [&](Json& j) { j[at] = other_type; })});
      for (const Json& edge : edge_values(*node))
        if (edge != *node)
          out.push_back({name + ": set " + ptr + " to " + edge.dump(), edited(base, [&](Json& j) { j[at] = edge; })});
    }
  }
}

std::vector<Document> documents() {
  std::vector<Document> out;
  std::vector<fs::path> bases = json_files(kRoot / "scenarios", "scenario.schema.json");
  for (const auto& p : bases) out.push_back({p.string(), slurp((kRoot / p).string())});
  for (const auto& p : json_files(kRoot / "tests/scenarios/malformed", "expected.json"))
    out.push_back({p.string(), slurp((kRoot / p).string())});
  bases.push_back("tests/scenarios/schema_agreement/every_option.json");
  for (const auto& p : bases) add_variants(p.string(), Json::parse(slurp((kRoot / p).string())), out);
  return out;
}

// The file each document is written to, in the order the verdict script lists them.
std::string file_name(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%05zu.json", i);
  return buf;
}

// "valid" or "invalid: /pointer: why", by file name.
std::map<std::string, std::string> schema_verdicts(const std::string& dir) {
  const std::string schema = (kRoot / "scenarios/scenario.schema.json").string();
  const Cli run =
      run_program((kRoot / "tests/scenarios/schema_verdicts.py").string(), shell_quote(schema) + " " + shell_quote(dir));
  INFO("schema_verdicts.py needs Debian's python3-jsonschema (.ci/common.sh installs it); it printed:\n"
       << run.output.substr(0, 2000));
  REQUIRE(run.exit_code == 0);
  std::map<std::string, std::string> out;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    const size_t space = line.find(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

// The cross-field checks that explain all of `problems`, or nothing when one is not explained.
std::set<const CrossFieldCheck*> cross_field_only(const std::vector<fleetsim::Problem>& problems) {
  std::set<const CrossFieldCheck*> used;
  for (const auto& p : problems) {
    const auto* check =
        std::find_if(std::begin(kCrossFieldChecks), std::end(kCrossFieldChecks),
                     [&](const CrossFieldCheck& c) { return p.message.find(c.phrase) != std::string::npos; });
    if (check == std::end(kCrossFieldChecks)) return {};
    used.insert(check);
  }
  return used;
}

}  // namespace

TEST_CASE(
    "the JSON Schema and the loader accept and reject the same documents except where the loader checks across fields",
    "[schema]") {
  const std::vector<Document> docs = documents();
  // 9 shipped scenarios and every_option.json, of 100 to 250 nodes each, give some 4300
  // documents; far fewer means the generation broke.
  REQUIRE(docs.size() > 3000);
  TempDir dir;
  for (size_t i = 0; i < docs.size(); ++i) std::ofstream(dir / file_name(i)) << docs[i].text;
  const auto verdicts = schema_verdicts(dir.path.string());
  REQUIRE(verdicts.size() == docs.size());

  std::vector<std::string> disagreements;
  std::set<const CrossFieldCheck*> excusing;
  size_t accepted = 0;
  for (size_t i = 0; i < docs.size(); ++i) {
    const auto loaded = fleetsim::load_scenario_file(dir / file_name(i));
    const std::string& verdict = verdicts.at(file_name(i));
    const bool loader_accepts = loaded.scenario.has_value();
    accepted += loader_accepts;
    if (loader_accepts == (verdict == "valid")) continue;
    const auto checks = loader_accepts ? std::set<const CrossFieldCheck*>{} : cross_field_only(loaded.problems);
    if (!checks.empty()) {
      excusing.insert(checks.begin(), checks.end());
      continue;
    }
    disagreements.push_back(docs[i].name + "\n  loader: " +
                            (loader_accepts ? "accepts\n" : "rejects:\n" + loaded.format("    " + file_name(i))) +
                            "  schema: " + verdict);
  }
  std::string shown;
  for (size_t i = 0; i < std::min<size_t>(disagreements.size(), 20); ++i) shown += disagreements[i] + "\n";
  INFO(disagreements.size() << " disagreements, the first:\n" << shown);
  CHECK(disagreements.empty());
  // Valid documents are judged too, not only broken ones: the shipped scenarios, and variants
  // that drop an optional key or set a value to another valid one (some 700).
  CHECK(accepted > 500);

  // Each excuse must be needed, so that the list says exactly what the schema cannot.
  std::string unused;
  for (const auto& c : kCrossFieldChecks)
    if (!excusing.count(&c)) unused += std::string("\"") + c.phrase + "\" (" + c.why + ")\n";
  INFO("cross-field checks no document needed:\n" << unused);
  CHECK(unused.empty());
}
