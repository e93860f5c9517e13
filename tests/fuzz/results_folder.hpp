// A results folder the fuzz targets write their input into, once per input, as `fleetsim report`
// and `fleetsim compare` find it on disk. One per process, under $TMPDIR, removed at exit.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace fleetsim::fuzz {

class ResultsFolder {
 public:
  explicit ResultsFolder(const std::string& name) {
    const char* tmp = std::getenv("TMPDIR");
    dir_ = std::filesystem::path(tmp ? tmp : "/tmp") / ("fleetsim-fuzz-" + std::to_string(::getpid())) / name;
    std::filesystem::create_directories(dir_);
  }
  ~ResultsFolder() {
    std::error_code ec;
    std::filesystem::remove_all(dir_.parent_path(), ec);
  }
  // Writes `text` as the folder's file `name`; an empty text means the file is absent.
  void put(const std::string& name, const std::string& text) const {
    std::error_code ec;
    std::filesystem::remove(dir_ / name, ec);
    if (text.empty()) return;
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  std::string path() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace fleetsim::fuzz
