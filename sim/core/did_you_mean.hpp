// "did you mean …" for a mistyped name: the nearest candidate by edit distance, close enough to
// be a typo rather than another word.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fleetsim {

// The candidate nearest to `word`, if it is within a third of its length (at least 2 edits) and
// not `word` itself. Edits count adjacent transpositions as one ("rtt"/"rrt").
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean \"x\"?)", else " (<expected_prefix><the candidates>)" when there are at most 16,
// else "".
std::string suggestion(std::string_view word, const std::vector<std::string>& candidates,
                       const std::string& expected_prefix = "expected ");

}  // namespace fleetsim
