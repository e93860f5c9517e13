// Counter-based random numbers: every draw is a pure function of
// (seed, entity, stream, counter). Results therefore do not depend on the order in which
// entities are processed, which is what lets region shards and the SimGrid kernel agree with
// the native kernel. No state is shared between devices.
#pragma once

#include <cstdint>

namespace fleetsim {

// SplitMix64 finaliser (Steele, Lea, Flood 2014): a bijective 64-bit mixer with full avalanche.
constexpr uint64_t mix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Named streams, so that adding a new use of randomness does not shift existing draws.
enum class Stream : uint32_t {
  PollPhase = 1,
  PollJitter,
  LinkRate,
  LinkRtt,
  LinkState,     // Gilbert–Elliott state samples and sojourn times
  Backoff,       // retry backoff jitter
  Corruption,
  InstallFailure,
  PowerLoss,
  BootFailure,
  PhaseDurations,  // verify / install / reboot / health-check durations
  Battery,
  InitialVersion,
  Order,           // rollout ordering permutation
  Reconnect,
  FaultSelection,
};

// Uniform double in the open interval (0, 1).
constexpr double uniform01(uint64_t seed, uint32_t entity, Stream stream, uint64_t counter) {
  uint64_t h = mix64(seed ^ mix64((uint64_t(entity) << 32) | uint32_t(stream)));
  h = mix64(h ^ (counter * 0xD1B54A32D192ED03ULL));
  // 53 random bits, shifted by half a step so that 0 and 1 never occur.
  return (double(h >> 11) + 0.5) * 0x1.0p-53;
}

constexpr uint64_t random_bits(uint64_t seed, uint32_t entity, Stream stream, uint64_t counter) {
  uint64_t h = mix64(seed ^ mix64((uint64_t(entity) << 32) | uint32_t(stream)));
  return mix64(h ^ (counter * 0xD1B54A32D192ED03ULL));
}

// A cursor over one entity's stream: each next() advances the counter it was given.
struct StreamCursor {
  uint64_t seed;
  uint32_t entity;
  Stream stream;
  uint32_t& counter;
  double next() { return uniform01(seed, entity, stream, counter++); }
};

}  // namespace fleetsim
