#include "sim/core/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <sys/stat.h>

namespace fleetsim {

namespace {
std::string write_temp(const std::string& tmp, const std::string& content) {
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) return "cannot write " + tmp + ": " + std::strerror(errno);
  bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  ok = (std::fflush(f) == 0) && ok;
  int saved = errno;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    return "cannot write " + tmp + ": " + std::strerror(saved ? saved : errno);
  }
  return "";
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
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
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

}  // namespace fleetsim
