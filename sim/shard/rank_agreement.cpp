#include "sim/shard/rank_agreement.hpp"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <set>
#include <vector>

#include "sim/core/exit_codes.hpp"

namespace fleetsim {

namespace {

std::string with_rank(int rank, const std::string& text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    out += "[rank " + std::to_string(rank) + "] " + text.substr(start, end == std::string::npos ? end : end - start) +
           "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

uint64_t text_fingerprint(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

int agree_across_ranks(ShardComm& comm, int code, const std::string& message, uint64_t fingerprint) {
  struct Header {
    int32_t code;
    uint32_t length;
    uint64_t fingerprint;
  };
  const std::string text = code != exit_code::kOk ? message : std::string();
  std::vector<std::byte> mine(sizeof(Header) + text.size());
  const Header h{code, uint32_t(text.size()), fingerprint};
  std::memcpy(mine.data(), &h, sizeof h);
  std::memcpy(mine.data() + sizeof h, text.data(), text.size());
  const std::vector<std::byte> all = comm.all_gather(mine);
  int agreed = exit_code::kOk;
  std::string report;
  std::set<std::string> reported;
  uint64_t first_fingerprint = 0;
  size_t at = 0;
  for (int rank = 0; rank < comm.size(); ++rank) {
    Header r;
    std::memcpy(&r, all.data() + at, sizeof r);
    std::string said(reinterpret_cast<const char*>(all.data() + at + sizeof r), r.length);
    at += sizeof r + r.length;
    if (rank == 0) first_fingerprint = r.fingerprint;
    if (r.code == exit_code::kOk && r.fingerprint != first_fingerprint) {
      r.code = exit_code::kBadInput;
      said = "fleetsim: this rank read a different scenario than rank 0: every rank must read the same file "
             "with the same --set and --seed (on a cluster, the same path on a filesystem every node shares)\n";
    }
    if (r.code == exit_code::kOk) continue;
    agreed = std::max(agreed, int(r.code));
    if (!reported.insert(said).second) continue;
    report += rank == 0 ? said : with_rank(rank, said);
  }
  if (comm.rank() == 0) std::cerr << report;
  return agreed;
}

}  // namespace fleetsim
