#include "sim/core/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace fleetsim {

namespace {

// Writes `content` to `path` (created or truncated); with `sync`, also to the disk. On failure
// removes it and returns the error.
std::string write_whole(const std::string& path, const std::string& content, bool sync) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return "cannot write " + path + ": " + std::strerror(errno);
  int error = 0;
  for (size_t done = 0; done < content.size() && !error;) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n > 0)
      done += size_t(n);
    else if (n < 0 && errno != EINTR)
      error = errno;
  }
  if (!error && sync && ::fsync(fd) != 0) error = errno;
  if (::close(fd) != 0 && !error) error = errno;
  if (error) {
    ::unlink(path.c_str());
    return "cannot write " + path + ": " + std::strerror(error);
  }
  return "";
}

std::string write_temp(const std::string& tmp, const std::string& content) { return write_whole(tmp, content, false); }

bool is_directory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// fsync of the folder, so that the renames in it reach the disk in order.
void sync_dir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files) {
  for (size_t i = 0; i < files.size(); ++i) {
    std::string err = write_temp(files[i].first + ".tmp", files[i].second);
    if (!err.empty()) {
      for (size_t j = 0; j < i; ++j) std::remove((files[j].first + ".tmp").c_str());
      return err;
    }
  }
  // A target that is a directory would fail its rename after others succeeded: check first.
  for (const auto& [path, content] : files) {
    if (is_directory(path)) {
      for (const auto& f : files) std::remove((f.first + ".tmp").c_str());
      return "cannot replace " + path + ": it is a directory";
    }
  }
  for (const auto& [path, content] : files) {
    const std::string tmp = path + ".tmp";
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
      int saved = errno;
      for (const auto& f : files) std::remove((f.first + ".tmp").c_str());
      return "cannot rename " + tmp + " to " + path + ": " + std::strerror(saved);
    }
  }
  return "";
}

std::string replace_file_set(const FileSet& set) {
  const std::string dir = set.dir.empty() ? "." : set.dir;
  auto path = [&](const std::string& name) { return dir + "/" + name; };
  std::vector<std::pair<std::string, std::string>> all = set.files;  // the commit file last
  all.push_back(set.commit);
  auto remove_temps = [&] {
    for (const auto& [name, content] : all) ::unlink(path(name + ".tmp").c_str());
  };
  // 1. Temp files of a writer killed before us.
  for (const std::string& name : set.obsolete) ::unlink(path(name + ".tmp").c_str());
  remove_temps();
  // 2. Every new file beside the old ones; the old set stays whole until all are written.
  for (const auto& [name, content] : all) {
    if (is_directory(path(name))) {
      remove_temps();
      return "cannot replace " + path(name) + ": it is a directory";
    }
    if (std::string err = write_whole(path(name + ".tmp"), content, true); !err.empty()) {
      remove_temps();
      return err;
    }
  }
  // 3. Withdraw the old commit point before the first old file is replaced.
  if (::unlink(path(set.commit.first).c_str()) != 0 && errno != ENOENT) {
    const int saved = errno;
    remove_temps();
    return "cannot remove " + path(set.commit.first) + ": " + std::strerror(saved);
  }
  sync_dir(dir);
  // 4. Files of the old set that the new one does not have.
  for (const std::string& name : set.obsolete) {
    const bool kept = std::any_of(all.begin(), all.end(), [&](const auto& f) { return f.first == name; });
    if (!kept) ::unlink(path(name).c_str());
  }
  // 5. Into place, the commit point last.
  for (const auto& [name, content] : all) {
    if (std::rename(path(name + ".tmp").c_str(), path(name).c_str()) != 0) {
      const int saved = errno;
      remove_temps();
      return "cannot rename " + path(name + ".tmp") + " to " + path(name) + ": " + std::strerror(saved);
    }
  }
  sync_dir(dir);
  return "";
}

}  // namespace fleetsim
