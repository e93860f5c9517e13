// Specification of the dependency rule (README, "Architecture"): every folder of sim/, hil/,
// reports/ and device-models/ that holds code is one module (one library target, declared with
// fleetsim_module() in its CMakeLists.txt), and a source file includes only headers of its own
// module and of the modules its module depends on, directly or through them. The modules and
// their DEPENDS come from the build (modules.txt, written by CMake), so the rule checked here is
// the one the linker sees.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Module {
  std::string dir;     // "sim/scenario"
  std::string target;  // "fleetsim_scenario"
  std::vector<std::string> depends;
};

// modules.txt: one line per module, "DIR TARGET DEP...".
std::vector<Module> parse_modules(const std::string& text) {
  std::vector<Module> modules;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    Module m;
    if (!(words >> m.dir >> m.target)) continue;
    for (std::string d; words >> d;) m.depends.push_back(d);
    modules.push_back(m);
  }
  return modules;
}

struct SourceFile {
  std::string path;  // relative to the source root
  std::string text;
};

class IncludeRule {
 public:
  explicit IncludeRule(const std::vector<Module>& modules) {
    for (const Module& m : modules) {
      by_dir_[m.dir] = m.target;
      direct_[m.target] = std::set<std::string>(m.depends.begin(), m.depends.end());
      cmake_of_[m.target] = m.dir + "/CMakeLists.txt";
    }
  }

  // The module a file belongs to: the one whose folder holds it ("" when none does).
  std::string module_of(const std::string& path) const {
    const auto it = by_dir_.find(fs::path(path).parent_path().generic_string());
    return it == by_dir_.end() ? "" : it->second;
  }

  // Every module `target` may include: itself and what it depends on, transitively.
  std::set<std::string> reachable(const std::string& target) const {
    std::set<std::string> seen{target};
    std::vector<std::string> todo{target};
    while (!todo.empty()) {
      const std::string t = todo.back();
      todo.pop_back();
      const auto it = direct_.find(t);
      if (it == direct_.end()) continue;
      for (const std::string& d : it->second)
        if (seen.insert(d).second) todo.push_back(d);
    }
    return seen;
  }

  // Module dependency cycles, as "a -> b -> a".
  std::vector<std::string> cycles() const {
    std::vector<std::string> out;
    for (const auto& [t, deps] : direct_)
      for (const std::string& d : deps)
        if (reachable(d).count(t)) out.push_back(t + " -> " + d + " -> … -> " + t);
    return out;
  }

  // One message per violation: "FILE:LINE: …, the rule".
  std::vector<std::string> check(const SourceFile& file, int& includes_seen) const {
    std::vector<std::string> out;
    const std::string from = module_of(file.path);
    if (from.empty()) {
      out.push_back(file.path + ":1: belongs to no module (move it into a module's folder, or declare the folder "
                    "with fleetsim_module() in its CMakeLists.txt)");
      return out;
    }
    const std::set<std::string> allowed = reachable(from);
    std::istringstream lines(file.text);
    std::string line;
    for (int number = 1; std::getline(lines, line); ++number) {
      const std::string directive = "#include \"";
      if (line.rfind(directive, 0) != 0) continue;
      const size_t end = line.find('"', directive.size());
      if (end == std::string::npos) continue;
      const std::string header = line.substr(directive.size(), end - directive.size());
      ++includes_seen;
      const std::string to = module_of(header);
      const std::string where = file.path + ":" + std::to_string(number) + ": includes " + header;
      if (to.empty()) {
        out.push_back(where + ", which belongs to no module (a module includes only modules' headers)");
      } else if (!allowed.count(to)) {
        out.push_back(where + " (" + to + "), but " + from + " does not depend on " + to +
                      ": a module includes only itself and the modules below it (its DEPENDS in " +
                      cmake_of_.at(from) + "; a dependency may point only down)");
      }
    }
    return out;
  }

 private:
  std::map<std::string, std::string> by_dir_;
  std::map<std::string, std::set<std::string>> direct_;
  std::map<std::string, std::string> cmake_of_;
};

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::vector<Module> kToyModules = {{"sim/core", "fleetsim_core", {}},
                                         {"sim/scenario", "fleetsim_scenario", {"fleetsim_core"}},
                                         {"sim/model", "fleetsim_model", {"fleetsim_scenario"}}};

}  // namespace

TEST_CASE("an include of a module below, directly or through another, follows the rule") {
  const IncludeRule rule(kToyModules);
  int seen = 0;
  const auto v = rule.check({"sim/model/world.cpp",
                             "#include \"sim/model/world.hpp\"\n#include \"sim/scenario/scenario.hpp\"\n"
                             "#include \"sim/core/units.hpp\"\n#include <vector>\n"},
                            seen);
  CHECK(v.empty());
  CHECK(seen == 3);  // the three quoted includes; <vector> is not the project's
}

TEST_CASE("an include that points up names the file, the line and the rule") {
  const IncludeRule rule(kToyModules);
  int seen = 0;
  const auto v = rule.check({"sim/scenario/loader.cpp", "// x\n#include \"sim/model/world.hpp\"\n"}, seen);
  REQUIRE(v.size() == 1);
  CHECK(v[0] ==
        "sim/scenario/loader.cpp:2: includes sim/model/world.hpp (fleetsim_model), but fleetsim_scenario does not "
        "depend on fleetsim_model: a module includes only itself and the modules below it (its DEPENDS in "
        "sim/scenario/CMakeLists.txt; a dependency may point only down)");
}

TEST_CASE("a file outside every module, or an include of one, breaks the rule") {
  const IncludeRule rule(kToyModules);
  int seen = 0;
  CHECK(rule.check({"sim/stray.cpp", ""}, seen).size() == 1);
  CHECK(rule.check({"sim/core/a.cpp", "#include \"tests/helper.hpp\"\n"}, seen).size() == 1);
}

TEST_CASE("a dependency cycle between modules is found") {
  IncludeRule rule({{"a", "fleetsim_a", {"fleetsim_b"}}, {"b", "fleetsim_b", {"fleetsim_a"}}});
  CHECK(rule.cycles().size() == 2);
  CHECK(IncludeRule(kToyModules).cycles().empty());
}

TEST_CASE("every include in fleetsim's modules points down the module graph") {
  const std::vector<Module> modules = parse_modules(read_file(FLEETSIM_MODULES_FILE));
  REQUIRE(modules.size() >= 10);
  const IncludeRule rule(modules);
  CHECK(rule.cycles() == std::vector<std::string>{});
  const fs::path root = FLEETSIM_SOURCE_DIR;
  std::vector<std::string> violations;
  int files = 0, includes = 0;
  for (const char* top : {"sim", "hil", "reports", "device-models"}) {
    for (const auto& entry : fs::recursive_directory_iterator(root / top)) {
      const std::string ext = entry.path().extension().string();
      if (!entry.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      const std::string rel = fs::relative(entry.path(), root).generic_string();
      if (rel.find("/vendor/") != std::string::npos) continue;
      ++files;
      for (const std::string& v : rule.check({rel, read_file(entry.path())}, includes)) violations.push_back(v);
    }
  }
  INFO(files << " files, " << includes << " includes checked");
  CHECK(violations == std::vector<std::string>{});
  // The walk really read the tree (164 files and 284 includes when this was written).
  CHECK(files > 150);
  CHECK(includes > 250);
}
