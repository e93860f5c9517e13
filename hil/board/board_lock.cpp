#include "hil/board/board_lock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <map>
#include <thread>

#include "hil/board/board_identity.hpp"

namespace fleetsim::hil {

namespace {

using Clock = std::chrono::steady_clock;

// A key as a file name: letters, digits, '.', '-' kept, everything else '_'.
std::string file_name_of(const std::string& key) {
  std::string out;
  for (char c : key) out += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return out + ".lock";
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

bool try_lock(int fd) {
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  return fcntl(fd, F_OFD_SETLK, &fl) == 0;
}

std::string holder_of(int fd) {
  char buf[1024];
  const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  std::string text = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "another process (it has not written its name yet)" : text;
}

}  // namespace

BoardReservation::~BoardReservation() {
  for (int fd : fds_) close(fd);  // closing the description releases its OFD lock
}

BoardReservation::BoardReservation(BoardReservation&& other) noexcept : fds_(std::move(other.fds_)) {
  other.fds_.clear();
}

BoardReservation& BoardReservation::operator=(BoardReservation&& other) noexcept {
  if (this != &other) {
    for (int fd : fds_) close(fd);
    fds_ = std::move(other.fds_);
    other.fds_.clear();
  }
  return *this;
}

BoardReserve reserve_boards(const std::vector<BoardSpec>& boards, const BoardLockOptions& options) {
  BoardReserve out;
  // Every key once, with the first board that has it (for the message); std::map: sorted.
  std::map<std::string, const BoardSpec*> keys;
  for (const BoardSpec& b : boards)
    for (const std::string& k : board_identity(b.uri).keys) keys.emplace(k, &b);

  const std::string dir = options.dir.empty() ? kDefaultBoardLockDir : options.dir;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    // Other users of the host share the directory: sticky and world-writable, like /tmp.
    if (!ec) chmod(dir.c_str(), 01777);
  }
  if (ec) {
    out.message = "cannot create the board lock directory " + dir + ": " + ec.message() +
                  " (expected a writable directory: --board-lock-dir DIR or \"lock_dir\" in boards.json)";
    return out;
  }
  const std::string me = host_name() + " pid " + std::to_string(getpid()) + " `" + options.command + "` since ";
  const auto deadline = Clock::now() + options.wait;
  BoardReservation held;
  for (const auto& [key, board] : keys) {
    const std::string path = dir + "/" + file_name_of(key);
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
      out.message = "cannot open board lock file " + path + ": " + std::strerror(errno) +
                    " (expected a writable directory: --board-lock-dir DIR or \"lock_dir\" in boards.json)";
      return out;
    }
    fchmod(fd, 0666);  // whoever created it, the other users of the host must be able to lock it
    held.fds_.push_back(fd);
    while (!try_lock(fd)) {
      if (errno != EAGAIN && errno != EACCES) {
        out.message = "cannot lock " + path + ": " + std::strerror(errno);
        return out;
      }
      if (Clock::now() >= deadline) {
        const double waited = std::chrono::duration<double>(options.wait).count();
        char secs[32];
        std::snprintf(secs, sizeof secs, "%g", waited);
        out.status = BoardReserve::Status::Busy;
        const std::string named = board->id == board->uri_text ? board->id : board->id + " (" + board->uri_text + ")";
        out.message = "board " + named + " busy, held by " + holder_of(fd) +
                      " (waited " + secs + " s; --board-wait SECONDS waits longer)";
        return out;  // `held` releases what was already locked
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    const std::string who = me + utc_now() + "\n";
    if (ftruncate(fd, 0) != 0 || pwrite(fd, who.data(), who.size(), 0) != static_cast<ssize_t>(who.size())) {
      // The lock holds without the note; a waiting run just cannot say who holds it.
    }
  }
  out.status = BoardReserve::Status::Reserved;
  out.reservation = std::move(held);
  return out;
}

std::string command_line(int argc, char** argv) {
  std::string out;
  for (int i = 0; i < argc; ++i) out += (i ? " " : "") + std::string(argv[i]);
  return out;
}

}  // namespace fleetsim::hil
