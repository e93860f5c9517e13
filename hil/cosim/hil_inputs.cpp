#include "hil/cosim/hil_inputs.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "sim/model/world.hpp"
#include "sim/scenario/device_model_catalog.hpp"

namespace fleetsim::hil {

namespace {

class ProblemList {
 public:
  ProblemList(std::string& text, int& count) : text_(text), count_(count) {}
  void add(const std::string& line) {
    text_ += line + "\n";
    ++count_;
  }

 private:
  std::string& text_;
  int& count_;
};

// The file at `path` as an MCUboot image; nullopt after reporting at `where` ("FILE: /hil/image").
std::optional<HilImageFile> read_image(const std::string& path, const std::string& where, ProblemList& problems) {
  const std::string expected = " (expected a signed MCUboot image file such as build/zephyr/zephyr.signed.bin)";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    problems.add(where + ": " + path + " is a directory" + expected);
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.add(where + ": cannot read " + path + ": " + std::strerror(errno) + expected);
    return std::nullopt;
  }
  HilImageFile file;
  try {
    file.bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception& e) {
    problems.add(where + ": cannot read " + path + ": " + e.what() + expected);
    return std::nullopt;
  }
  if (in.bad()) {
    problems.add(where + ": cannot read " + path + expected);
    return std::nullopt;
  }
  const auto info = parse_mcuboot_image(file.bytes);
  if (!info) {
    problems.add(where + ": " + path + " is not an MCUboot image: " + std::string(describe(info.error())) + expected);
    return std::nullopt;
  }
  file.info = info.value();
  return file;
}

bool same_version(const ImageVersion& image, const std::string& text) {
  const auto v = ImageVersion::parse(text);
  return v && *v == image;
}

// The initial versions of the cohorts the hil scope draws from (one cohort, or all for a wave).
std::vector<std::string> scope_initial_versions(const Scenario& scenario) {
  std::vector<std::string> out;
  for (const Cohort& c : scenario.cohorts) {
    if (!scenario.hil->cohort.empty() && c.name != scenario.hil->cohort) continue;
    for (const auto& [version, share] : c.firmware)
      if (share > 0 && version != scenario.firmware.target &&
          std::find(out.begin(), out.end(), version) == out.end())
        out.push_back(version);
  }
  return out;
}

}  // namespace

std::vector<std::string> board_models(const Scenario& scenario) {
  std::vector<std::string> models;
  for (const auto& m : builtin_device_models()) models.push_back(m.name);
  for (const auto& [name, model] : scenario.models)
    if (std::find(models.begin(), models.end(), name) == models.end()) models.push_back(name);
  return models;
}

HilInputs load_hil_inputs(const Scenario& scenario, const std::string& boards_file) {
  HilInputs in;
  ProblemList problems(in.problems, in.problem_count);
  const HilBinding& hil = *scenario.hil;
  auto loaded = load_board_inventory_file(boards_file, board_models(scenario));
  if (loaded.inventory) {
    // Agent boards (boards.json "agent") are served by hil/agent's update servers, which the
    // co-simulation does not run yet: refuse them rather than reach them over SMP.
    for (std::size_t i = 0; i < loaded.inventory->boards.size(); ++i)
      if (const BoardSpec& b = loaded.inventory->boards[i]; b.agent != BoardAgent::kNone)
        problems.add(boards_file + ": /boards/" + std::to_string(i) + "/agent: board \"" + b.id + "\" is a " +
                     board_agent_name(b.agent) + " agent board, which `fleetsim run` does not bind to a device yet "
                     "(expected SMP boards with a \"uri\": leave agent boards out of this run's boards.json)");
    in.inventory = std::move(loaded.inventory);
  } else {
    in.problems += loaded.format(boards_file);
    in.problem_count += int(loaded.problems.size());
  }

  const std::string at = scenario.file + ": " + hil.pointer;
  in.image = read_image(hil.image_path, at + "/image", problems);
  if (in.image) {
    const std::string version = in.image->info.version.text();
    if (!same_version(in.image->info.version, scenario.firmware.target))
      problems.add(at + "/image: " + hil.image_path + " is version " + version + ", but /firmware/target is " +
                   scenario.firmware.target + " (expected the image of the target: set firmware.target to " +
                   version + ", or point hil.image at the " + scenario.firmware.target + " build)");
  }
  if (!hil.baseline.empty()) {
    in.baseline = read_image(hil.baseline_path, at + "/baseline", problems);
    if (in.baseline) {
      const std::vector<std::string> initial = scope_initial_versions(scenario);
      const bool matches = std::any_of(initial.begin(), initial.end(),
                                       [&](const std::string& v) { return same_version(in.baseline->info.version, v); });
      if (!matches) {
        std::string list;
        for (const auto& v : initial) list += (list.empty() ? "" : ", ") + v;
        problems.add(at + "/baseline: " + hil.baseline_path + " is version " + in.baseline->info.version.text() +
                     ", but the devices the boards stand in for (" + hil.boards_in + ") start on " +
                     (list.empty() ? std::string("no other version than the target") : list) +
                     " (expected the image of the version they start on: point hil.baseline at that build, or "
                     "change the cohort's firmware)");
      }
    }
  }
  return in;
}

std::vector<std::uint32_t> assign_board_slots(const Scenario& scenario, const World& world,
                                              const BoardInventory& inventory, const std::string& boards_file,
                                              const std::optional<HilImageFile>& baseline, std::string& text,
                                              int& count) {
  ProblemList problems(text, count);
  const HilBinding& hil = *scenario.hil;
  // Device slots of the scope, in release order (wave) or id order (cohort), without devices that
  // already run the target.
  std::vector<std::uint32_t> candidates;
  if (hil.wave >= 0) {
    candidates = world.planned_wave_members(hil.wave, int64_t(1) << 20);
  } else {
    const auto target = std::find(world.versions().begin(), world.versions().end(), scenario.firmware.target) -
                        world.versions().begin();
    int64_t first = 0;
    for (const Cohort& c : scenario.cohorts) {
      if (c.name == hil.cohort) {
        for (int64_t d = first; d < first + c.count && candidates.size() < (1u << 20); ++d)
          if (world.device(std::uint32_t(d)).initial_version != target) candidates.push_back(std::uint32_t(d));
      }
      first += c.count;
    }
  }
  std::set<std::uint32_t> taken;
  std::vector<std::uint32_t> slots;
  for (std::size_t i = 0; i < inventory.boards.size(); ++i) {
    const BoardSpec& b = inventory.boards[i];
    const auto slot = std::find_if(candidates.begin(), candidates.end(), [&](std::uint32_t d) {
      if (taken.count(d) || scenario.cohorts[world.cohort_of(d)].model != b.stands_for) return false;
      return !baseline ||
             same_version(baseline->info.version, world.versions()[world.device(d).initial_version]);
    });
    if (slot == candidates.end()) {
      problems.add(boards_file + ": /boards/" + std::to_string(i) + "/stands_for: no free device of model \"" +
                   b.stands_for + "\"" + (baseline ? " starting on the baseline " + baseline->info.version.text() : "") +
                   " in the scenario's hil scope " + hil.boards_in + " (" + std::to_string(candidates.size()) +
                   " devices; expected a board model that occurs there)");
      slots.push_back(0);
      continue;
    }
    taken.insert(*slot);
    slots.push_back(*slot);
  }
  return slots;
}

}  // namespace fleetsim::hil
