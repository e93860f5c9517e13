// Writes whole files or nothing: the content goes to FILE.tmp, then is renamed over FILE, so a
// crash or a full disk never leaves a half-written result next to good ones.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

// A set of files that belong together: every temp file is written first, and only when all
// succeeded are they renamed into place; on a write failure the temp files are removed and none of
// the targets is touched. Returns an error message, or "" on success.
std::string write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files);

// Replaces the file set of folder `dir` with one commit point, the file `commit` written last
// (reports/results_folder.hpp: a run's manifest.json). In order:
//  1. removes the NAME.tmp left by a killed writer, for every name of `files`, `obsolete` and `commit`;
//  2. writes every file and the commit file to NAME.tmp and syncs them; on any failure (a full
//     disk, a file size limit) removes them and returns the error with the folder untouched;
//  3. removes `commit` (from here until step 5 a reader finds no commit file: the set is incomplete);
//  4. removes the `obsolete` names that are not in `files` (files of the previous set);
//  5. renames every NAME.tmp into place, the commit file last, and syncs the folder.
// A process killed at any point leaves either the previous set with its commit file, or a folder
// without one. Returns an error message, or "" on success.
struct FileSet {
  std::string dir;
  std::vector<std::pair<std::string, std::string>> files;  // name in dir, content
  std::pair<std::string, std::string> commit;              // name in dir, content
  std::vector<std::string> obsolete;                       // names of files the previous set may hold
};
std::string replace_file_set(const FileSet& set);

}  // namespace fleetsim
