#include "sim/scenario/scenario_warnings.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "sim/core/did_you_mean.hpp"
#include "sim/core/message_text.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

class WarningList {
 public:
  WarningList(const Scenario& s, const Json& doc) : s_(s), doc_(doc) {}

  void add(std::string pointer, std::string message) { out_.push_back({std::move(pointer), std::move(message)}); }

  // The value at `pointer`, or null when absent.
  const Json* at(const std::string& pointer) const {
    const Json::json_pointer p(pointer);
    return doc_.contains(p) ? &doc_.at(p) : nullptr;
  }

  // A bare 1 where a fraction is expected reads as 100 %; `why` says what that does here.
  void bare_one(const std::string& pointer, const std::string& why) {
    const Json* j = at(pointer);
    if (j && j->is_number() && j->get<double>() == 1.0)
      add(pointer, "1 is read as 100% (a bare number is a fraction of 1): " + why +
                       " (write \"1%\" if you meant one percent, or \"100%\" to keep it)");
  }

  // A window that starts at or after the end of the run never happens.
  void after_end(const std::string& pointer, Seconds at, const std::string& what) {
    if (at >= s_.duration)
      add(pointer, what + " at " + units::format_duration(at) + " never happens: the run ends at " +
                       units::format_duration(s_.duration) + " (expected \"at\" before \"duration\")");
  }

  std::vector<Problem> take() { return std::move(out_); }

 private:
  const Scenario& s_;
  const Json& doc_;
  std::vector<Problem> out_;
};

std::string cohort_ptr(size_t i) { return "/fleet/cohorts/" + std::to_string(i); }

bool rollout_targets(const Rollout& r, const Cohort& c) {
  const bool named = r.filter_cohorts.empty() ||
                     std::find(r.filter_cohorts.begin(), r.filter_cohorts.end(), c.name) != r.filter_cohorts.end();
  const bool tagged = std::all_of(r.filter_tags.begin(), r.filter_tags.end(), [&](const std::string& t) {
    return std::find(c.tags.begin(), c.tags.end(), t) != c.tags.end();
  });
  return named && tagged;
}

void timing_warnings(const Scenario& s, WarningList& w) {
  if (s.output.sample_interval * 2.0 > s.duration)
    w.add("/output/interval",
          "a sample every " + units::format_duration(s.output.sample_interval) + " over a run of " +
              units::format_duration(s.duration) + " gives at most 2 rows of timeseries.csv and flat charts "
              "(expected an interval well below the duration, e.g. \"1m\")");
  if (s.rollout.start >= s.duration)
    w.add("/rollout/start", "the rollout starts at " + units::format_duration(s.rollout.start) +
                                ", at or after the end of the run (" + units::format_duration(s.duration) +
                                "): no device is released (expected a start before \"duration\")");
  else if (s.rollout.tick >= s.duration - s.rollout.start)
    w.add("/rollout/tick", "the controller decides every " + units::format_duration(s.rollout.tick) +
                               " and the rollout has only " + units::format_duration(s.duration - s.rollout.start) +
                               " to run: it decides at most once (expected a tick such as \"60s\")");
}

void region_warnings(const Scenario& s, WarningList& w) {
  for (const Region& r : s.regions) {
    const std::string rp = "/regions/" + json_pointer_token(r.name);
    if (r.rtt >= Seconds(5))
      w.add(rp + "/rtt", "a round trip of " + units::format_duration(r.rtt) +
                             " is longer than any real network's (did you mean \"" +
                             number_text(r.rtt.value) + "ms\"?)");
    const bool has_devices =
        std::any_of(s.cohorts.begin(), s.cohorts.end(), [&](const Cohort& c) { return c.region == r.name; });
    if (!has_devices)
      w.add(rp, "no cohort is in region \"" + r.name + "\": its outages, capacity and CDN settings change nothing "
                "(expected a cohort with \"region\": \"" + r.name + "\", or remove the region)");
    for (size_t i = 0; i < r.outages.size(); ++i)
      w.after_end(rp + "/outages/" + std::to_string(i) + "/at", r.outages[i].at, "the outage");
    for (size_t i = 0; i < r.degradations.size(); ++i)
      w.after_end(rp + "/degradations/" + std::to_string(i) + "/at", r.degradations[i].window.at, "the degradation");
  }
}

