#include "hil/agent/ddi_server.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "hil/agent/http_server.hpp"

namespace fleetsim::hil {

const char* ddi_handling_name(DdiHandling h) {
  switch (h) {
    case DdiHandling::kForced: return "forced";
    case DdiHandling::kAttempt: return "attempt";
    case DdiHandling::kSkip: return "skip";
  }
  return "?";
}

const char* ddi_phase_name(DdiPhase p) {
  switch (p) {
    case DdiPhase::kIdle: return "idle";
    case DdiPhase::kOffered: return "offered";
    case DdiPhase::kDownloading: return "downloading";
    case DdiPhase::kSucceeded: return "succeeded";
    case DdiPhase::kFailed: return "failed";
    case DdiPhase::kCancelling: return "cancelling";
    case DdiPhase::kCanceled: return "canceled";
  }
  return "?";
}

namespace {

constexpr std::size_t kTranscriptBodyChars = 400;  // longer bodies are cut in the transcript

bool open_phase(DdiPhase p) {
  return p == DdiPhase::kOffered || p == DdiPhase::kDownloading || p == DdiPhase::kCancelling;
}

std::string hh_mm_ss(std::chrono::seconds s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(s.count() / 3600),
                static_cast<long long>(s.count() / 60 % 60), static_cast<long long>(s.count() % 60));
  return buf;
}

std::string cut(const std::string& text) {
  std::string one_line;
  for (char c : text) one_line += (c == '\n' || c == '\r') ? ' ' : c;
  if (one_line.size() <= kTranscriptBodyChars) return one_line;
  return one_line.substr(0, kTranscriptBodyChars) + "… (" + std::to_string(text.size()) + " bytes)";
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(path);
  while (std::getline(in, part, '/'))
    if (!part.empty()) parts.push_back(part);
  return parts;
}

struct Artifact {
  std::filesystem::path file;
  std::string filename;
  ArtifactDigests digests;
};

struct Controller {
  std::string id;
  std::string token;
  DdiControllerStatus status;
  DdiDeployment deployment;
  std::vector<Artifact> artifacts;
  std::string cancel_id;  // the cancelAction id while cancelling
  DdiPhase phase_before_cancel = DdiPhase::kIdle;
  std::optional<DdiClock::time_point> transcript_start;

  void log(const std::string& line) {
    const auto now = DdiClock::now();
    if (!transcript_start) transcript_start = now;
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "+%.3f s ", std::chrono::duration<double>(now - *transcript_start).count());
    status.transcript += stamp + line + "\n";
  }
};

}  // namespace

struct DdiServer::Impl {
  DdiServerOptions options;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::map<std::string, Controller> controllers;
  std::uint64_t next_id = 1;  // action and cancel ids, unique per server
  std::unique_ptr<HttpServer> http;

  std::string controller_url(const std::string& id) const {
    return http->base_url() + "/" + options.tenant + "/controller/v1/" + id;
  }

  bool authorized(const Controller& c, const std::string& authorization) const {
    if (!c.token.empty() && authorization == "TargetToken " + c.token) return true;
    if (!options.gateway_token.empty() && authorization == "GatewayToken " + options.gateway_token) return true;
    return c.token.empty() && options.gateway_token.empty();  // no token configured (loopback only)
  }

