// A pseudo-terminal pair as the emulator's ttys use it: the manager side to read and write, the
// subsidiary side held open in raw mode (no echo of our own output, no newline translation, no
// EIO on the manager when a client closes), and the path clients open, e.g. "/dev/pts/3".
#pragma once

#include <string>
#include <string_view>

namespace fleetsim::hil {

class PtyPair {
 public:
  // Throws std::runtime_error naming the step that failed.
  PtyPair();
  ~PtyPair();
  PtyPair(const PtyPair&) = delete;
  PtyPair& operator=(const PtyPair&) = delete;

  int manager() const { return manager_; }
  const std::string& path() const { return path_; }

  // Writes `text` to the manager side, giving up on what a reader has not taken within 1 s (a
  // console nobody reads must not stall the board).
  void write_text(std::string_view text) const;

 private:
  int manager_ = -1;
  int subsidiary_ = -1;
  std::string path_;
};

// The lines a Zephyr application prints when it boots: the kernel banner, then the running
// version, as fleetsim-board prints them after every reset (README "The board emulator").
std::string zephyr_boot_banner(const std::string& running_version);

}  // namespace fleetsim::hil