void platform_warnings(const Scenario& s, WarningList& w) {
  const bool any_push = std::any_of(s.cohorts.begin(), s.cohorts.end(), [&](const Cohort& c) {
    auto m = s.models.find(c.model);
    return m != s.models.end() && m->second.notification == Notification::Push;
  });
  if (!any_push && (s.platform.broker_connect_rate.value > 0 || s.platform.broker_max_connections > 0))
    w.add("/platform/broker", "no device model in the fleet is push-notified, so the broker limits change nothing "
                              "(they apply to devices with \"notification\": \"push\")");
}

void fleet_warnings(const Scenario& s, WarningList& w) {
  bool any_needs_update = false;
  for (const Cohort& c : s.cohorts)
    for (const auto& [version, share] : c.firmware)
      if (version != s.firmware.target && share > 0) any_needs_update = true;
  if (!any_needs_update)
    w.add("/firmware/target", "every device already runs the target \"" + s.firmware.target +
                                  "\": the rollout has nothing to do (expected a target that some cohort is not on)");
  if (s.rollout.maintenance_window) {
    for (size_t i = 0; i < s.cohorts.size(); ++i)
      if (!w.at(cohort_ptr(i) + "/timezone"))
        w.add(cohort_ptr(i), "the maintenance window is in each cohort's local time and cohort \"" + s.cohorts[i].name +
                                 "\" has no \"timezone\", so its window is in UTC (expected an IANA time zone such "
                                 "as \"Europe/Berlin\", or \"UTC\" written out)");
  }
}

// The versions the cohorts `uses` selects start on, in file order.
template <class Pred>
std::vector<std::string> versions_run(const Scenario& s, Pred uses) {
  std::vector<std::string> versions;
  for (const Cohort& c : s.cohorts)
    if (uses(c))
      for (const auto& [version, share] : c.firmware)
        if (std::find(versions.begin(), versions.end(), version) == versions.end()) versions.push_back(version);
  return versions;
}

// The deltas of `image` (at `pointer`), which devices starting on `versions` download; `model`
// names the one model the image is for (empty: the shared image).
void delta_warnings(const Scenario& s, const std::string& pointer, const FirmwareImage& image,
                    const std::vector<std::string>& versions, const std::string& model, WarningList& w) {
  for (const auto& [from, size] : image.delta) {
    const std::string dp = pointer + "/delta/" + json_pointer_token(from);
    if (std::find(versions.begin(), versions.end(), from) == versions.end()) {
      w.add(dp, "no " + (model.empty() ? "" : model + " ") + "device runs \"" + from +
                    "\", so this delta is never used and full images go out" +
                    suggestion(from, versions, model.empty() ? "expected one of the fleet's versions: "
                                                             : "expected one of the versions " + model + " devices run: "));
    } else if (from == s.firmware.target) {
      w.add(dp, "a delta from the target \"" + from + "\" to itself is never used (devices on the target are not "
                "updated)");
    }
    if (size >= image.size)
      w.add(dp, "the delta (" + units::format_size(size) + ") is not smaller than the full image (" +
                    units::format_size(image.size) + "): devices download at least as much as without it");
  }
}

