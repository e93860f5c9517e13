#include "sim/core/available_memory.hpp"

#include <sys/resource.h>

#include <fstream>
#include <sstream>

namespace fleetsim {

namespace {

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The value of "KEY:   123 kB" in a /proc file, in bytes, or nullopt.
std::optional<uint64_t> kib_field(const std::string& text, const std::string& key) {
  const size_t at = text.find(key + ":");
  if (at == std::string::npos || (at > 0 && text[at - 1] != '\n')) return std::nullopt;
  std::istringstream in(text.substr(at + key.size() + 1));
  uint64_t kib = 0;
  if (!(in >> kib)) return std::nullopt;
  return kib * 1024;
}

std::optional<uint64_t> number(const std::string& text) {
  std::istringstream in(text);
  uint64_t v = 0;
  if (!(in >> v)) return std::nullopt;  // also "max": no limit
  return v;
}

struct CgroupMemory {
  std::string max, current;  // texts of the limit and usage files, "" when absent
};

// This process's cgroup memory files: cgroup v2 (memory.max) or v1 (memory.limit_in_bytes, where
// "unlimited" is a huge number). Inside a container the cgroup is usually mounted as the root of
// /sys/fs/cgroup, so the mount root is tried after the path /proc/self/cgroup names.
CgroupMemory cgroup_memory() {
  std::istringstream in(file_text("/proc/self/cgroup"));
  for (std::string line; std::getline(in, line);) {
    const bool v2 = line.rfind("0::", 0) == 0;
    const size_t v1 = line.find(":memory:");
    if (!v2 && v1 == std::string::npos) continue;
    const std::string mount = v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
    const std::string path = line.substr(v2 ? 3 : v1 + 8);
    const char* max_file = v2 ? "/memory.max" : "/memory.limit_in_bytes";
    const char* current_file = v2 ? "/memory.current" : "/memory.usage_in_bytes";
    for (const std::string& folder : {mount + path, mount}) {
      CgroupMemory m{file_text(folder + max_file), file_text(folder + current_file)};
      if (!m.max.empty()) return m;
    }
  }
  return {};
}

}  // namespace

std::optional<MemoryLimit> tightest_memory_limit(const std::string& meminfo, const std::string& cgroup_max,
                                                 const std::string& cgroup_current, uint64_t rlimit_as,
                                                 uint64_t address_space_used) {
  std::optional<MemoryLimit> best;
  const auto consider = [&](uint64_t bytes, const char* source) {
    if (!best || bytes < best->bytes) best = MemoryLimit{bytes, source};
  };
  if (auto available = kib_field(meminfo, "MemAvailable")) consider(*available, "MemAvailable in /proc/meminfo");
  if (auto max = number(cgroup_max)) {
    const uint64_t current = number(cgroup_current).value_or(0);
    consider(*max > current ? *max - current : 0, "the cgroup's memory limit less its usage");
  }
  if (rlimit_as != 0)
    consider(rlimit_as > address_space_used ? rlimit_as - address_space_used : 0, "RLIMIT_AS (ulimit -v) less the address space in use");
  return best;
}

std::optional<MemoryLimit> available_memory() {
  const CgroupMemory cgroup = cgroup_memory();
  rlimit limit{};
  uint64_t rlimit_as = 0;
  if (getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) rlimit_as = uint64_t(limit.rlim_cur);
  const uint64_t used = kib_field(file_text("/proc/self/status"), "VmSize").value_or(0);
  return tightest_memory_limit(file_text("/proc/meminfo"), cgroup.max, cgroup.current, rlimit_as, used);
}

}  // namespace fleetsim
