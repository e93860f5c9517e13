// The Mender device API (hil/mender) as the update service of a mender agent board. The board's
// mender-client identifies itself with fleetsim_board=ID (hil/mender/mender-sandbox's identity
// script; a real board's /usr/share/mender/identity/mender-device-identity prints the same).
#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "hil/mender/mender_device_api.hpp"
#include "sim/cli/agent_update_service.hpp"

namespace fleetsim::hil {

namespace {

using mender::DeploymentStatus;

constexpr auto kLogWait = std::chrono::seconds(5);

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The artifact's name and compatible device types, as the real mender-artifact reads them
// ("  Name: release-2", "  Compatible devices: '[a b]'").
mender::MenderArtifact read_artifact(const std::filesystem::path& file) {
  mender::MenderArtifact artifact{file, "", {}};
  FILE* pipe = ::popen(("mender-artifact read " + shell_quote(file.string()) + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run mender-artifact to read " + file.string());
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  const int status = ::pclose(pipe);
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("  Name: ")) artifact.artifact_name = line.substr(8);
    if (line.starts_with("  Compatible devices: '[")) {
      std::istringstream types(line.substr(24, line.rfind("]'") - 24));
      for (std::string t; types >> t;) artifact.device_types.push_back(t);
    }
  }
  if (status != 0 || artifact.artifact_name.empty() || artifact.device_types.empty())
    throw std::invalid_argument("IMAGE " + file.string() +
                                " is not a Mender artifact (mender-artifact read finds no name and device types; "
                                "is mender-artifact installed?)");
  return artifact;
}

class MenderUpdateService : public AgentUpdateService {
 public:
  MenderUpdateService(const BoardSpec& board, const AgentCommandOptions& options) : board_(board) {
    mender::MenderApiOptions api_options;
    api_options.listen = options.listen;
    api_options.tenant_token = board.token;
    api_ = std::make_unique<mender::MenderDeviceApi>(api_options);
    api_->admit(board.id, {{"fleetsim_board", board.id}});
    // The time of each status's first report, for the timings line.
    api_->on_status_report([this](const std::string&, const std::string&, const std::string& status) {
      std::lock_guard lock(mutex_);
      reported_at_.emplace(status, AgentClock::now());
    });
  }

  ~MenderUpdateService() override { api_->on_status_report({}); }

  std::string serving() const override { return "the Mender device API at " + api_->url(); }

  std::string offer(const std::filesystem::path& image) override {
    deployment_ = api_->deploy(board_.id, read_artifact(image));
    return deployment_;
  }

  bool wait_until(const std::function<bool(const AgentUpdateProgress&)>& done, std::chrono::milliseconds timeout) override {
    const auto deadline = AgentClock::now() + timeout;
    for (;;) {
      if (done(progress())) return true;
      if (AgentClock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the API has no change notification
    }
  }

  AgentUpdateProgress progress() const override {
    AgentUpdateProgress p;
    std::lock_guard lock(mutex_);
    // A poll is a `deployments/next`: the board is authenticated and asks for work.
    if (!first_poll_at_ && !api_->provides(board_.id).is_null()) first_poll_at_ = AgentClock::now();
    p.first_poll_at = first_poll_at_;
    if (const nlohmann::json inventory = api_->inventory(board_.id); !inventory.is_null()) p.attributes = inventory.dump();
    p.transcript = api_->transcript(board_.id);
    const auto view = deployment_.empty() ? std::nullopt : api_->deployment(deployment_);
    if (!view) return p;
    // mender-client 3.4 uploads its deployment log after reporting failure: the flow waits for
    // it (at most kLogWait) so the client's errors can be shown.
    p.finished = mender::is_finished(view->status);
    if (view->status == DeploymentStatus::failure && view->log_messages.empty()) {
      if (!failure_seen_at_) failure_seen_at_ = AgentClock::now();
      p.finished = AgentClock::now() - *failure_seen_at_ >= kLogWait;
    }
    p.succeeded = view->status == DeploymentStatus::success;
    p.rebooted = std::find(view->reported.begin(), view->reported.end(), "rebooting") != view->reported.end();
    p.state = std::string(mender::to_string(view->status)) + "; reported: ";
    for (const auto& r : view->reported) p.state += r + " ";
    p.last_detail = std::string(mender::to_string(view->status));
    // The client's deployment log ({"timestamp", "level", "message"}): its errors, warnings and
    // what update modules wrote to stderr (logged at "info") say why; the last few are shown.
    constexpr std::size_t kShown = 8;
    for (const auto& m : view->log_messages) {
      if (!m.is_object()) continue;
      const std::string level = m.value("level", ""), message = m.value("message", "");
      if (level == "error") p.last_detail = message;
      if (level == "error" || level == "warning" || message.starts_with("Output (stderr)"))
        p.errors.push_back(level + ": " + message);
    }
    if (p.errors.size() > kShown) p.errors.erase(p.errors.begin(), p.errors.end() - kShown);
    const auto at = [&](const std::string& s) -> std::optional<AgentClock::time_point> {
      const auto it = reported_at_.find(s);
      return it == reported_at_.end() ? std::nullopt : std::optional(it->second);
    };
    p.milestones = {{"downloading", at("downloading")}, {"installing", at("installing")}};
    if (p.rebooted) p.milestones.emplace_back("rebooting", at("rebooting"));
    p.milestones.emplace_back(p.finished ? std::string(mender::to_string(view->status)) : "final status",
                              at(std::string(mender::to_string(view->status))));
    return p;
  }

  std::string no_poll_reason() const override {
    const std::string refused = api_->unknown_transcript() + api_->transcript(board_.id);
    const auto count = [&](const std::string& what) {
      int n = 0;
      for (std::size_t at = refused.find(what); at != std::string::npos; at = refused.find(what, at + 1)) ++n;
      return n;
    };
    if (const int n = count("→ 401"); n > 0)
      return std::to_string(n) + " request(s) refused with 401 (first: " +
             refused.substr(refused.find("→ 401"), refused.find('\n', refused.find("→ 401")) - refused.find("→ 401")) +
             "): the client's identity must print fleetsim_board=" + board_.id +
             (board_.token.empty() ? "" : " and its TenantToken be the board's \"token\" in boards.json");
    return "no request from " + board_.id + " at " + api_->url() + " (check ServerURL in the client's mender.conf, " +
           "and that its identity script prints fleetsim_board=" + board_.id + ")";
  }

 private:
  BoardSpec board_;
  std::unique_ptr<mender::MenderDeviceApi> api_;
  std::string deployment_;
  mutable std::mutex mutex_;
  mutable std::optional<AgentClock::time_point> first_poll_at_, failure_seen_at_;
  std::map<std::string, AgentClock::time_point> reported_at_;
};

}  // namespace

std::unique_ptr<AgentUpdateService> make_mender_update_service(const BoardSpec& board, const AgentCommandOptions& options) {
  return std::make_unique<MenderUpdateService>(board, options);
}

}  // namespace fleetsim::hil