  HttpResponse handle(const HttpRequest& request) {
    const std::vector<std::string> parts = split_path(request.path);
    // /{tenant}/controller/v1/{controller}/...
    if (parts.size() < 4 || parts[1] != "controller" || parts[2] != "v1")
      return HttpResponse::error(404, "not a DDI v1 controller resource: " + request.path);
    if (parts[0] != options.tenant) return HttpResponse::error(404, "unknown tenant \"" + parts[0] + "\"");
    std::lock_guard lock(mutex);
    const auto it = controllers.find(parts[3]);
    if (it == controllers.end()) return HttpResponse::error(404, "unknown controller \"" + parts[3] + "\"");
    Controller& c = it->second;
    const std::vector<std::string> rest(parts.begin() + 4, parts.end());
    std::string line = "> " + request.method + " " + request.path + (request.query.empty() ? "" : "?" + request.query);
    if (const std::string range = request.header("range"); !range.empty()) line += " [Range: " + range + "]";
    if (!request.body.empty()) line += " " + cut(request.body);
    c.log(line);
    HttpResponse response;
    if (!authorized(c, request.header("authorization"))) {
      ++c.status.unauthorized;
      response = HttpResponse::error(401, "missing or wrong TargetToken/GatewayToken");
    } else {
      response = route(c, request, rest);
    }
    if (response.file.empty()) {
      c.log("< " + std::to_string(response.status) + " " + cut(response.body));
    } else {  // the status civetweb chose (200, 206, 404) is known once the file went out
      response.on_sent = [this, id = c.id, name = response.file.filename().string()](int status) {
        std::lock_guard sent_lock(mutex);
        controllers.at(id).log("< " + std::to_string(status) + " <file " + name + ">");
        changed.notify_all();
      };
    }
    changed.notify_all();
    return response;
  }

  HttpResponse route(Controller& c, const HttpRequest& request, const std::vector<std::string>& rest) {
    const std::string& m = request.method;
    if (rest.empty()) return m == "GET" ? poll(c) : not_allowed(m);
    if (rest[0] == "configData" && rest.size() == 1) return m == "PUT" ? config_data(c, request.body) : not_allowed(m);
    if (rest[0] == "deploymentBase" && rest.size() == 2) return m == "GET" ? deployment_base(c, rest[1]) : not_allowed(m);
    if (rest[0] == "installedBase" && rest.size() == 2) return m == "GET" ? deployment_base(c, rest[1]) : not_allowed(m);
    if (rest[0] == "deploymentBase" && rest.size() == 3 && rest[2] == "feedback")
      return m == "POST" ? action_feedback(c, rest[1], request.body) : not_allowed(m);
    if (rest[0] == "cancelAction" && rest.size() == 2) return m == "GET" ? cancel_action(c, rest[1]) : not_allowed(m);
    if (rest[0] == "cancelAction" && rest.size() == 3 && rest[2] == "feedback")
      return m == "POST" ? cancel_feedback(c, rest[1], request.body) : not_allowed(m);
    if (rest[0] == "softwaremodules" && rest.size() == 4 && rest[2] == "artifacts")
      return (m == "GET" || m == "HEAD") ? artifact(c, rest[1], rest[3], request) : not_allowed(m);
    return HttpResponse::error(404, "no DDI resource " + request.path);
  }

  static HttpResponse not_allowed(const std::string& method) {
    return HttpResponse::error(405, "method " + method + " not allowed here");
  }

  HttpResponse poll(Controller& c) {
    DdiControllerStatus& s = c.status;
    ++s.polls;
    s.last_poll_at = DdiClock::now();
    nlohmann::json links = nlohmann::json::object();
    const std::string url = controller_url(c.id);
    if (s.phase == DdiPhase::kCancelling) {
      links["cancelAction"] = {{"href", url + "/cancelAction/" + c.cancel_id}};
    } else if (s.phase == DdiPhase::kOffered || s.phase == DdiPhase::kDownloading) {
      // hawkBit appends a hash of the action's state as ?c=, so a client can tell a changed action.
      links["deploymentBase"] = {{"href", url + "/deploymentBase/" + s.action_id + "?c=" + s.action_id}};
      if (!s.link_polled_at) s.link_polled_at = DdiClock::now();
    }
    if (s.config_data.is_null()) links["configData"] = {{"href", url + "/configData"}};
    nlohmann::json body = {{"config", {{"polling", {{"sleep", hh_mm_ss(options.polling_sleep)}}}}}, {"_links", links}};
    return HttpResponse::json(200, body.dump());
  }

