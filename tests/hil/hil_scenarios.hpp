// Scenario and inventory files for co-simulation tests: the minimal scenario (tests/
// test_scenarios.hpp) with a canary wave the boards stand in, an MCUboot image next to it, and a
// boards.json for given board URIs.
#pragma once

#include <fstream>
#include <string>
#include <vector>

#include "hil/protocol/mcuboot_image.hpp"
#include "tests/cli_runner.hpp"
#include "tests/test_scenarios.hpp"

namespace fleetsim::testing {

// An MCUboot image of `version` with `payload` bytes written to dir/name; returns its path.
inline std::string write_image_file(const TempDir& dir, const std::string& name, hil::ImageVersion version,
                                    std::uint32_t payload, bool bad_magic = false) {
  auto image = hil::build_mcuboot_image({version, payload});
  if (bad_magic) image[3] = 0;
  std::ofstream(dir / name, std::ios::binary)
      .write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  return dir / name;
}

// `devices` devices of model "m" on 1.0.0; target `version`; waves: canary of `canary` devices
// (soak 10 min), then 100 %; any failure pauses; asserts the rollout completes. The boards
// stand in wave 0, flashed with image.bin (an MCUboot image of `version`, written to `dir`).
inline std::string write_hil_scenario(const TempDir& dir, int64_t devices, const std::string& version,
                                      int64_t canary = 2, double pace = 1.0) {
  Doc doc = minimal_scenario(devices);
  doc["duration"] = "2h";
  doc["fleet"]["cohorts"][0]["firmware"] = Doc::object({{"1.0.0", 1}});
  doc["firmware"]["target"] = version;
  doc["rollout"] = Doc::parse(R"({"strategy": "waves", "waves": [{"devices": 2, "soak": "10m"}, {"percent": "100%"}],
                                   "gates": {"max_failure": 0, "action": "pause"}})");
  doc["rollout"]["waves"][0]["devices"] = canary;
  doc["assertions"] = Doc::parse(R"([{"metric": "rollout.state", "op": "==", "value": "completed"}])");
  doc["hil"] = {{"image", "image.bin"}, {"boards_in", "wave:0"}, {"pace", pace}};
  write_image_file(dir, "image.bin", *hil::ImageVersion::parse(version), 40000);
  std::ofstream(dir / "scenario.json") << doc.dump(2);
  return dir / "scenario.json";
}

// boards.json with boards b0, b1, … at `uris`, all standing for model "m".
inline std::string write_boards(const TempDir& dir, const std::vector<std::string>& uris) {
  Doc boards;
  for (std::size_t i = 0; i < uris.size(); ++i)
    boards["boards"].push_back({{"id", "b" + std::to_string(i)}, {"uri", uris[i]}, {"stands_for", "m"}});
  std::ofstream(dir / "boards.json") << boards.dump(2);
  return dir / "boards.json";
}

}  // namespace fleetsim::testing
