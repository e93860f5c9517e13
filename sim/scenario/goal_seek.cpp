#include "sim/scenario/goal_seek.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>

#include "sim/core/message_text.hpp"
#include "sim/core/units.hpp"

namespace fleetsim {

namespace {

// The unit of a value written as NUMBER SUFFIX, found by parsing "1" + SUFFIX with each of the
// format's unit parsers; a bare number has factor 1.
std::optional<SeekUnit> unit_of(std::string_view suffix) {
  if (suffix.empty()) return SeekUnit{"", 1.0};
  const std::string one = "1" + std::string(suffix);
  if (auto r = units::parse_rate(one)) return SeekUnit{std::string(suffix), r->value};
  if (auto s = units::parse_size(one)) return SeekUnit{std::string(suffix), s->value};
  if (auto d = units::parse_duration(one)) return SeekUnit{std::string(suffix), d->value};
  if (auto p = units::parse_per_second(one)) return SeekUnit{std::string(suffix), p->value};
  return std::nullopt;
}

// Which parser accepts the unit: values of different kinds cannot be compared.
int unit_kind(std::string_view suffix) {
  if (suffix.empty()) return 0;
  const std::string one = "1" + std::string(suffix);
  if (units::parse_rate(one)) return 1;
  if (units::parse_size(one)) return 2;
  if (units::parse_duration(one)) return 3;
  return 4;
}

struct Written {
  double number = 0;
  std::string suffix;
  bool integer = false;
};

std::optional<Written> split(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || !std::isfinite(v)) return std::nullopt;
  Written w{v, std::string(end), false};
  w.integer = w.suffix.empty() && s.find_first_of(".eE") == std::string::npos;
  return w;
}

}  // namespace

