// The device records a rank simulates, indexed by global device id. The whole id range is
// reserved as virtual memory, but only the owned ranges (the cohorts of the rank's regions) are
// constructed and touched, so a rank's resident memory is its own devices: a 50M-device fleet
// split over two ranks costs each rank about half the records.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "device-models/device_state.hpp"

namespace fleetsim {

class DeviceTable {
 public:
  DeviceTable() = default;
  DeviceTable(const DeviceTable&) = delete;
  DeviceTable& operator=(const DeviceTable&) = delete;
  ~DeviceTable() { release(); }

  // `count` ids; the [first, first + n) ranges in `owned` get default-constructed records.
  void allocate(size_t count, const std::vector<std::pair<size_t, size_t>>& owned) {
    release();
    size_ = count;
    if (count == 0) return;
    bytes_ = count * sizeof(Device);
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    data_ = static_cast<Device*>(p);
    for (const auto& [first, n] : owned)
      for (size_t i = first; i < first + n; ++i) new (&data_[i]) Device();
  }

  size_t size() const { return size_; }
  Device& operator[](size_t id) { return data_[id]; }
  const Device& operator[](size_t id) const { return data_[id]; }

 private:
  static_assert(std::is_trivially_destructible_v<Device>);
  void release() {
    if (data_) munmap(data_, bytes_);
    data_ = nullptr;
    size_ = bytes_ = 0;
  }

  Device* data_ = nullptr;
  size_t size_ = 0, bytes_ = 0;
};

}  // namespace fleetsim
