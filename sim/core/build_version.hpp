// What build of fleetsim this is: the semantic version (CMakeLists.txt, project(VERSION)) and the
// git revision of the sources, "unknown" outside a git checkout. Both come from one small generated
// file (sim/core/build_version.cmake), so a new commit recompiles that file only.
#pragma once

#include <string>

namespace fleetsim {

// "0.1.0"
const char* build_version();
// `git describe --always --dirty --abbrev=12` of the source tree when built, e.g. "3984aa9c1f2e" or
// "3984aa9c1f2e-dirty"; "unknown" when the sources were not a git checkout (or git is absent).
const char* build_revision();
// "PROGRAM 0.1.0 (git 3984aa9c1f2e)": what --version prints.
std::string version_line(const std::string& program);

}  // namespace fleetsim
