// Limits of the scenario format that the loader checks and the JSON Schema (scenario_schema.cpp)
// states, so that the two cannot drift apart. Internal to sim/scenario.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

namespace fleetsim {

// Larger cohorts cannot be simulated in memory anyway; the cap keeps device counts far from
// int64 overflow however many cohorts there are.
constexpr int64_t kMaxCohortCount = 1'000'000'000;
// A device records its wave in one byte.
constexpr size_t kMaxWaves = 254;
// A wave's own device count; the quarter keeps sums of a few waves within int64.
constexpr int64_t kMaxWaveDevices = std::numeric_limits<int64_t>::max() / 4;
// A device counts its attempts in one byte.
constexpr int64_t kMaxRetryAttempts = 255;
constexpr int64_t kMaxRolloutRetries = 10;
// Generous bounds on what a document can make the loader and the World allocate (README
// "Limits"); real scenarios have a handful of each.
constexpr size_t kMaxCohorts = 10'000;
constexpr size_t kMaxFaults = 10'000;
constexpr size_t kMaxAssertions = 10'000;
// Ten years of simulated time, and at most a million time-series samples (duration / interval).
constexpr double kMaxDurationSeconds = 10 * 365 * 86400.0;
constexpr double kMaxSamples = 1'000'000;
// Virtual seconds per wall second while a board works.
constexpr double kMaxHilPace = 1e6;

}  // namespace fleetsim