  HttpResponse config_data(Controller& c, const std::string& body) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("data") || !json["data"].is_object())
      return HttpResponse::error(400, "configData: expected {\"mode\": …, \"data\": {…}}");
    c.status.config_data = json["data"];
    return HttpResponse::json(200, "");
  }

  HttpResponse deployment_base(Controller& c, const std::string& action) {
    DdiControllerStatus& s = c.status;
    if (action != s.action_id) return HttpResponse::error(404, "no action " + action + " for this controller");
    ++s.deployment_fetches;
    if (!s.deployment_fetched_at) s.deployment_fetched_at = DdiClock::now();
    const std::string url = controller_url(c.id);
    nlohmann::json artifacts = nlohmann::json::array();
    for (const Artifact& a : c.artifacts) {
      const std::string href = url + "/softwaremodules/" + s.action_id + "/artifacts/" + a.filename;
      artifacts.push_back({{"filename", a.filename},
                           {"size", a.digests.size},
                           {"hashes", {{"sha1", a.digests.sha1}, {"md5", a.digests.md5}, {"sha256", a.digests.sha256}}},
                           {"_links", {{"download-http", {{"href", href}}}, {"md5sum-http", {{"href", href + ".MD5SUM"}}}}}});
    }
    const DdiDeployment& d = c.deployment;
    nlohmann::json deployment = {{"download", ddi_handling_name(d.download)},
                                 {"update", ddi_handling_name(d.update)},
                                 {"chunks", nlohmann::json::array({{{"part", d.chunk_part},
                                                                    {"version", d.chunk_version},
                                                                    {"name", d.chunk_name},
                                                                    {"artifacts", artifacts}}})}};
    if (d.maintenance_window != DdiMaintenanceWindow::kNone)
      deployment["maintenanceWindow"] = d.maintenance_window == DdiMaintenanceWindow::kAvailable ? "available" : "unavailable";
    return HttpResponse::json(200, nlohmann::json{{"id", s.action_id}, {"deployment", deployment}}.dump());
  }

  HttpResponse artifact(Controller& c, const std::string& action, const std::string& filename, const HttpRequest& request) {
    DdiControllerStatus& s = c.status;
    if (action != s.action_id) return HttpResponse::error(404, "no software module " + action);
    for (const Artifact& a : c.artifacts) {
      if (a.filename == filename) {
        if (request.method == "HEAD") {
          ++s.artifact_heads;
        } else {
          ++s.artifact_gets;
          s.artifact_ranges.push_back(request.header("range"));
        }
        if (!s.download_started_at) s.download_started_at = DdiClock::now();
        if (s.phase == DdiPhase::kOffered) s.phase = DdiPhase::kDownloading;
        return HttpResponse::send_file(a.file);
      }
      if (filename == a.filename + ".MD5SUM") return HttpResponse{200, "text/plain", a.digests.md5 + "  " + a.filename + "\n", {}, {}, {}};
    }
    return HttpResponse::error(404, "no artifact " + filename + " in software module " + action);
  }

  // Parses a feedback body: {"status": {"execution": …, "result": {"finished": …, "progress": {…}}, "details": […]}}.
  static std::string read_feedback(const std::string& body, std::string& execution, std::string& finished, int& cnt,
                                   int& of, std::vector<std::string>& details) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) return "feedback: body is not a JSON object";
    const auto status = json.find("status");
    if (status == json.end() || !status->is_object()) return "feedback: /status missing or not an object";
    const auto exec = status->find("execution");
    static const std::vector<std::string> kExecutions{"closed",   "proceeding", "canceled", "scheduled",
                                                      "rejected", "resumed",    "downloaded", "download"};
    if (exec == status->end() || !exec->is_string() ||
        std::find(kExecutions.begin(), kExecutions.end(), exec->get<std::string>()) == kExecutions.end())
      return "feedback: /status/execution must be one of closed, proceeding, canceled, scheduled, rejected, resumed, downloaded, download";
    execution = exec->get<std::string>();
    finished = "none";
    if (const auto result = status->find("result"); result != status->end() && result->is_object()) {
      if (const auto f = result->find("finished"); f != result->end()) {
        if (!f->is_string() || (*f != "success" && *f != "failure" && *f != "none"))
          return "feedback: /status/result/finished must be success, failure or none";
        finished = f->get<std::string>();
      }
      if (const auto p = result->find("progress"); p != result->end() && p->is_object()) {
        cnt = p->value("cnt", 0);
        of = p->value("of", 0);
      }
    }
    if (const auto d = status->find("details"); d != status->end() && d->is_array())
      for (const auto& line : *d) details.push_back(line.is_string() ? line.get<std::string>() : line.dump());
    return "";
  }

  HttpResponse action_feedback(Controller& c, const std::string& action, const std::string& body) {
    DdiControllerStatus& s = c.status;
    if (action != s.action_id) return HttpResponse::error(404, "no action " + action + " for this controller");
    std::string execution, finished;
    int cnt = s.progress_cnt, of = s.progress_of;
    std::vector<std::string> details;
    if (const std::string problem = read_feedback(body, execution, finished, cnt, of, details); !problem.empty())
      return HttpResponse::error(400, problem);
    if (!open_phase(s.phase)) return HttpResponse::error(410, "action " + action + " is already " + ddi_phase_name(s.phase));
    ++s.feedbacks;
    s.last_execution = execution;
    s.last_finished = finished;
    s.progress_cnt = cnt;
    s.progress_of = of;
    s.details.insert(s.details.end(), details.begin(), details.end());
    if (execution == "closed" && finished != "none") {
      s.phase = finished == "success" ? DdiPhase::kSucceeded : DdiPhase::kFailed;
      s.closed_at = DdiClock::now();
    } else if (execution == "canceled") {
      s.phase = DdiPhase::kCanceled;
      s.closed_at = DdiClock::now();
    } else if (execution == "rejected") {
      s.phase = DdiPhase::kFailed;
      s.closed_at = DdiClock::now();
    }
    return HttpResponse::json(200, "");
  }

  HttpResponse cancel_action(Controller& c, const std::string& id) {
    if (c.status.phase != DdiPhase::kCancelling || id != c.cancel_id) return HttpResponse::error(404, "no cancel action " + id);
    return HttpResponse::json(200, nlohmann::json{{"id", c.cancel_id}, {"cancelAction", {{"stopId", c.status.action_id}}}}.dump());
  }

  HttpResponse cancel_feedback(Controller& c, const std::string& id, const std::string& body) {
    DdiControllerStatus& s = c.status;
    if (id != c.cancel_id) return HttpResponse::error(404, "no cancel action " + id);
    std::string execution, finished;
    int cnt = 0, of = 0;
    std::vector<std::string> details;
    if (const std::string problem = read_feedback(body, execution, finished, cnt, of, details); !problem.empty())
      return HttpResponse::error(400, problem);
    if (s.phase != DdiPhase::kCancelling) return HttpResponse::error(410, "cancel action " + id + " is already over");
    ++s.feedbacks;
    s.last_execution = execution;
    s.last_finished = finished;
    s.details.insert(s.details.end(), details.begin(), details.end());
    if (execution == "closed" && finished == "success") {  // the cancellation is acknowledged
      s.phase = DdiPhase::kCanceled;
      s.closed_at = DdiClock::now();
    } else if (execution == "rejected" || (execution == "closed" && finished == "failure")) {
      s.phase = c.phase_before_cancel;  // the agent refused: the action goes on
    }
    return HttpResponse::json(200, "");
  }
};

