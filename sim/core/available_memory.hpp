// How much memory this process may still use: the smallest of the machine's MemAvailable
// (/proc/meminfo), its cgroup's memory limit less its usage (v2 memory.max, v1
// memory.limit_in_bytes) and RLIMIT_AS less
// what it has mapped. A command compares an estimate with it before allocating, so that a run
// too large for the machine is refused up front instead of dying half-way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace fleetsim {

struct MemoryLimit {
  uint64_t bytes = 0;
  std::string source;  // which limit it is, for messages: "MemAvailable in /proc/meminfo", …
};

// The tightest limit found, or nullopt when none can be read (then nothing is refused).
std::optional<MemoryLimit> available_memory();

// The tightest limit, given the sources' texts (for tests): a /proc/meminfo text, the cgroup's
// limit and usage texts ("" when absent; "max" is no limit), an RLIMIT_AS soft limit (0: unlimited) and
// the address space in use.
std::optional<MemoryLimit> tightest_memory_limit(const std::string& meminfo, const std::string& cgroup_max,
                                                 const std::string& cgroup_current, uint64_t rlimit_as,
                                                 uint64_t address_space_used);

}  // namespace fleetsim
