#include "sim/core/did_you_mean.hpp"

#include <algorithm>

#include "sim/core/message_text.hpp"

namespace fleetsim {
namespace {

// Optimal string alignment distance: Levenshtein plus adjacent transpositions.
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  // Nobody mistypes a 200-character name, and the distance is quadratic in the lengths.
  if (word.size() > 200) return std::nullopt;
  std::optional<std::string> best;
  size_t best_d = 0;
  for (const auto& c : candidates) {
    if (c.size() > 200) continue;
    size_t d = edit_distance(word, c);
    size_t allowed = std::max<size_t>(2, c.size() / 3);
    if (d == 0 || d > allowed || d >= c.size()) continue;
    if (!best || d < best_d) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       const std::string& expected_prefix) {
  if (auto c = closest(word, candidates)) return " (did you mean " + quote(*c) + "?)";
  if (candidates.empty()) return "";
  if (candidates.size() <= 16) return " (" + expected_prefix + join_quoted(candidates) + ")";
  return "";
}

}  // namespace fleetsim
