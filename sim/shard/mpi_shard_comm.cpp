// ShardComm on MPI (OpenMPI from Debian); compiled only when CMake finds MPI.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

#include "sim/shard/shard_comm.hpp"

namespace fleetsim {

namespace {

void check(int rc, const char* what) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  throw std::runtime_error(std::string(what) + ": " + std::string(text, size_t(len)));
}

class MpiWorldComm final : public ShardComm {
 public:
  MpiWorldComm() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void sum(std::span<int64_t> values) override {
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
  void sum(std::span<double> values) override {
    check(MPI_Allreduce(MPI_IN_PLACE, values.data(), int(values.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
  std::vector<std::byte> gather(std::span<const std::byte> mine) override { return gather_to(mine, false); }
  std::vector<std::byte> all_gather(std::span<const std::byte> mine) override { return gather_to(mine, true); }
  int64_t max(int64_t value) override {
    check(MPI_Allreduce(MPI_IN_PLACE, &value, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
    return value;
  }
  void wait_for_all_ranks() override {
    // MPI_Barrier busy-polls; a non-blocking barrier tested every few milliseconds does not.
    MPI_Request request;
    check(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
    for (;;) {
      int done = 0;
      check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
      if (done) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
 private:
  // Counts travel as int, so one rank's part is at most 2 GiB: larger parts go in pieces.
  std::vector<std::byte> gather_to(std::span<const std::byte> mine, bool everyone) {
    constexpr int64_t kPiece = int64_t(1) << 30;
    std::vector<int64_t> sizes(size_t(size_), 0);
    int64_t my_size = int64_t(mine.size());
    check(MPI_Allgather(&my_size, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, MPI_COMM_WORLD), "MPI_Allgather");
    int64_t total = 0;
    std::vector<int64_t> offset(size_t(size_), 0);
    for (int r = 0; r < size_; ++r) {
      offset[size_t(r)] = total;
      total += sizes[size_t(r)];
    }
    std::vector<std::byte> out;
    if (everyone || rank_ == 0) out.resize(size_t(total));
    int64_t longest = 0;
    for (int64_t s : sizes) longest = std::max(longest, s);
    std::vector<int> counts(size_t(size_), 0), displs(size_t(size_), 0);
    for (int64_t done = 0; done < longest; done += kPiece) {
      // Piece k of every rank: its bytes [done, done + kPiece), placed after its earlier pieces.
      // Displacements are relative to a per-piece base, so they fit an int as well.
      std::vector<std::byte> piece;
      int64_t piece_total = 0;
      for (int r = 0; r < size_; ++r) {
        counts[size_t(r)] = int(std::clamp<int64_t>(sizes[size_t(r)] - done, 0, kPiece));
        displs[size_t(r)] = int(piece_total);
        piece_total += counts[size_t(r)];
      }
      if (everyone || rank_ == 0) piece.resize(size_t(piece_total));
      const std::byte* send = mine.data() + std::min<int64_t>(done, my_size);
      const int send_count = counts[size_t(rank_)];
      if (everyone)
        check(MPI_Allgatherv(send, send_count, MPI_BYTE, piece.data(), counts.data(), displs.data(), MPI_BYTE,
                             MPI_COMM_WORLD),
              "MPI_Allgatherv");
      else
        check(MPI_Gatherv(send, send_count, MPI_BYTE, piece.data(), counts.data(), displs.data(), MPI_BYTE, 0,
                          MPI_COMM_WORLD),
              "MPI_Gatherv");
      if (!everyone && rank_ != 0) continue;
      for (int r = 0; r < size_; ++r)
        std::copy_n(piece.begin() + displs[size_t(r)], counts[size_t(r)],
                    out.begin() + offset[size_t(r)] + done);
    }
    return out;
  }

  int rank_ = 0, size_ = 1;
};

}  // namespace

bool mpi_built() { return true; }

void abort_mpi_job_if_running(int code) {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  if (initialised && !finalised) MPI_Abort(MPI_COMM_WORLD, code);
}

std::unique_ptr<ShardComm> mpi_world_comm() {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    if (MPI_Init(nullptr, nullptr) != MPI_SUCCESS) throw std::runtime_error("MPI_Init failed");
    std::atexit([] {
      int finalised = 0;
      MPI_Finalized(&finalised);
      if (!finalised) MPI_Finalize();
    });
  }
  return std::make_unique<MpiWorldComm>();
}

}  // namespace fleetsim
