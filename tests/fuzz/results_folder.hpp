// A results folder the fuzz targets write their input into, once per input, as `fleetsim report`
// and `fleetsim compare` find it on disk: committed with its manifest.json by the writer `fleetsim
// run` uses (reports/results_folder), so that the readers get past the manifest check to the
// fuzzed bytes. One per process, under $TMPDIR (default /dev/shm), removed at exit.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "reports/results_folder.hpp"

namespace fleetsim::fuzz {

class ResultsFolder {
 public:
  explicit ResultsFolder(const std::string& name) {
    // The writer syncs every file to disk: in memory (/dev/shm, unless TMPDIR says otherwise) that
    // costs nothing, on ext4 it cut the target to 14 inputs/s.
    const char* tmp = std::getenv("TMPDIR");
    const std::filesystem::path base = tmp ? tmp : std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp";
    dir_ = base / ("fleetsim-fuzz-" + std::to_string(::getpid())) / name;
    std::filesystem::create_directories(dir_);
  }
  ~ResultsFolder() {
    std::error_code ec;
    std::filesystem::remove_all(dir_.parent_path(), ec);
  }
  // Replaces the folder's results by `files` (name, text) and their manifest; a file with an empty
  // text is left out (absent).
  void commit(const std::vector<std::pair<std::string, std::string>>& files) const {
    std::vector<std::pair<std::string, std::string>> present;
    for (const auto& file : files)
      if (!file.second.empty()) present.push_back(file);
    if (!fleetsim::commit_results(dir_.string(), present, fleetsim::RunState::Complete).empty())
      std::abort();  // the temp folder cannot be written: not a finding of the reader
  }
  std::string path() const { return dir_.string(); }

 private:
  std::filesystem::path dir_;
};

}  // namespace fleetsim::fuzz
