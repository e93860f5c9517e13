#include "sim/scenario/load_device_model.hpp"

#include <algorithm>

#include "sim/core/json_units.hpp"
#include "sim/core/units.hpp"
#include "sim/scenario/format_limits.hpp"
#include "sim/scenario/load_distribution.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace fleetsim {

using namespace json_reader;

const std::vector<std::string>& device_model_parameter_paths() {
  static const std::vector<std::string> paths = {
      "link.type", "link.downlink", "link.rtt", "link.flakiness.mean_good", "link.flakiness.mean_bad",
      "link.flakiness.bad_state", "link.resume", "storage.layout", "storage.flash_write_rate",
      "phases.verify", "phases.install", "phases.reboot", "phases.health_check", "failures.corruption",
      "failures.install_failure", "failures.power_loss_per_hour", "behaviour.notification",
      "behaviour.poll_interval", "behaviour.poll_jitter", "behaviour.retry.max_attempts",
      "behaviour.retry.backoff_base", "behaviour.retry.backoff_cap", "behaviour.retry.jitter",
      "behaviour.battery.level", "behaviour.battery.threshold", "behaviour.battery.recharge"};
  return paths;
}

std::optional<DeviceModel> device_model(const Field& f) {
  if (!f.j) return std::nullopt;
  const size_t before = f.p.size();
  DeviceModel m;
  Obj o(f, {"name", "description", "link", "storage", "phases", "failures", "behaviour", "sources"});
  if (!o.valid()) return std::nullopt;
  set(m.name, text(o["name"]));
  set(m.description, text(o["description"], true));

  Obj link(o.required("link", "an object with \"type\" and \"downlink\""),
           {"type", "downlink", "rtt", "flakiness", "resume"});
  static const Choices<LinkType> link_types = {{"nb-iot", LinkType::NbIot},   {"lte-m", LinkType::LteM},
                                               {"lte", LinkType::Lte},        {"wifi", LinkType::Wifi},
                                               {"ethernet", LinkType::Ethernet}, {"lorawan", LinkType::LoRaWan},
                                               {"ble", LinkType::Ble}};
  set(m.link_type, choice(link.required("type", "a link type such as \"nb-iot\" or \"wifi\""), "link type",
                          link_types));
  set(m.downlink, distribution(link.required("downlink", "a rate like \"60kbps\" or a rate distribution"),
                               Unit::Rate));
  m.rtt = Distribution::fixed(0.1);
  set(m.rtt, distribution(link["rtt"], Unit::Duration));
  Obj flaky(link["flakiness"], {"mean_good", "mean_bad", "bad_state"});
  set(m.mean_good, duration(flaky.required("mean_good", "a duration like \"2h\""), Min::AboveZero));
  set(m.mean_bad, duration(flaky.required("mean_bad", "a duration like \"5m\""), Min::AboveZero));
  set(m.bad_state, choice(flaky["bad_state"], "bad-state behaviour",
                          Choices<BadLinkBehaviour>{{"stall", BadLinkBehaviour::Stall},
                                                    {"drop", BadLinkBehaviour::Drop}}));
  set(m.resume, boolean(link["resume"]));

  Obj storage(o.required("storage", "an object with \"layout\""), {"layout", "flash_write_rate"});
  set(m.storage, choice(storage.required("layout", "\"ab\" or \"single\""), "storage layout",
                        Choices<StorageLayout>{{"ab", StorageLayout::AB}, {"single", StorageLayout::Single}}));
  set(m.flash_write_rate, rate(storage["flash_write_rate"]));

  Obj phases(o["phases"], {"verify", "install", "reboot", "health_check"});
  set(m.verify, distribution(phases["verify"], Unit::Duration));
  set(m.install, distribution(phases["install"], Unit::Duration));
  set(m.reboot, distribution(phases["reboot"], Unit::Duration));
  set(m.health_check, distribution(phases["health_check"], Unit::Duration));

  Obj failures(o["failures"], {"corruption", "install_failure", "power_loss_per_hour"});
  set(m.corruption, fraction(failures["corruption"]));
  set(m.install_failure, fraction(failures["install_failure"]));
  set(m.power_loss_per_hour, fraction(failures["power_loss_per_hour"]));

  Obj behaviour(o["behaviour"], {"notification", "poll_interval", "poll_jitter", "retry", "battery"});
  set(m.notification, choice(behaviour["notification"], "notification",
                             Choices<Notification>{{"poll", Notification::Poll}, {"push", Notification::Push}}));
  auto interval = duration(behaviour["poll_interval"], Min::AboveZero);
  set(m.poll_interval, interval);
  Field jitter_field = behaviour["poll_jitter"];
  auto jitter = duration(jitter_field);
  if (jitter && *jitter >= m.poll_interval && (interval || !behaviour.has("poll_interval"))) {
    jitter_field.error("poll_jitter " + as_written(jitter_field) + " is not below poll_interval " +
                       units::format_duration(m.poll_interval) + " (expected jitter < interval)");
  } else {
    set(m.poll_jitter, jitter);
  }
  Obj retry(behaviour["retry"], {"max_attempts", "backoff_base", "backoff_cap", "jitter"});
  if (auto v = integer(retry["max_attempts"], 1, kMaxRetryAttempts)) m.retry_max_attempts = int(*v);
  auto base = duration(retry["backoff_base"]);
  set(m.backoff_base, base);
  Field cap_field = retry["backoff_cap"];
  auto cap = duration(cap_field);
  if (cap && *cap < m.backoff_base && (base || !retry.has("backoff_base"))) {
    cap_field.error("backoff_cap " + as_written(cap_field) + " is below backoff_base " +
                    units::format_duration(m.backoff_base) + " (expected cap ≥ base)");
  } else {
    set(m.backoff_cap, cap);
  }
  set(m.backoff_jitter, fraction(retry["jitter"]));
  Obj battery(behaviour["battery"], {"level", "threshold", "recharge"});
  if (battery.valid()) {
    m.has_battery = true;
    set(m.battery_level, distribution(battery.required("level", "a fraction or a fraction distribution"),
                                      Unit::Fraction));
    set(m.battery_threshold, fraction(battery.required("threshold", "a fraction like \"20%\"")));
    set(m.recharge, distribution(battery.required("recharge", "a duration or a duration distribution"),
                                 Unit::Duration));
  }

  const auto& paths = device_model_parameter_paths();
  for_each_member(o["sources"], [&](const std::string& key, const Field& source) {
    if (std::find(paths.begin(), paths.end(), key) == paths.end()) {
      source.error("unknown parameter " + quote(key) + suggestion(key, paths, "expected one of "));
      return;
    }
    if (auto s = text(source)) m.sources[key] = *s;
  }, "an object mapping parameter paths to sources");

  if (f.p.size() != before) return std::nullopt;
  return m;
}

std::optional<DeviceModel> parse_device_model(const nlohmann::ordered_json& j, const std::string& pointer,
                                              std::vector<Problem>& problems) {
  try {
    return device_model(Field{problems, &j, pointer});
  } catch (const std::exception& e) {
    add(problems, pointer, std::string("internal error while reading the device model: ") + e.what());
    return std::nullopt;
  }
}

}  // namespace fleetsim
