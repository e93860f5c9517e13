// What differs between the effective scenarios of two runs (their scenario.json: the file after
// --set and --seed), for `fleetsim compare`: every JSON path whose values differ, with both values.
// Objects are compared key by key and arrays of one length element by element; arrays of
// different lengths, and values of different types, are one difference at their path.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace fleetsim {

struct ScenarioDifference {
  std::string pointer;  // RFC 6901 JSON pointer, e.g. "/regions/us-east/outages"
  std::string a, b;     // value_text of each side; "absent" where the key is missing
};

// In document order: A's keys in A's order, then keys only B has.
std::vector<ScenarioDifference> scenario_differences(const nlohmann::ordered_json& a, const nlohmann::ordered_json& b);

// A value as a difference shows it: compact JSON up to kShownChars characters, else its size
// ("[3 items]", "{5 fields}").
constexpr size_t kShownChars = 60;
std::string value_text(const nlohmann::ordered_json& v);

// Settings of the simulation kernel (README "Kernels: native and SimGrid"), under /kernel: two
// runs that differ only there simulate the same scenario with different kernels, which is what a
// device-by-device comparison checks.
bool is_kernel_setting(const std::string& pointer);

}  // namespace fleetsim
