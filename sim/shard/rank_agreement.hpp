// How the ranks of an MPI job agree on an outcome that each rank found on its own (a scenario it
// could not load, a run that crashed): every rank gets the same exit code, and rank 0 alone says
// what went wrong where, so that one failure does not print N times or leave a rank behind.
#pragma once

#include <cstdint>
#include <string>

#include "sim/shard/shard_comm.hpp"

namespace fleetsim {

// A hash of a text every rank must have read alike (a scenario file), FNV-1a.
uint64_t text_fingerprint(const std::string& text);

// Collective: every rank brings its exit code (0: fine), the message that explains a non-zero one
// and the fingerprint of what it read. Returns the largest code on every rank, at least 2 when a
// fingerprint differs from rank 0's. Rank 0 prints each distinct message once to stderr; every line
// of a message rank 0 did not report itself starts with "[rank R] " (the first rank that did).
int agree_across_ranks(ShardComm& comm, int code, const std::string& message, uint64_t fingerprint = 0);

}  // namespace fleetsim