void firmware_warnings(const Scenario& s, WarningList& w) {
  const auto shared = [&](const Cohort& c) { return !s.firmware.images.count(c.model); };
  if (std::any_of(s.cohorts.begin(), s.cohorts.end(), shared)) {
    delta_warnings(s, "/firmware", s.firmware.image, versions_run(s, shared), "", w);
  } else if (const char* key = w.at("/firmware/size") ? "size" : w.at("/firmware/delta") ? "delta" : nullptr) {
    w.add(std::string("/firmware/") + key,
          "every device model in the fleet has its own image in \"images\", so the shared \"size\" and \"delta\" "
          "are never used (expected them removed, or a model without an image)");
  }
  w.bare_one("/firmware/boot_failure", "the target fails to boot on every device");
  if (const Json* by_model = w.at("/firmware/boot_failure"); by_model && by_model->is_object())
    for (const auto& [model, v] : by_model->items())
      w.bare_one("/firmware/boot_failure/" + json_pointer_token(model),
                 "the target fails to boot on every " + model + " device");

  std::vector<std::string> used;
  for (const Cohort& c : s.cohorts)
    if (std::find(used.begin(), used.end(), c.model) == used.end()) used.push_back(c.model);
  for (const auto& entry : s.firmware.images) {
    const std::string& model = entry.first;  // not a structured binding: clang 14 cannot capture one
    const auto& image = entry.second;
    const std::string ip = "/firmware/images/" + json_pointer_token(model);
    if (std::find(used.begin(), used.end(), model) == used.end()) {
      w.add(ip, "no cohort uses device model \"" + model + "\", so this image is never downloaded" +
                    suggestion(model, used, "expected one of the fleet's models: "));
      continue;
    }
    delta_warnings(s, ip, image, versions_run(s, [&](const Cohort& c) { return c.model == model; }), model, w);
    w.bare_one(ip + "/boot_failure", "the target fails to boot on every " + model + " device");
  }
}

void gate_warnings(const std::string& pointer, WarningList& w) {
  w.bare_one(pointer + "/max_failure",
             "the gate fires only when more than 100% of the wave failed, which cannot happen");
}

void rollout_warnings(const Scenario& s, WarningList& w) {
  const Rollout& r = s.rollout;
  int64_t eligible = 0;
  for (const Cohort& c : s.cohorts)
    if (rollout_targets(r, c)) eligible += c.count;

  if (r.strategy == Strategy::Waves && !r.waves.empty() && eligible > 0) {
    const size_t last = r.waves.size() - 1;
    int64_t end = 0;
    for (const Wave& wave : r.waves) {
      if (wave.devices) end += *wave.devices;
      else if (wave.percent) end = std::llround(*wave.percent * double(eligible));
    }
    if (end < eligible) {
      const Wave& lw = r.waves[last];
      const std::string lp = "/rollout/waves/" + std::to_string(last) + (lw.devices ? "/devices" : "/percent");
      w.add(lp, "the last wave ends at " + std::to_string(end) + " of " + std::to_string(eligible) +
                    " eligible devices (" + percent_text(double(end) / double(eligible)) +
                    "): the rollout completes with the rest never released (expected a last wave with "
                    "\"percent\": \"100%\")");
    }
  }
  gate_warnings("/rollout/gates", w);
  for (size_t i = 0; i < r.waves.size(); ++i) gate_warnings("/rollout/waves/" + std::to_string(i) + "/gate", w);
  for (size_t i = 0; i < r.abort.size(); ++i) {
    const std::string ap = "/rollout/abort/" + std::to_string(i);
    w.bare_one(ap + "/threshold", "the criterion fires only when more than 100% of executions failed, which "
                                  "cannot happen");
    if (eligible > 0 && r.abort[i].min_executed > eligible)
      w.add(ap + "/min_executed", "needs " + std::to_string(r.abort[i].min_executed) + " executions and the rollout " +
                                      "has only " + std::to_string(eligible) + " eligible devices: it can never fire");
  }

  // A fixed release rate bounds how many devices can be released before the end; devices already
  // on the target are never released.
  double needing_update = 0;
  for (const Cohort& c : s.cohorts)
    if (rollout_targets(r, c))
      for (const auto& [version, share] : c.firmware)
        if (version != s.firmware.target) needing_update += share * double(c.count);
  const Seconds running = s.duration - r.start;
  if (r.max_per_minute > 0 && !r.rate && running > Seconds(0)) {
    const double releasable = r.max_per_minute * running.value / 60.0;
    if (releasable < std::round(needing_update))
      w.add("/rollout/max_per_minute",
            "at " + number_text(r.max_per_minute) + " releases a minute, at most " +
                std::to_string(int64_t(releasable)) + " of the " + number_text(std::round(needing_update)) +
                " devices that need the update are released in the " + units::format_duration(running) +
                " the rollout runs (expected a rate of at least " +
                number_text(std::ceil(std::round(needing_update) / (running.value / 60.0))) +
                " a minute, or a longer duration)");
  }

  // An execution timeout shorter than the image's download at the model's mean link rate times
  // out the typical device of that model.
  if (r.execution_timeout > Seconds(0)) {
    std::set<std::string> warned;
    for (const Cohort& c : s.cohorts) {
      if (!rollout_targets(r, c) || warned.count(c.model)) continue;
      auto m = s.models.find(c.model);
      if (m == s.models.end() || m->second.downlink.mean() <= 0) continue;
      const FirmwareImage& image = s.firmware.image_of(c.model);
      Bytes smallest = image.size;
      for (const auto& [version, share] : c.firmware)
        if (auto d = image.delta.find(version); d != image.delta.end()) smallest = std::min(smallest, d->second);
      const Seconds download(smallest.value / m->second.downlink.mean());
      if (download > r.execution_timeout) {
        warned.insert(c.model);
        w.add("/rollout/execution_timeout",
              "a " + c.model + " device needs about " + units::format_duration(download) + " to download " +
                  units::format_size(smallest) + " at its mean downlink of " +
                  units::format_rate(BytesPerSecond(m->second.downlink.mean())) + ", longer than the timeout of " +
                  units::format_duration(r.execution_timeout) + ": most such executions time out");
      }
    }
  }
}

