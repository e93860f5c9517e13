#include "hil/mender/mender_device_api.hpp"

#include <civetweb.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>

#include "hil/mender/mender_auth.hpp"
#include "hil/mender/mender_transcript.hpp"

namespace fleetsim::hil::mender {

namespace {

constexpr std::string_view kApi = "/api/devices/";
constexpr std::string_view kDeployments = "v1/deployments/device/deployments/";
constexpr std::string_view kArtifacts = "/fleetsim/artifacts/";

// One thread per connection; without keep-alive a worker is free after each request, so a few
// agents polling every second and a download or two need few workers.
constexpr const char* kWorkerThreads = "16";
// Reads and writes of one request; an artifact download's chunks too, so generous for slow links.
constexpr const char* kRequestTimeoutMs = "30000";

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

// The request body, at most `limit` bytes (chunked bodies are decoded by civetweb).
std::optional<std::string> read_body(mg_connection* conn, const mg_request_info& info, std::size_t limit,
                                     Reply& refusal) {
  if (info.content_length > static_cast<long long>(limit)) {
    refusal = error_reply(413, "the body is larger than " + std::to_string(limit) + " bytes");
    return std::nullopt;
  }
  std::string body;
  char buf[8192];
  while (true) {
    const int n = mg_read(conn, buf, sizeof buf);
    if (n < 0) {
      refusal = error_reply(400, "the body could not be read");
      return std::nullopt;
    }
    if (n == 0) break;
    body.append(buf, static_cast<std::size_t>(n));
    if (body.size() > limit) {
      refusal = error_reply(413, "the body is larger than " + std::to_string(limit) + " bytes");
      return std::nullopt;
    }
  }
  return body;
}

std::string bearer_token(mg_connection* conn) {
  const char* header = mg_get_header(conn, "Authorization");
  if (!header) return "";
  const std::string_view h(header);
  return h.starts_with("Bearer ") ? std::string(h.substr(7)) : "";
}

// What the device says it runs: v2 {"device_provides": {...}}, v1 POST {...}, v1 GET ?device_type=…
nlohmann::json device_provides(const mg_request_info& info, std::string_view path, const std::string& body) {
  if (std::string_view(info.request_method) == "GET") {
    nlohmann::json provides = nlohmann::json::object();
    const char* query = info.query_string ? info.query_string : "";
    for (const char* name : {"device_type", "artifact_name"}) {
      char value[512];
      if (mg_get_var(query, std::strlen(query), name, value, sizeof value) >= 0) provides[name] = value;
    }
    return provides;
  }
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
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
  mg_context* ctx = nullptr;

  mutable std::mutex mutex;  // guards everything below
  std::map<std::string, Device> devices;
  std::map<std::string, Deployment> deployments;
  std::map<std::string, std::string> tokens;  // token → device
  std::map<std::string, std::string> links;   // link secret → deployment id
  MenderTranscript unknown;
  StatusObserver observer;
  int deployments_created = 0;

  // The transcript line of the request being served, written when civetweb ends the request
  // (end_request knows the status even of the file downloads civetweb answers itself).
  struct Pending {
    std::chrono::steady_clock::time_point started;
    std::string device;  // "" = unknown
    std::string request;
    std::string detail;
  };

  // An exception must not cross civetweb's C frames (that would end the process): 500 instead.
  static int handle(mg_connection* conn, void* self) {
    try {
      return static_cast<Impl*>(self)->serve(conn);
    } catch (const std::exception& e) {
      mg_send_http_error(conn, 500, "%s", e.what());
      return 500;
    }
  }

  static void end_request(const mg_connection* conn, int status) {
    auto* pending = static_cast<Pending*>(mg_get_user_connection_data(conn));
    if (!pending) return;
    auto* self = static_cast<Impl*>(mg_get_user_data(mg_get_context(conn)));
    {
      std::lock_guard lock(self->mutex);
      const auto it = self->devices.find(pending->device);
      (it != self->devices.end() ? it->second.transcript : self->unknown).add(pending->started, pending->request, status,
                                                                               pending->detail);
    }
    mg_set_user_connection_data(conn, nullptr);
    delete pending;
  }

  static void connection_closed(const mg_connection* conn) {  // a request that never ended
    delete static_cast<Pending*>(mg_get_user_connection_data(conn));
    mg_set_user_connection_data(conn, nullptr);
  }

  int serve(mg_connection* conn) {
    const mg_request_info& info = *mg_get_request_info(conn);
    const std::string method = info.request_method;
    const std::string uri = info.local_uri ? info.local_uri : "";
    auto* pending = new Pending{std::chrono::steady_clock::now(), "", method + " " + uri, ""};
    if (info.query_string) pending->request += std::string("?") + info.query_string;
    mg_set_user_connection_data(conn, pending);

    if (uri.starts_with(kArtifacts) && (method == "GET" || method == "HEAD")) return send_artifact(conn, uri, *pending);
    Reply reply;
    if (uri.starts_with(kApi))
      reply = api(conn, info, method, std::string_view(uri).substr(kApi.size()), *pending);
    else
      reply = error_reply(404, "no such resource");
    if (pending->detail.empty()) pending->detail = reply.detail;
    mg_response_header_start(conn, reply.status);
    if (!reply.body.empty()) mg_response_header_add(conn, "Content-Type", reply.content_type.c_str(), -1);
    mg_response_header_add(conn, "Content-Length", std::to_string(reply.body.size()).c_str(), -1);
    mg_response_header_send(conn);
    if (!reply.body.empty() && method != "HEAD") mg_write(conn, reply.body.data(), reply.body.size());
    return reply.status;
  }

  int send_artifact(mg_connection* conn, const std::string& uri, Pending& pending) {
    std::filesystem::path file;
    {
      std::lock_guard lock(mutex);
      const auto link = links.find(uri.substr(kArtifacts.size()));
      const Deployment* d = link != links.end() ? &deployments.at(link->second) : nullptr;
      if (d) pending.device = d->device;
      if (!d || d->state.status() == DeploymentStatus::aborted) {
        pending.detail = d ? "the deployment was aborted" : "no such artifact";
        mg_send_http_error(conn, 404, "%s", pending.detail.c_str());
        return 404;
      }
      file = d->artifact.file;
      pending.detail = d->artifact.artifact_name;
    }
    const char* range = mg_get_header(conn, "Range");
    if (range) pending.detail += std::string(", Range: ") + range;
    // civetweb's static file sender: Content-Length, HEAD, and Range → 206 with Content-Range.
    mg_send_mime_file2(conn, file.c_str(), "application/octet-stream", nullptr);
    // civetweb does not tell the status it sent, and takes the handler's return as the status
    // for end_request (the transcript): the one its range parser gives (tests compare the two).
    // civetweb 1.15 answers even a range past the end with 206 and no bytes.
    if (!std::filesystem::is_regular_file(file)) return 404;
    long long first = -1, last = -1;
    return range && std::sscanf(range, "bytes=%lld-%lld", &first, &last) >= 1 && first >= 0 ? 206 : 200;
  }

  Reply api(mg_connection* conn, const mg_request_info& info, const std::string& method, std::string_view path,
            Pending& pending) {
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

    Reply refusal;
    std::string body;
    if (method != "GET") {
      auto read = read_body(conn, info, options.max_body_bytes, refusal);
      if (!read) return refusal;
      body = std::move(*read);
    }
    if (auth) return authenticate(conn, body, pending);

    std::unique_lock lock(mutex);
    const auto token = tokens.find(bearer_token(conn));
    if (token == tokens.end()) return error_reply(401, "no valid token: authenticate first");
    Device& device = devices.at(token->second);
    pending.device = token->second;

    if (inventory) {
      const nlohmann::json attributes = nlohmann::json::parse(body, nullptr, false);
      const bool valid = attributes.is_array() && std::all_of(attributes.begin(), attributes.end(), [](const auto& a) {
                           return a.is_object() && a.contains("name") && a["name"].is_string() && a.contains("value");
                         });
      if (!valid) return error_reply(400, "expected a JSON array of {\"name\": string, \"value\": …}");
      device.inventory = attributes;
      return {200, "", "", std::to_string(attributes.size()) + " attributes"};
    }
    if (next_v1 || next_v2) {
      const nlohmann::json provides = device_provides(info, path, body);
      if (!provides.is_object()) return error_reply(400, "expected the device's provides as a JSON object");
      device.provides = provides;
      return next(device, provides);
    }

    const auto found = deployments.find(deployment_id);
    if (found == deployments.end() || found->second.device != pending.device)
      return error_reply(404, "no deployment " + deployment_id + " for this device");
    const nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
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

  Reply authenticate(mg_connection* conn, const std::string& body, Pending& pending) {
    const auto request = parse_auth_request(body);
    if (!request) return error_reply(400, request.error());
    const char* signature = mg_get_header(conn, "X-MEN-Signature");
    if (!signature) return error_reply(400, "the X-MEN-Signature header is missing");
    if (const auto problem = auth_signature_problem(request.value().pubkey_pem, body, signature))
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
  mg_init_library(0);
  const char* civetweb_options[] = {"listening_ports", listen.c_str(), "num_threads", kWorkerThreads,
                                    "request_timeout_ms", kRequestTimeoutMs, "enable_keep_alive", "no",
                                    "max_request_size", "16384", nullptr};
  mg_callbacks callbacks{};
  callbacks.end_request = &Impl::end_request;
  callbacks.connection_closed = &Impl::connection_closed;
  mg_init_data init{&callbacks, impl_.get(), civetweb_options};
  char error_text[256] = "";
  mg_error_data error{nullptr, error_text, sizeof error_text};
  impl_->ctx = mg_start2(&init, &error);
  if (!impl_->ctx) {
    mg_exit_library();
    throw std::runtime_error("Mender device API: cannot listen on " + listen + ": " +
                             (error_text[0] ? error_text : "civetweb failed to start") +
                             " (choose a free port; port 0 picks one)");
  }
  mg_set_request_handler(impl_->ctx, "/", &Impl::handle, impl_.get());
  mg_server_port port{};
  mg_get_server_ports(impl_->ctx, 1, &port);
  impl_->url = impl_->options.public_url.empty() ? "http://" + host + ":" + std::to_string(port.port)
                                                 : impl_->options.public_url;
  while (impl_->url.ends_with('/')) impl_->url.pop_back();
}

MenderDeviceApi::~MenderDeviceApi() {
  mg_stop(impl_->ctx);
  mg_exit_library();
}

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
