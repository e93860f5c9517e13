#include "sim/scenario/load_distribution.hpp"

#include "sim/core/json_units.hpp"

namespace fleetsim {

using namespace json_reader;

namespace {

std::optional<double> unit_value(const Field& f, Unit u) {
  switch (u) {
    case Unit::Duration: {
      auto v = duration(f);
      return v ? std::optional<double>(v->value) : std::nullopt;
    }
    case Unit::Rate: {
      auto v = rate(f, Min::Zero);
      return v ? std::optional<double>(v->value) : std::nullopt;
    }
    case Unit::Fraction: return fraction(f);
  }
  return std::nullopt;
}

}  // namespace

std::optional<Distribution> distribution(const Field& f, Unit u) {
  if (!f.j) return std::nullopt;
  if (!f.j->is_object()) {
    auto v = unit_value(f, u);
    return v ? std::optional(Distribution::fixed(*v)) : std::nullopt;
  }
  static const Choices<Distribution::Kind> kinds = {{"fixed", Distribution::Kind::Fixed},
                                                    {"uniform", Distribution::Kind::Uniform},
                                                    {"normal", Distribution::Kind::Normal},
                                                    {"lognormal", Distribution::Kind::LogNormal},
                                                    {"exponential", Distribution::Kind::Exponential}};
  auto kind_it = f.j->find("dist");
  if (kind_it == f.j->end()) {
    // Check keys against the union so that typos are still named.
    Obj o(f, {"dist", "value", "min", "max", "mean", "stddev", "median", "p95"});
    o.required("dist", "\"fixed\", \"uniform\", \"normal\", \"lognormal\" or \"exponential\"");
    return std::nullopt;
  }
  auto kind = choice(Field{f.p, &*kind_it, child(f.ptr, "dist")}, "distribution", kinds);
  if (!kind) return std::nullopt;
  using K = Distribution::Kind;
  switch (*kind) {
    case K::Fixed: {
      Obj o(f, {"dist", "value"});
      auto v = unit_value(o.required("value", "the fixed value"), u);
      return v ? std::optional(Distribution::fixed(*v)) : std::nullopt;
    }
    case K::Uniform: {
      Obj o(f, {"dist", "min", "max"});
      auto lo = unit_value(o.required("min", "the lower bound"), u);
      Field max_field = o.required("max", "the upper bound");
      auto hi = unit_value(max_field, u);
      if (!lo || !hi) return std::nullopt;
      if (*hi < *lo) {
        max_field.error("max " + as_written(max_field) + " is below min (expected max ≥ min)");
        return std::nullopt;
      }
      return Distribution::uniform(*lo, *hi);
    }
    case K::Normal: {
      Obj o(f, {"dist", "mean", "stddev"});
      auto mean = unit_value(o.required("mean", "the mean"), u);
      auto sd = unit_value(o.required("stddev", "the standard deviation"), u);
      if (!mean || !sd) return std::nullopt;
      return Distribution::normal(*mean, *sd);
    }
    case K::LogNormal: {
      Obj o(f, {"dist", "median", "p95"});
      Field median_field = o.required("median", "the median");
      Field p95_field = o.required("p95", "the 95th percentile");
      auto median = unit_value(median_field, u);
      auto p95 = unit_value(p95_field, u);
      if (!median || !p95) return std::nullopt;
      if (*median <= 0) {
        median_field.error("median " + as_written(median_field) + " is zero (expected a median above zero)");
        return std::nullopt;
      }
      if (*p95 <= *median) {
        p95_field.error("p95 " + as_written(p95_field) + " is not above the median " + as_written(median_field) +
                        " (expected p95 > median)");
        return std::nullopt;
      }
      return Distribution::lognormal_median_p95(*median, *p95);
    }
    case K::Exponential: {
      Obj o(f, {"dist", "mean"});
      Field mean_field = o.required("mean", "the mean");
      auto mean = unit_value(mean_field, u);
      if (!mean) return std::nullopt;
      if (*mean <= 0) {
        mean_field.error("mean " + as_written(mean_field) + " is zero (expected a mean above zero)");
        return std::nullopt;
      }
      return Distribution::exponential(*mean);
    }
  }
  return std::nullopt;
}

}  // namespace fleetsim
