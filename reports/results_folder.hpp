// A run's output folder as one unit (README "Outputs"). manifest.json, written last, is the
// commit point: it lists every file of the run with its size and SHA-256, the run's id and its
// state (complete, or interrupted by a signal). A writer withdraws the previous manifest before it
// replaces the first file (sim/core/atomic_file.hpp, replace_file_set), so a folder holds either
// complete results with their manifest, or no manifest. Every reader (report, compare, sweep resume,
// suite) goes through read_results_folder, which refuses a folder without a manifest, a file the
// manifest lists that is missing, a directory, or has another size or SHA-256 (a mix of two runs),
// and hands out only the bytes it verified. *.tmp files are never read.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

inline constexpr const char* kManifestFile = "manifest.json";

enum class RunState { Complete, Interrupted };

struct ResultFile {
  std::string name;
  std::uint64_t bytes = 0;
  std::string sha256;  // 64 hex digits
};

// Replaces the results in `dir` by `files` (name, content) as one unit, `kept` being files of the
// current results that stay as they are (`fleetsim report` keeps the data and rewrites the reports,
// under the same `run_id`: it is still that run; "" draws a new id).
// Files of any previous run that are in neither are removed, and so are the *.tmp files a killed
// writer left. Returns an error message, or "" on success (then the old results are untouched when
// the error came before the commit: a full disk, a file size limit).
std::string commit_results(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files,
                           RunState state, const std::vector<ResultFile>& kept = {},
                           const std::string& run_id = "");

struct ResultsFolder {
  std::string dir;
  std::string run_id;
  RunState state = RunState::Complete;
  std::vector<ResultFile> files;             // as manifest.json lists them
  std::map<std::string, std::string> texts;  // verified contents of the files asked for

  bool lists(const std::string& name) const;
  // The verified text of a file asked for and listed; "" otherwise.
  const std::string& text(const std::string& name) const;
};

struct ResultsFolderRead {
  std::optional<ResultsFolder> folder;
  std::string error;  // names the folder or file, what is missing or mismatched, and the fix
};

// Reads `dir`'s manifest and verifies every file it lists, keeping the texts of `wanted` (those
// listed). Listed files named in `may_be_absent` may be missing (fleetsim report regenerates
// the reports), but when present must match too.
ResultsFolderRead read_results_folder(const std::string& dir, const std::vector<std::string>& wanted,
                                      const std::vector<std::string>& may_be_absent = {});

}  // namespace fleetsim
