// Board reservation (labgrid's place locks, README "Sharing a bench"): a run, and every
// `fleetsim hil …` command, holds an exclusive lock on each of its boards for as long as it
// runs, so two CI jobs never drive one board at once. One lock file per board identity key
// (board_identity.hpp) in a lock directory; the lock is an open-file-description lock
// (fcntl F_OFD_SETLK), which the kernel drops when the holder exits however it ends — a crashed
// run never leaves a stale reservation. The holder writes who it is into the file (host, pid,
// command, since when), for the message a waiting run prints. On a shared filesystem (NFS with
// lockd) fcntl locks reach the server, so runner hosts that mount one lock directory share a
// board farm.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "hil/board/board_inventory.hpp"

namespace fleetsim::hil {

// The lock directory when neither --board-lock-dir nor boards.json's "lock_dir" names one:
// /var/lock/fleetsim (/var/lock is the system's directory for such locks, shared by all users
// of the host and emptied at boot).
inline constexpr const char* kDefaultBoardLockDir = "/var/lock/fleetsim";

struct BoardLockOptions {
  std::string dir;                    // "": kDefaultBoardLockDir
  std::chrono::milliseconds wait{0};  // how long to wait for a busy board (0: fail at once)
  std::string command;                // what this process is, for a waiting run's message
};

// The locks held; released by the destructor (or when the process ends).
class BoardReservation {
 public:
  BoardReservation() = default;
  ~BoardReservation();
  BoardReservation(BoardReservation&& other) noexcept;
  BoardReservation& operator=(BoardReservation&& other) noexcept;
  BoardReservation(const BoardReservation&) = delete;
  BoardReservation& operator=(const BoardReservation&) = delete;

 private:
  friend struct BoardReserve reserve_boards(const std::vector<BoardSpec>& boards, const struct BoardLockOptions& options);
  std::vector<int> fds_;
};

struct BoardReserve {
  enum class Status { Reserved, Busy, Failed };
  Status status = Status::Failed;
  BoardReservation reservation;  // Reserved: the locks
  // Busy: "board b0 (udp://127.0.0.1:1337) busy, held by HOST pid 1234 `fleetsim run a.json`
  // since 2026-…Z (waited 0 s)"; Failed: why the lock directory or a lock file cannot be used.
  std::string message;
};

// Locks every board (all keys of each, in one sorted order, so two runs that want overlapping
// boards cannot deadlock), retrying every 50 ms until options.wait has passed.
BoardReserve reserve_boards(const std::vector<BoardSpec>& boards, const BoardLockOptions& options);

// The command line of this process, for BoardLockOptions::command.
std::string command_line(int argc, char** argv);

}  // namespace fleetsim::hil