DdiServer::DdiServer(DdiServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  if (impl_->options.tenant.empty() || impl_->options.tenant.find('/') != std::string::npos)
    throw std::invalid_argument("DDI tenant \"" + impl_->options.tenant + "\" must be a non-empty path segment");
  HttpServerOptions http;
  http.listen = impl_->options.listen;
  http.max_body_bytes = impl_->options.max_body_bytes;
  http.throttle_bytes_per_s = impl_->options.throttle_bytes_per_s;
  impl_->http = std::make_unique<HttpServer>(http, [this](const HttpRequest& r) { return impl_->handle(r); });
}

DdiServer::~DdiServer() { impl_->http.reset(); }  // stop the workers before the state goes

void DdiServer::add_controller(const std::string& id, const std::string& target_token) {
  if (id.empty() || id.find('/') != std::string::npos)
    throw std::invalid_argument("controller id \"" + id + "\" must be a non-empty path segment");
  if (target_token.empty() && impl_->options.gateway_token.empty() && impl_->http->beyond_loopback())
    throw std::invalid_argument("controller \"" + id + "\" has no token but the DDI server listens on " +
                                impl_->options.listen + ", beyond loopback: give the board a \"token\" in boards.json");
  std::lock_guard lock(impl_->mutex);
  if (!impl_->controllers.emplace(id, Controller{id, target_token, {}, {}, {}, {}, DdiPhase::kIdle, {}}).second)
    throw std::invalid_argument("controller \"" + id + "\" is already known");
}