std::optional<SeekRange> parse_seek_range(std::string_view text, std::string& error) {
  const size_t dots = text.find("..");
  if (dots == std::string_view::npos) {
    error = "expected LO..HI, e.g. 100Mbps..2Gbps or 1000..50000, got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  auto lo = split(text.substr(0, dots)), hi = split(text.substr(dots + 2));
  if (!lo || !hi) {
    error = "\"" + std::string(text) + "\": both ends must be numbers, with the field's unit where it has one";
    return std::nullopt;
  }
  auto lo_unit = unit_of(lo->suffix), hi_unit = unit_of(hi->suffix);
  if (!lo_unit || !hi_unit) {
    error = "\"" + std::string(text) + "\": unknown unit \"" + (lo_unit ? hi->suffix : lo->suffix) +
            "\" (expected a rate such as Mbps, a size such as MiB, a duration such as h, or /s)";
    return std::nullopt;
  }
  if (unit_kind(lo->suffix) != unit_kind(hi->suffix)) {
    error = "\"" + std::string(text) + "\": the two ends have units of different kinds";
    return std::nullopt;
  }
  SeekRange r;
  r.lo = lo->number * lo_unit->factor;
  r.hi = hi->number * hi_unit->factor;
  r.integer = lo->integer && hi->integer;
  r.unit = *lo_unit;
  if (!(r.lo < r.hi)) {
    error = "\"" + std::string(text) + "\": the low end must be below the high end";
    return std::nullopt;
  }
  return r;
}

std::optional<double> parse_seek_value(const SeekRange& range, std::string_view text, std::string& error) {
  auto w = split(text);
  auto unit = w ? unit_of(w->suffix) : std::nullopt;
  if (!w || !unit || unit_kind(w->suffix) != unit_kind(range.unit.suffix) || !(w->number > 0)) {
    error = "\"" + std::string(text) + "\" is not a positive value in the range's unit (e.g. \"1" +
            range.unit.suffix + "\")";
    return std::nullopt;
  }
  return w->number * unit->factor;
}

std::string seek_value_text(const SeekRange& range, double v) {
  if (range.integer) return std::to_string(std::llround(v));
  return number_text(v / range.unit.factor) + range.unit.suffix;
}

GoalSeek::GoalSeek(SeekRange range, SeekGoal goal, double resolution, int grid)
    : range_(range), goal_(goal), resolution_(resolution) {
  grid = std::max(grid, 2);
  for (int i = 0; i < grid; ++i) {
    double v = range_.lo + (range_.hi - range_.lo) * double(i) / double(grid - 1);
    if (range_.integer) v = std::round(v);
    if (grid_.empty() || v != grid_.back()) grid_.push_back(v);
  }
  if (range_.integer) resolution_ = std::max(resolution_, 1.0);
}

const SeekProbe* GoalSeek::find(double v) const {
  for (const SeekProbe& p : probes_)
    if (p.value == v) return &p;
  return nullptr;
}

void GoalSeek::record(const SeekProbe& probe) {
  if (!find(probe.value)) probes_.push_back(probe);
}

bool GoalSeek::bracket(double& failing, double& passing) const {
  std::vector<SeekProbe> sorted = probes_;
  std::sort(sorted.begin(), sorted.end(), [](const SeekProbe& a, const SeekProbe& b) { return a.value < b.value; });
  if (goal_ == SeekGoal::Largest) std::reverse(sorted.begin(), sorted.end());
  // Walking from the passing end of the range: the run of passing probes there, then the first
  // failing probe.
  size_t i = sorted.size();
  while (i > 0 && sorted[i - 1].passes()) --i;
  if (i == sorted.size() || i == 0) return false;
  passing = sorted[i].value;
  failing = sorted[i - 1].value;
  return true;
}

double GoalSeek::midpoint(double a, double b) const {
  const double m = (a + b) / 2;
  return range_.integer ? std::floor(m) : m;
}

std::vector<double> GoalSeek::next() const {
  std::vector<double> todo;
  for (double v : grid_)
    if (!find(v)) todo.push_back(v);
  if (!todo.empty()) return todo;
  double failing = 0, passing = 0;
  if (!bracket(failing, passing)) return {};
  if (std::abs(passing - failing) <= resolution_) return {};
  const double m = midpoint(failing, passing);
  if (m == failing || m == passing) return {};
  return {m};
}

SeekAnswer GoalSeek::answer() const {
  SeekAnswer a;
  std::vector<SeekProbe> sorted = probes_;
  std::sort(sorted.begin(), sorted.end(), [](const SeekProbe& x, const SeekProbe& y) { return x.value < y.value; });
  const bool all_pass = !sorted.empty() && std::all_of(sorted.begin(), sorted.end(), [](auto& p) { return p.passes(); });
  if (all_pass) {
    a.status = SeekAnswer::Status::WholeRangePasses;
    a.threshold = goal_ == SeekGoal::Smallest ? sorted.front().value : sorted.back().value;
  } else if (bracket(a.failing, a.threshold)) {
    a.status = SeekAnswer::Status::Found;
  }
  // Monotone: no passing probe on the failing side of the bracket.
  for (const SeekProbe& p : sorted) {
    if (p.mixed())
      a.notes.push_back("at " + seek_value_text(range_, p.value) + " " + std::to_string(p.passed) + " of " +
                        std::to_string(p.seeds) + " seeds pass: the outcome depends on the seed there");
    const bool wrong_side = a.status == SeekAnswer::Status::Found
                                ? (goal_ == SeekGoal::Smallest ? p.value < a.failing : p.value > a.failing)
                                : a.status == SeekAnswer::Status::NoValuePasses;
    if (p.passes() && wrong_side) {
      a.monotone = false;
      a.notes.push_back("passes at " + seek_value_text(range_, p.value) + " but fails " +
                        (goal_ == SeekGoal::Smallest ? "above" : "below") +
                        " it: the outcome is not monotone in the field, so the threshold is not unique");
    }
  }
  return a;
}

}  // namespace fleetsim
