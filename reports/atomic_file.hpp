// Writes a whole file or nothing: the content goes to FILE.tmp, then is renamed over FILE, so a
// crash or a full disk never leaves a half-written result next to good ones.
#pragma once

#include <string>

namespace fleetsim {

// Returns an error message, or "" on success.
std::string write_file_atomically(const std::string& path, const std::string& content);

}  // namespace fleetsim
