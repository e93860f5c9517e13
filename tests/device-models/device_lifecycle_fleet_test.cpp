// Specification of the DeviceLifecycle's boundary (device-models/device_lifecycle.hpp): the
// lifecycle runs a device on nothing but FleetServices, here a recording fleet of one device that
// stands in for the World. Its model is fixed like tests/test_scenarios.hpp's "m": push
// notification, downlink 1000 B/s, device rtt 1 s, verify 5 s / install 7 s / reboot 11 s /
// health check 13 s, backoff_base 10 s with no jitter; region rtt 2 s, image 10000 B, the device
// on version 1 and the target version 0.
#include <catch2/catch.hpp>

#include <limits>
#include <vector>

#include "device-models/device_lifecycle.hpp"

using namespace fleetsim;

namespace {

struct Timer {
  double at;
  uint16_t kind;
  uint32_t tag;
  uint16_t aux;
};

class RecordingFleet {
 public:
  RecordingFleet() {
    model.downlink = Distribution::fixed(1000);
    model.rtt = Distribution::fixed(1);
    model.verify = Distribution::fixed(5);
    model.install = Distribution::fixed(7);
    model.reboot = Distribution::fixed(11);
    model.health_check = Distribution::fixed(13);
    model.notification = Notification::Push;
    model.backoff_base = Seconds(10);
    model.backoff_jitter = 0;
    lifecycle.allocate(1, {{0, 1}});
    lifecycle.device(0).version = lifecycle.device(0).initial_version = 1;
  }

  // Delivers the earliest timer or transfer completion; false when nothing is pending.
  bool step() {
    size_t next = timers.size();
    for (size_t i = 0; i < timers.size(); ++i)
      if (next == timers.size() || timers[i].at < timers[next].at) next = i;
    const double timer_at = next < timers.size() ? timers[next].at : std::numeric_limits<double>::infinity();
    if (transfer_open && transfer_end <= timer_at) {
      transfer_open = false;
      t = transfer_end;
      lifecycle.on_transfer_complete(0, Bytes(transfer_size));
      return true;
    }
    if (next == timers.size()) return false;
    const Timer timer = timers[next];
    timers.erase(timers.begin() + long(next));
    t = timer.at;
    lifecycle.on_timer(0, timer.kind, timer.tag, timer.aux);
    return true;
  }

  // FleetServices
  DeviceSite site(uint32_t) const { return {&model, 0, 0}; }
  Seconds now() const { return Seconds(t); }
  uint64_t seed() const { return 1; }
  Seconds region_rtt(uint32_t) const { return Seconds(2); }
  bool region_offline(uint32_t) const { return offline; }
  bool artifact_corrupt(uint32_t) const { return false; }
  Bytes image_size(uint32_t) const { return Bytes(10000); }
  uint16_t target_version() const { return 0; }
  double boot_failure(uint32_t, Seconds) const { return 0; }
  Seconds execution_timeout() const { return Seconds(0); }
  bool admit_reconnect(uint32_t) { return true; }
  bool admit_check_in(uint32_t) {
    ++check_ins;
    return true;
  }
  bool admit_connection(uint32_t) { return true; }
  void open_connection(uint32_t) { ++connections; }
  void close_connection(uint32_t) { --connections; }
  uint32_t start_transfer(uint32_t, uint32_t, Bytes size, BytesPerSecond cap, Seconds latency) {
    transfer_open = true;
    transfer_size = size.value;
    transfer_end = t + latency.value + size.value / cap.value;
    return 7;
  }
  Bytes cancel_transfer(uint32_t) {
    transfer_open = false;
    return Bytes(0);
  }
  void schedule(Seconds at, uint32_t, uint16_t kind, uint32_t tag, uint16_t aux) {
    timers.push_back({at.value, kind, tag, aux});
  }
  bool board_owns(uint32_t) const { return false; }
  void start_board_update(uint32_t, Seconds) {}
  void state_changed(DeviceState, DeviceState to) { states.push_back(to); }
  void notified(uint32_t, Seconds) {}
  void attempted(uint32_t) {}
  void download_started(uint32_t, Seconds) {}
  void delivered(uint32_t, uint32_t, Bytes bytes) { bytes_delivered += bytes.value; }
  void download_completed(uint32_t, Seconds) {}
  void retransmitted(uint32_t, Bytes) {}
  void corrupt_download() {}
  void installed(uint32_t, Seconds) {}
  void finished(uint32_t, DeviceState terminal, uint16_t previous) {
    finished_at = t;
    finished_state = terminal;
    previous_version = previous;
  }
  void withdrawn(uint32_t) {}

  DeviceModel model;
  DeviceLifecycle<RecordingFleet> lifecycle{*this};
  double t = 0;
  std::vector<Timer> timers;
  bool offline = false, transfer_open = false;
  double transfer_size = 0, transfer_end = 0, bytes_delivered = 0;
  int check_ins = 0, connections = 0;
  std::vector<DeviceState> states;
  double finished_at = -1;
  DeviceState finished_state = DeviceState::Idle;
  uint16_t previous_version = 0xFFFF;
};

}  // namespace

TEST_CASE("a lifecycle driven by a fleet of its own updates its device at the hand-computed times",
          "[lifecycle]") {
  // notified at region rtt / 2 = 1 s; the transfer asks for 10000 B at 1000 B/s after a latency
  // of device rtt + region rtt = 3 s, so it ends at 1 + 3 + 10 = 14 s; then verify 5, install 7,
  // reboot 11, health check 13: finished at 14 + 36 = 50 s on the target version.
  RecordingFleet fleet;
  fleet.lifecycle.release(0, Seconds(0));
  while (fleet.step()) {
  }
  using S = DeviceState;
  CHECK(fleet.states == std::vector<S>{S::Waiting, S::Downloading, S::Verifying, S::Installing, S::Rebooting,
                                       S::HealthCheck, S::Updated});
  CHECK(fleet.transfer_size == 10000);
  CHECK(fleet.bytes_delivered == 10000);
  CHECK(fleet.finished_at == Approx(50));
  CHECK(fleet.finished_state == S::Updated);
  CHECK(fleet.previous_version == 1);
  CHECK(fleet.lifecycle.device(0).version == 0);
  CHECK(fleet.connections == 0);  // the connection opened for the download was closed
}

TEST_CASE("a device whose region is offline backs off without checking in", "[lifecycle]") {
  // The notification at 1 s finds the region offline: the first backoff is backoff_base = 10 s
  // (no jitter), so the retry timer is at 11 s, and the update service saw no check-in.
  RecordingFleet fleet;
  fleet.offline = true;
  fleet.lifecycle.release(0, Seconds(0));
  REQUIRE(fleet.step());
  REQUIRE(fleet.timers.size() == 1);
  CHECK(fleet.timers[0].kind == event::kRetry);
  CHECK(fleet.timers[0].at == Approx(11));
  CHECK(fleet.lifecycle.device(0).state == DeviceState::Backoff);
  CHECK(fleet.check_ins == 0);
}
