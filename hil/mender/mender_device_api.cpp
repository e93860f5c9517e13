#include "hil/mender/mender_device_api.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include "hil/agent/http_server.hpp"
#include "hil/mender/mender_auth.hpp"
#include "hil/mender/mender_transcript.hpp"

namespace fleetsim::hil::mender {

namespace {

constexpr std::string_view kApi = "/api/devices/";
constexpr std::string_view kDeployments = "v1/deployments/device/deployments/";
constexpr std::string_view kArtifacts = "/fleetsim/artifacts/";

// Without keep-alive a worker is free after each request, so a few agents polling every second and
// a download or two need few workers.
constexpr int kWorkerThreads = 16;
// Reads and writes of one request; an artifact download's chunks too, so generous for slow links.
constexpr int kRequestTimeoutMs = 30'000;

struct Device {
  nlohmann::json identity;
  std::string pinned_key;  // the PEM of the first accepted auth request
  std::string token;
  nlohmann::json inventory;
  nlohmann::json provides;  // what the device said it runs at its last `next`
  std::string deployment;  // the latest deployment's id
  MenderTranscript transcript;
};

struct Deployment {
  std::string id, device;
  MenderArtifact artifact;
  DeploymentState state;
  std::string link;  // the secret part of the artifact URL
  std::vector<std::string> reported;
  nlohmann::json log = nlohmann::json::array();
};

// What the handler answers, and what the transcript says about it.
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::string detail;
};

Reply error_reply(int status, const std::string& message) {
  return {status, nlohmann::json{{"error", message}}.dump(), "application/json", message};
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed: no secure random numbers for tokens");
  std::string out;
  char two[3];
  for (unsigned char b : raw) {
    std::snprintf(two, sizeof two, "%02x", b);
    out += two;
  }
  return out;
}

std::string bearer_token(const HttpRequest& request) {
  const std::string h = request.header("authorization");
  return h.starts_with("Bearer ") ? h.substr(7) : "";
}

// What the device says it runs: v2 {"device_provides": {...}}, v1 POST {...}, v1 GET ?device_type=…
nlohmann::json device_provides(const HttpRequest& request, std::string_view path) {
  if (request.method == "GET") {
    nlohmann::json provides = nlohmann::json::object();
    for (const char* name : {"device_type", "artifact_name"})
      if (const auto value = request.query_value(name)) provides[name] = *value;
    return provides;
  }
  nlohmann::json doc = nlohmann::json::parse(request.body, nullptr, false);
  if (!doc.is_object()) return nullptr;
  if (path.starts_with("v2/")) {
    const auto it = doc.find("device_provides");
    return (it != doc.end() && it->is_object()) ? *it : nlohmann::json(nullptr);
  }
  return doc;
}

}  // namespace

struct MenderDeviceApi::Impl {
  MenderApiOptions options;
  std::string url;

  mutable std::mutex mutex;  // guards everything below
  std::map<std::string, Device> devices;
  std::map<std::string, Deployment> deployments;
  std::map<std::string, std::string> tokens;  // token → device
  std::map<std::string, std::string> links;   // link secret → deployment id
  MenderTranscript unknown;
  StatusObserver observer;
  int deployments_created = 0;
  std::unique_ptr<HttpServer> http;

  // What the transcript says about the request being served.
  struct Pending {
    std::string device;  // "" = unknown
    std::string detail;
  };

  HttpResponse handle(const HttpRequest& request) {
    const auto started = std::chrono::steady_clock::now();
    Pending pending;
    HttpResponse response;
    if (request.path.starts_with(kArtifacts) && (request.method == "GET" || request.method == "HEAD")) {
      response = artifact(request, pending);
    } else {
      const Reply reply = request.path.starts_with(kApi)
                              ? api(request, std::string_view(request.path).substr(kApi.size()), pending)
                              : error_reply(404, "no such resource");
      if (pending.detail.empty()) pending.detail = reply.detail;
      response = HttpResponse::json(reply.status, reply.body);
      if (!reply.content_type.empty()) response.content_type = reply.content_type;
    }
    // The line is written once the status is known (for a download, the one civetweb chose).
    std::string line = request.method + " " + request.path + (request.query.empty() ? "" : "?" + request.query);
    response.on_sent = [this, started, line = std::move(line), pending = std::move(pending)](int status) {
      std::lock_guard lock(mutex);
      const auto it = devices.find(pending.device);
      (it != devices.end() ? it->second.transcript : unknown).add(started, line, status, pending.detail);
    };
    return response;
  }