std::string DdiServer::offer(const std::string& controller, const DdiDeployment& deployment) {
  std::vector<Artifact> artifacts;
  for (const auto& file : deployment.artifacts)
    artifacts.push_back({file, file.filename().string(), digest_artifact(file)});
  std::lock_guard lock(impl_->mutex);
  Controller& c = impl_->controllers.at(controller);
  if (open_phase(c.status.phase))
    throw std::logic_error("controller \"" + controller + "\" still has action " + c.status.action_id + " open");
  DdiControllerStatus fresh;
  fresh.phase = DdiPhase::kOffered;
  fresh.action_id = std::to_string(impl_->next_id++);
  fresh.polls = c.status.polls;
  fresh.unauthorized = c.status.unauthorized;
  fresh.config_data = c.status.config_data;
  fresh.last_poll_at = c.status.last_poll_at;
  fresh.transcript = std::move(c.status.transcript);
  fresh.offered_at = DdiClock::now();
  c.status = std::move(fresh);
  c.deployment = deployment;
  c.artifacts = std::move(artifacts);
  c.log("= offered action " + c.status.action_id + " (update " + ddi_handling_name(deployment.update) + ")");
  impl_->changed.notify_all();
  return c.status.action_id;
}

bool DdiServer::cancel(const std::string& controller) {
  std::lock_guard lock(impl_->mutex);
  Controller& c = impl_->controllers.at(controller);
  if (c.status.phase != DdiPhase::kOffered && c.status.phase != DdiPhase::kDownloading) return false;
  c.phase_before_cancel = c.status.phase;
  c.status.phase = DdiPhase::kCancelling;
  c.cancel_id = std::to_string(impl_->next_id++);
  c.log("= cancel action " + c.status.action_id + " (cancelAction " + c.cancel_id + ")");
  impl_->changed.notify_all();
  return true;
}

DdiControllerStatus DdiServer::status(const std::string& controller) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->controllers.at(controller).status;
}

bool DdiServer::wait_until(const std::string& controller, const std::function<bool(const DdiControllerStatus&)>& done,
                           std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  const Controller& c = impl_->controllers.at(controller);
  return impl_->changed.wait_for(lock, timeout, [&] { return done(c.status); });
}

std::uint16_t DdiServer::port() const { return impl_->http->port(); }
std::string DdiServer::base_url() const { return impl_->http->base_url(); }
const std::string& DdiServer::tenant() const { return impl_->options.tenant; }

}  // namespace fleetsim::hil
