#include "hil/emulator/board_link_faults.hpp"

#include <catch2/catch.hpp>
#include <vector>

using fleetsim::hil::BoardLinkFaults;

namespace {

std::vector<bool> drops(BoardLinkFaults& faults, int n, bool also_corrupt) {
  std::vector<bool> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(faults.drop_request());
    if (also_corrupt) faults.corrupt_reply();
  }
  return out;
}

}  // namespace

TEST_CASE("board link faults: rate 0 never strikes and rate 1 always does", "[board]") {
  BoardLinkFaults none(0, 0, 5);
  BoardLinkFaults all(1, 1, 5);
  for (int i = 0; i < 1000; ++i) {
    CHECK_FALSE(none.drop_request());
    CHECK_FALSE(none.corrupt_reply());
    CHECK(all.drop_request());
    CHECK(all.corrupt_reply());
  }
}

TEST_CASE("board link faults: the drop pattern depends on the seed alone, not on --corrupt",
          "[board]") {
  BoardLinkFaults only_drop(0.3, 0, 11);
  BoardLinkFaults both(0.3, 0.6, 11);
  BoardLinkFaults other_seed(0.3, 0, 12);
  const auto a = drops(only_drop, 500, false);
  CHECK(drops(both, 500, true) == a);
  // Different seeds give different patterns: each draw agrees by chance with probability
  // 0.3² + 0.7² = 0.58, all 500 with 0.58^500.
  CHECK(drops(other_seed, 500, false) != a);
}