  HttpResponse artifact(const HttpRequest& request, Pending& pending) {
    std::lock_guard lock(mutex);
    const auto link = links.find(request.path.substr(kArtifacts.size()));
    const Deployment* d = link != links.end() ? &deployments.at(link->second) : nullptr;
    if (d) pending.device = d->device;
    if (!d || d->state.status() == DeploymentStatus::aborted) {
      pending.detail = d ? "the deployment was aborted" : "no such artifact";
      return HttpResponse::error(404, pending.detail);
    }
    pending.detail = d->artifact.artifact_name;
    if (const std::string range = request.header("range"); !range.empty()) pending.detail += ", Range: " + range;
    return HttpResponse::send_file(d->artifact.file);  // civetweb: Content-Length, HEAD, Range → 206
  }

  Reply api(const HttpRequest& request, std::string_view path, Pending& pending) {
    const std::string& method = request.method;
    const bool next_v2 = path == "v2/deployments/device/deployments/next";
    const bool next_v1 = path == "v1/deployments/device/deployments/next";
    const bool auth = path == "v1/authentication/auth_requests";
    const bool inventory = path == "v1/inventory/device/attributes";
    std::string deployment_id, action;
    if (path.starts_with(kDeployments) && !next_v1) {
      const std::string_view rest = path.substr(kDeployments.size());
      const size_t slash = rest.find('/');
      if (slash != std::string_view::npos && slash > 0) {
        deployment_id = rest.substr(0, slash);
        action = rest.substr(slash + 1);
      }
    }
    const bool status = action == "status", log = action == "log";
    if (!next_v2 && !next_v1 && !auth && !inventory && !status && !log) return error_reply(404, "no such resource");
    const bool allowed = (auth && method == "POST") || (inventory && (method == "PUT" || method == "PATCH")) ||
                         (next_v2 && method == "POST") || (next_v1 && (method == "POST" || method == "GET")) ||
                         ((status || log) && method == "PUT");
    if (!allowed) return error_reply(405, "method " + method + " not allowed here");

    if (auth) return authenticate(request, pending);

    std::unique_lock lock(mutex);
    const auto token = tokens.find(bearer_token(request));
    if (token == tokens.end()) return error_reply(401, "no valid token: authenticate first");
    Device& device = devices.at(token->second);
    pending.device = token->second;

    if (inventory) {
      const nlohmann::json attributes = nlohmann::json::parse(request.body, nullptr, false);
      const bool valid = attributes.is_array() && std::all_of(attributes.begin(), attributes.end(), [](const auto& a) {
                           return a.is_object() && a.contains("name") && a["name"].is_string() && a.contains("value");
                         });
      if (!valid) return error_reply(400, "expected a JSON array of {\"name\": string, \"value\": …}");
      device.inventory = attributes;
      return {200, "", "", std::to_string(attributes.size()) + " attributes"};
    }
    if (next_v1 || next_v2) {
      const nlohmann::json provides = device_provides(request, path);
      if (!provides.is_object()) return error_reply(400, "expected the device's provides as a JSON object");
      device.provides = provides;
      return next(device, provides);
    }

    const auto found = deployments.find(deployment_id);
    if (found == deployments.end() || found->second.device != pending.device)
      return error_reply(404, "no deployment " + deployment_id + " for this device");
    const nlohmann::json doc = nlohmann::json::parse(request.body, nullptr, false);
    if (log) {
      if (!doc.is_object() || !doc.contains("messages") || !doc["messages"].is_array())
        return error_reply(400, "expected {\"messages\": [...]}");
      for (const auto& m : doc["messages"]) found->second.log.push_back(m);
      return {204, "", "", std::to_string(doc["messages"].size()) + " log messages"};
    }
    if (!doc.is_object() || !doc.contains("status") || !doc["status"].is_string())
      return error_reply(400, "expected {\"status\": string}");
    const std::string reported = doc["status"].get<std::string>();
    if (StatusObserver notify = observer) {  // outside the lock: the observer may abort()
      lock.unlock();
      notify(pending.device, deployment_id, reported);
      lock.lock();
    }
    Deployment& d = deployments.at(deployment_id);
    const StatusReportOutcome outcome = d.state.report(reported);
    if (outcome.http_status != 204) return error_reply(outcome.http_status, reported + " refused: " + outcome.refusal);
    if (d.reported.empty() || d.reported.back() != reported) d.reported.push_back(reported);  // the client repeats some
    return {204, "", "", reported};
  }

