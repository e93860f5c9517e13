// Goal seeking (`fleetsim seek`, README "Goal seeking"): the threshold of one numeric scenario
// field at which a scenario's assertions and gates start (or stop) passing — "the smallest
// egress such that 95 % update within 48 h". A coarse grid over the range comes first (it shows
// whether pass/fail changes once, i.e. is monotone in the field), then bisection between the
// grid's last failing and first passing point until the bracket is no wider than the resolution.
// A probe passes when every seed passes; a probe where only some seeds pass is seed-dependent,
// reported as such and counted as failing. This file is the search alone (pure, no processes);
// sim/cli/goal_seek_command.cpp runs the probes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

// A value of the varied field as written, with its unit: "500Mbps", "20000", "48h".
struct SeekUnit {
  std::string suffix;   // "Mbps", "" for a plain number
  double factor = 1;    // base units (bytes/s, bytes, seconds, 1/s) per 1 `suffix`
};

struct SeekRange {
  double lo = 0, hi = 0;  // base units, lo < hi
  bool integer = false;   // both ends written as integers without a unit: probes are integers
  SeekUnit unit;          // how probe values are written (the low end's unit)
};

// "LO..HI" with both ends of one kind: plain numbers, rates, sizes, durations or request rates
// ("100Mbps..2Gbps", "1000..50000", "10m..6h"). nullopt with `error` saying what is wrong.
std::optional<SeekRange> parse_seek_range(std::string_view text, std::string& error);
// A value in the range's unit ("10Mbps" for a rate range), for --resolution.
std::optional<double> parse_seek_value(const SeekRange& range, std::string_view text, std::string& error);
// `v` (base units) as the scenario field's value: "162.5Mbps", "12000".
std::string seek_value_text(const SeekRange& range, double v);

enum class SeekGoal { Smallest, Largest };  // smallest passing value (passes above it), or largest

struct SeekProbe {
  double value = 0;
  int seeds = 0;
  int passed = 0;
  bool passes() const { return seeds > 0 && passed == seeds; }
  bool mixed() const { return passed > 0 && passed < seeds; }
};

struct SeekAnswer {
  enum class Status { Found, WholeRangePasses, NoValuePasses };
  Status status = Status::NoValuePasses;
  double threshold = 0;          // the passing end of the bracket (Found)
  double failing = 0;            // the failing end of the bracket (Found)
  bool monotone = true;          // the grid changed from failing to passing once, in the goal's direction
  std::vector<std::string> notes;  // non-monotone evidence and seed-dependent probes, in plain words
};

class GoalSeek {
 public:
  // `grid` points (≥ 2, ends included) are probed first; bisection stops at a bracket no wider
  // than `resolution` (base units; integer ranges stop at 1 apart).
  GoalSeek(SeekRange range, SeekGoal goal, double resolution, int grid = 5);

  // The values to probe next, all at once (they may run in parallel); empty when done.
  std::vector<double> next() const;
  void record(const SeekProbe& probe);
  bool done() const { return next().empty(); }
  SeekAnswer answer() const;
  const std::vector<SeekProbe>& probes() const { return probes_; }  // in the order recorded

 private:
  const SeekProbe* find(double v) const;
  // The current bracket: the failing value next to the passing side, and the passing value.
  bool bracket(double& failing, double& passing) const;
  double midpoint(double a, double b) const;

  SeekRange range_;
  SeekGoal goal_;
  double resolution_;
  std::vector<double> grid_;
  std::vector<SeekProbe> probes_;
};

}  // namespace fleetsim
