#pragma once

#include <string>
#include <vector>

namespace fleetsim {

// A scenario's "hil" section: which device slots real boards stand in for when the run gets
// --boards, the image they are flashed with, and the co-simulation pace. hil/cosim binds the
// boards; this is only what the scenario says.
struct HilBinding {
  std::string image;        // as written
  std::string image_path;   // resolved: relative paths are relative to the scenario file
  // The image of the boards' initial version, flashed by the known-state step to a board that
  // runs another version (empty: none; such a board makes the run refuse to start).
  std::string baseline;       // as written
  std::string baseline_path;  // resolved like image_path
  bool required = true;       // a run without --boards is a usage error
  std::string boards_in;    // as written: "wave:N" or "cohort:NAME"
  int wave = -1;            // wave:N
  std::string cohort;       // cohort:NAME
  double pace = 1.0;        // virtual seconds per wall second while a board works
  bool impair = false;      // every board's link (UDP or serial) gets the model's delay, flakiness
                            // and region outages, through a user-space relay (hil/transport)
  // "console": after a board's update, each pattern (ECMAScript regex) must appear on its console
  // within `within` seconds of the reset, or its case fails (twister's console harness).
  struct ConsoleExpect {
    std::string pattern;
    double within = 10;
    std::string pointer;  // "/hil/console/0"
  };
  std::vector<ConsoleExpect> console;
  std::string pointer = "/hil";
};

}  // namespace fleetsim