  Reply authenticate(const HttpRequest& http, Pending& pending) {
    const auto request = parse_auth_request(http.body);
    if (!request) return error_reply(400, request.error());
    const std::string signature = http.header("x-men-signature");
    if (signature.empty()) return error_reply(400, "the X-MEN-Signature header is missing");
    if (const auto problem = auth_signature_problem(request.value().pubkey_pem, http.body, signature))
      return error_reply(401, *problem);
    std::lock_guard lock(mutex);
    const AuthRequest& r = request.value();
    const auto device = std::find_if(devices.begin(), devices.end(), [&](const auto& d) { return d.second.identity == r.identity; });
    if (device == devices.end()) return error_reply(401, "identity " + r.identity.dump() + " is not admitted");
    pending.device = device->first;
    if (!options.tenant_token.empty() && r.tenant_token != options.tenant_token)
      return error_reply(401, "wrong tenant token");
    Device& d = device->second;
    if (!d.pinned_key.empty() && d.pinned_key != r.pubkey_pem)
      return error_reply(401, "a different key than the device's first (admit the device again to accept a new key)");
    d.pinned_key = r.pubkey_pem;
    if (!d.token.empty()) tokens.erase(d.token);
    d.token = random_hex(32);
    tokens[d.token] = device->first;
    return {200, d.token, "application/jwt", "token issued"};
  }

  // `next` under the lock: the device's unfinished deployment, decided first if still pending.
  Reply next(Device& device, const nlohmann::json& provides) {
    const auto found = deployments.find(device.deployment);
    if (found == deployments.end() || found->second.state.finished()) return {204, "", "", "no deployment"};
    Deployment& d = found->second;
    const std::string type = provides.value("device_type", ""), installed = provides.value("artifact_name", "");
    if (d.state.status() == DeploymentStatus::pending) {
      const auto& types = d.artifact.device_types;
      if (std::find(types.begin(), types.end(), type) == types.end()) {
        d.state.decide(DeploymentStatus::no_artifact);
        return {204, "", "", d.id + " noartifact: device type \"" + type + "\" is not compatible"};
      }
      if (installed == d.artifact.artifact_name) {
        d.state.decide(DeploymentStatus::already_installed);
        return {204, "", "", d.id + " already-installed"};
      }
    }
    d.state.offer();
    const nlohmann::json reply{
        {"id", d.id},
        {"artifact",
         {{"id", d.id},
          {"artifact_name", d.artifact.artifact_name},
          {"device_types_compatible", d.artifact.device_types},
          {"source", {{"uri", url + std::string(kArtifacts) + d.link}}}}}};
    return {200, reply.dump(), "application/json", d.id + " " + d.artifact.artifact_name};
  }
};

MenderDeviceApi::MenderDeviceApi(MenderApiOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  const std::string& listen = impl_->options.listen;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw std::runtime_error("Mender device API: listen address \"" + listen + "\" is not HOST:PORT (e.g. 127.0.0.1:0)");
  const std::string host = listen.substr(0, colon);
  if (impl_->options.public_url.empty() && (host == "0.0.0.0" || host == "[::]"))
    throw std::runtime_error("Mender device API: listening on " + listen +
                             " needs a public URL (the address the boards reach this machine at)");
  HttpServerOptions http;
  http.listen = listen;
  http.max_body_bytes = impl_->options.max_body_bytes;
  http.worker_threads = kWorkerThreads;
  http.request_timeout_ms = kRequestTimeoutMs;
  http.keep_alive = false;
  try {
    impl_->http = std::make_unique<HttpServer>(http, [impl = impl_.get()](const HttpRequest& r) { return impl->handle(r); });
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("Mender device API: ") + e.what() + " (choose a free port; port 0 picks one)");
  }
  impl_->url = impl_->options.public_url.empty() ? impl_->http->base_url() : impl_->options.public_url;
  while (impl_->url.ends_with('/')) impl_->url.pop_back();
}

