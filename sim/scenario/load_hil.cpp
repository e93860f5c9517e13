// The "hil" section: which device slots real boards stand in for (README "Hardware in the
// loop"), the image they are flashed with, and the co-simulation pace.
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <regex>

#include "sim/core/json_units.hpp"
#include "sim/scenario/format_limits.hpp"
#include "sim/scenario/scenario_reader.hpp"

namespace fleetsim {

using namespace json_reader;

std::optional<HilBinding> read_hil(const Field& f, const std::string& file, const Rollout& rollout,
                                   const std::vector<std::string>& cohort_names) {
  if (!f.j) return std::nullopt;
  Obj o(f, {"image", "baseline", "boards_in", "pace", "impair", "required", "console"});
  if (!o.valid()) return std::nullopt;
  HilBinding h;
  auto resolved = [&](const std::string& written) {
    std::filesystem::path path(written);
    if (path.is_relative()) path = std::filesystem::path(file).parent_path() / path;
    return path.lexically_normal().string();
  };
  if (auto image = text(o.required("image", "the path of the MCUboot image the boards are flashed with"))) {
    h.image = *image;
    h.image_path = resolved(*image);
  }
  if (auto baseline = text(o["baseline"])) {
    h.baseline = *baseline;
    h.baseline_path = resolved(*baseline);
  }
  set(h.required, boolean(o["required"]));
  h.boards_in = "wave:0";
  Field scope = o["boards_in"];
  if (auto t = text(scope)) {
    h.boards_in = *t;
    const std::string expected = " (expected \"wave:N\" with N a wave index, or \"cohort:NAME\")";
    if (t->starts_with("wave:")) {
      const std::string n = t->substr(5);
      int wave = -1;
      const auto [end, ec] = std::from_chars(n.data(), n.data() + n.size(), wave);
      const int waves = rollout.strategy == Strategy::Waves ? int(rollout.waves.size()) : 1;
      if (ec != std::errc() || end != n.data() + n.size() || wave < 0)
        scope.error(quote(*t) + " does not name a wave" + expected);
      else if (wave >= waves && waves > 0)  // no waves at all is reported under /rollout
        scope.error("wave " + std::to_string(wave) + " does not exist (expected 0 to " + std::to_string(waves - 1) +
                    (rollout.strategy == Strategy::Waves ? "" : "; an all-at-once rollout is wave 0") + ")");
      else h.wave = wave;
    } else if (t->starts_with("cohort:")) {
      const std::string name = t->substr(7);
      if (std::find(cohort_names.begin(), cohort_names.end(), name) == cohort_names.end())
        scope.error("unknown cohort " + quote(name) + suggestion(name, cohort_names));
      else h.cohort = name;
    } else {
      scope.error(quote(*t) + " is not a device scope" + expected);
    }
  } else if (!scope.j) {
    h.wave = 0;
  }
  set(h.pace, number(o["pace"], Range{0, true, kMaxHilPace}));
  set(h.impair, boolean(o["impair"]));
  for_each_element(o["console"], [&](const Field& c, size_t) {
    Obj e(c, {"expect", "within"});
    if (!e.valid()) return;
    HilBinding::ConsoleExpect expect;
    expect.pointer = c.ptr;
    const Field pattern = e.required("expect", "a regular expression the console prints after the reset, e.g. \"running 2\\\\.0\\\\.0\"");
    if (auto p = text(pattern)) {
      try {
        (void)std::regex(*p);
        expect.pattern = *p;
      } catch (const std::regex_error& err) {
        pattern.error(quote(*p) + " is not a regular expression: " + err.what() + " (expected ECMAScript syntax)");
      }
    }
    if (e["within"].j) {
      if (auto within = duration(e["within"], Min::AboveZero)) expect.within = within->value;
    }
    h.console.push_back(std::move(expect));
  }, "an array of {\"expect\": REGEX, \"within\": DURATION}");
  return h;
}

}  // namespace fleetsim