void fault_warnings(const Scenario& s, WarningList& w) {
  for (size_t i = 0; i < s.faults.size(); ++i) {
    const Fault& f = s.faults[i];
    const std::string fp = "/faults/" + std::to_string(i);
    if (w.at(fp + "/at")) w.after_end(fp + "/at", f.window.at, "the fault");
    switch (f.kind) {
      case FaultKind::CdnDegradation:
      case FaultKind::UpdateServiceBrownout:
        if (f.factor >= 1.0)
          w.add(fp + "/factor", "a capacity factor of " + number_text(f.factor) +
                                    " leaves the capacity as it is: the fault changes nothing (expected a factor below "
                                    "1, e.g. 0.25, or 0 for a crash)");
        break;
      case FaultKind::BadBuild:
        w.bare_one(fp + "/boot_failure", "the bad build fails to boot on every device it reaches");
        break;
      case FaultKind::PowerLoss:
        if (f.window.at < s.rollout.start)
          w.add(fp + "/at", "power is lost at " + units::format_duration(f.window.at) + ", before the rollout starts (" +
                                units::format_duration(s.rollout.start) + "): no device is installing, so it changes "
                                "nothing");
        break;
      default:
        break;
    }
  }
}

}  // namespace

std::vector<Problem> scenario_warnings(const Scenario& s, const nlohmann::ordered_json& doc) {
  WarningList w(s, doc);
  timing_warnings(s, w);
  region_warnings(s, w);
  platform_warnings(s, w);
  fleet_warnings(s, w);
  firmware_warnings(s, w);
  rollout_warnings(s, w);
  fault_warnings(s, w);
  return w.take();
}

std::string format_warnings(const std::string& file, const std::vector<Problem>& warnings) {
  std::vector<Problem> labelled = warnings;
  for (Problem& p : labelled) p.message = "warning: " + p.message;
  return format_problems(file, labelled);
}

}  // namespace fleetsim
