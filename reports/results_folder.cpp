#include "reports/results_folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <random>

#include "reports/run_outputs.hpp"
#include "sim/core/atomic_file.hpp"
#include "sim/core/build_version.hpp"
#include "sim/core/sha256.hpp"

namespace fleetsim {

namespace {

using Json = nlohmann::ordered_json;

constexpr int kManifestFormat = 1;
const char* const kRerun = "run the scenario again to rewrite the folder";

const char* state_name(RunState s) { return s == RunState::Complete ? "complete" : "interrupted"; }

// 128 random bits: tells two runs into one folder apart (point.json of a sweep records it).
std::string new_run_id() {
  std::random_device rd;
  char buf[33];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

// The whole file, or an error saying why not (missing: ENOENT in `errno_out`).
std::string read_whole(const std::string& path, std::string& out, int& errno_out) {
  errno_out = 0;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    errno_out = errno;
    return errno == ENOENT ? "missing" : std::string("cannot read it: ") + std::strerror(errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return S_ISDIR(st.st_mode) ? "is a directory, not a file" : "is not a regular file";
  }
  out.clear();
  out.reserve(size_t(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int saved = errno;
      ::close(fd);
      return std::string("cannot read it: ") + std::strerror(saved);
    }
    out.append(buf, size_t(n));
  }
  ::close(fd);
  return "";
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Reads manifest.json's list; "" or what is wrong with it.
std::string parse_manifest(const std::string& text, ResultsFolder& f) {
  const Json doc = Json::parse(text, nullptr, false);
  if (doc.is_discarded()) return "not JSON";
  const auto format = doc.is_object() ? doc.find("fleetsim_results") : doc.end();
  if (!doc.is_object() || format == doc.end() || !format->is_number_integer())
    return "not a fleetsim results manifest (expected \"fleetsim_results\": " + std::to_string(kManifestFormat) + ")";
  if (*format != kManifestFormat) {
    // Another fleetsim's results: name it, so the fix (rerun with this one, or read with that one) is clear.
    const auto by = doc.find("written_by");
    return "results format " + format->dump() + ", written by " +
           (by != doc.end() && by->is_string() ? by->get<std::string>() : std::string("another fleetsim version")) +
           "; " + version_line("this fleetsim") + " reads format " + std::to_string(kManifestFormat) +
           " (run the scenario again with this fleetsim, or read the folder with the fleetsim that wrote it)";
  }
  const auto state = doc.find("state");
  const auto id = doc.find("run_id");
  const auto files = doc.find("files");
  if (state == doc.end() || !state->is_string() || id == doc.end() || !id->is_string() || files == doc.end() ||
      !files->is_array())
    return "\"state\", \"run_id\" or \"files\" missing or of the wrong type";
  if (*state == "complete")
    f.state = RunState::Complete;
  else if (*state == "interrupted")
    f.state = RunState::Interrupted;
  else
    return "unknown state " + state->dump() + " (expected \"complete\" or \"interrupted\")";
  f.run_id = id->get<std::string>();
  for (const Json& entry : *files) {
    if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("bytes") ||
        !entry["bytes"].is_number_unsigned() || !entry.contains("sha256") || !entry["sha256"].is_string())
      return "a \"files\" entry is not {\"name\", \"bytes\", \"sha256\"}";
    const std::string name = entry["name"].get<std::string>();
    // Only plain names of this folder: a manifest must not make a reader open other paths.
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..")
      return "file name \"" + name + "\" is not a name in the folder";
    f.files.push_back({name, entry["bytes"].get<std::uint64_t>(), entry["sha256"].get<std::string>()});
  }
  return "";
}

}  // namespace

bool ResultsFolder::lists(const std::string& name) const {
  return std::any_of(files.begin(), files.end(), [&](const ResultFile& f) { return f.name == name; });
}

const std::string& ResultsFolder::text(const std::string& name) const {
  static const std::string none;
  const auto it = texts.find(name);
  return it == texts.end() ? none : it->second;
}

std::string commit_results(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files,
                           RunState state, const std::vector<ResultFile>& kept, const std::string& run_id) {
  Json list = Json::array();
  for (const ResultFile& k : kept) list.push_back({{"name", k.name}, {"bytes", k.bytes}, {"sha256", k.sha256}});
  for (const auto& [name, content] : files)
    list.push_back({{"name", name}, {"bytes", content.size()}, {"sha256", sha256_hex(content)}});
  const Json manifest = {{"fleetsim_results", kManifestFormat},
                         {"written_by", version_line("fleetsim")},
                         {"run_id", run_id.empty() ? new_run_id() : run_id},
                         {"state", state_name(state)},
                         {"files", list}};
  FileSet set;
  set.dir = dir;
  set.files = files;
  set.commit = {kManifestFile, manifest.dump(2) + "\n"};
  for (const std::string& name : run_output_names()) {
    const bool keep = std::any_of(kept.begin(), kept.end(), [&](const ResultFile& k) { return k.name == name; });
    if (!keep) set.obsolete.push_back(name);
  }
  return replace_file_set(set);
}

ResultsFolderRead read_results_folder(const std::string& dir, const std::vector<std::string>& wanted,
                                      const std::vector<std::string>& may_be_absent) {
  ResultsFolderRead r;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    r.error = dir + ": not a folder (expected the output folder of `fleetsim run`)";
    return r;
  }
  ResultsFolder f;
  f.dir = dir;
  const std::string manifest_path = dir + "/" + kManifestFile;
  std::string text;
  int err = 0;
  if (std::string why = read_whole(manifest_path, text, err); !why.empty()) {
    if (err != ENOENT) {
      r.error = manifest_path + ": " + why + "; " + kRerun;
      return r;
    }
    bool any = false;
    for (const std::string& name : run_output_names()) any = any || ::access((dir + "/" + name).c_str(), F_OK) == 0;
    r.error = any ? dir + ": incomplete results: no " + kManifestFile +
                        " (the run writing them was killed or failed before it finished, or they are from a "
                        "fleetsim without manifests); " + kRerun
                  : dir + ": no results (no " + kManifestFile +
                        " or summary.json; expected the output folder of `fleetsim run`)";
    return r;
  }
  if (std::string why = parse_manifest(text, f); !why.empty()) {
    r.error = manifest_path + ": " + why + "; " + kRerun;
    return r;
  }
  for (const ResultFile& listed : f.files) {
    const std::string path = dir + "/" + listed.name;
    std::string content;
    if (std::string why = read_whole(path, content, err); !why.empty()) {
      if (err == ENOENT && contains(may_be_absent, listed.name)) continue;
      r.error = path + ": " + why + " (" + kManifestFile + " lists it: the results are incomplete); " + kRerun;
      return r;
    }
    if (content.size() != listed.bytes || sha256_hex(content) != listed.sha256) {
      r.error = path + ": " +
                (content.size() != listed.bytes
                     ? std::to_string(content.size()) + " bytes where " + kManifestFile + " lists " +
                           std::to_string(listed.bytes)
                     : std::string("its SHA-256 differs from the one ") + kManifestFile + " lists") +
                " (the folder mixes files of different runs, or the file was changed after the run); " + kRerun;
      return r;
    }
    if (contains(wanted, listed.name)) f.texts[listed.name] = std::move(content);
  }
  r.folder = std::move(f);
  return r;
}

}  // namespace fleetsim
