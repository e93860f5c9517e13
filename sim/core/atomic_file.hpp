// Writes whole files or nothing: the content goes to FILE.tmp, then is renamed over FILE, so a
// crash or a full disk never leaves a half-written result next to good ones.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace fleetsim {

// A set of files that belong together (one run's results): every temp file is written first,
// and only when all succeeded are they renamed into place; on any failure the temp files are
// removed and none of the targets is touched. Returns an error message, or "" on success.
std::string write_files_atomically(const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace fleetsim