// The server stops first: no worker thread calls into the state while it is destroyed.
MenderDeviceApi::~MenderDeviceApi() { impl_->http.reset(); }

const std::string& MenderDeviceApi::url() const { return impl_->url; }

void MenderDeviceApi::admit(const std::string& device, const nlohmann::json& identity) {
  if (!identity.is_object() || identity.empty())
    throw std::invalid_argument("device " + device + ": the identity must be a non-empty JSON object");
  std::lock_guard lock(impl_->mutex);
  Device& d = impl_->devices[device];
  d.identity = identity;
  d.pinned_key.clear();
  if (!d.token.empty()) impl_->tokens.erase(d.token);
  d.token.clear();
}

std::string MenderDeviceApi::deploy(const std::string& device, const MenderArtifact& artifact) {
  if (!std::ifstream(artifact.file, std::ios::binary))
    throw std::invalid_argument("artifact " + artifact.file.string() + " cannot be read");
  if (artifact.artifact_name.empty() || artifact.device_types.empty())
    throw std::invalid_argument("artifact " + artifact.file.string() + ": artifact_name and device_types are required");
  std::lock_guard lock(impl_->mutex);
  const auto d = impl_->devices.find(device);
  if (d == impl_->devices.end()) throw std::invalid_argument("device " + device + " is not admitted");
  if (const auto running = impl_->deployments.find(d->second.deployment);
      running != impl_->deployments.end() && !running->second.state.finished())
    throw std::invalid_argument("device " + device + " still runs deployment " + running->first);
  Deployment deployment;
  deployment.id = "deployment-" + std::to_string(++impl_->deployments_created);
  deployment.device = device;
  deployment.artifact = artifact;
  deployment.link = random_hex(16);
  impl_->links[deployment.link] = deployment.id;
  d->second.deployment = deployment.id;
  const std::string id = deployment.id;
  impl_->deployments.emplace(id, std::move(deployment));
  return id;
}

bool MenderDeviceApi::abort(const std::string& deployment_id) {
  std::lock_guard lock(impl_->mutex);
  const auto d = impl_->deployments.find(deployment_id);
  return d != impl_->deployments.end() && d->second.state.abort();
}

void MenderDeviceApi::on_status_report(StatusObserver observer) {
  std::lock_guard lock(impl_->mutex);
  impl_->observer = std::move(observer);
}

std::optional<MenderDeploymentView> MenderDeviceApi::deployment(const std::string& deployment_id) const {
  std::lock_guard lock(impl_->mutex);
  const auto d = impl_->deployments.find(deployment_id);
  if (d == impl_->deployments.end()) return std::nullopt;
  return MenderDeploymentView{d->second.id, d->second.device, d->second.state.status(), d->second.reported, d->second.log};
}

bool MenderDeviceApi::authenticated(const std::string& device) const {
  std::lock_guard lock(impl_->mutex);
  const auto d = impl_->devices.find(device);
  return d != impl_->devices.end() && !d->second.token.empty();
}

nlohmann::json MenderDeviceApi::inventory(const std::string& device) const {
  std::lock_guard lock(impl_->mutex);
  const auto d = impl_->devices.find(device);
  return d != impl_->devices.end() ? d->second.inventory : nlohmann::json(nullptr);
}

nlohmann::json MenderDeviceApi::provides(const std::string& device) const {
  std::lock_guard lock(impl_->mutex);
  const auto d = impl_->devices.find(device);
  return d != impl_->devices.end() ? d->second.provides : nlohmann::json(nullptr);
}

std::string MenderDeviceApi::transcript(const std::string& device) const {
  std::lock_guard lock(impl_->mutex);
  const auto d = impl_->devices.find(device);
  return d != impl_->devices.end() ? d->second.transcript.text() : "";
}

std::string MenderDeviceApi::unknown_transcript() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->unknown.text();
}

}  // namespace fleetsim::hil::mender
