// fleetsim as a Mender server for real mender-client 3.4 agents: the device-facing subset of the
// Mender API the client calls (paths and verbs from mendersoftware/mender 3.4.0, client/*.go),
// served by hil/agent's HttpServer (civetweb) on 127.0.0.1 unless told otherwise.
//
//   POST      /api/devices/v1/authentication/auth_requests       signed request → token (200) | 401
//   PUT|PATCH /api/devices/v1/inventory/device/attributes         [{name, value}] → 200
//   POST      /api/devices/v2/deployments/device/deployments/next (and v1 POST, v1 GET ?device_type=…)
//                                                                 → 200 {id, artifact{…, source.uri}} | 204
//   PUT       /api/devices/v1/deployments/device/deployments/{id}/status  {status} → 204 | 400 | 409 aborted
//   PUT       /api/devices/v1/deployments/device/deployments/{id}/log     {messages: […]} → 204
//   GET|HEAD  /fleetsim/artifacts/{link}                          the artifact file, Range supported
//
// Devices are admitted by identity (the attributes the client's identity script prints); an
// unknown identity, a bad signature or a second key for an admitted device gets 401 and is
// recorded, never admitted. The first accepted key is pinned until the device is admitted again.
// Every other device request needs the token (Authorization: Bearer); artifact links carry an
// unguessable secret instead, as the presigned links of a real Mender server do. Bodies over
// max_body_bytes get 413 (from HttpServer, before any device is known), malformed ones 400; every
// other request of a device lands in its transcript.
// Thread-safe: civetweb serves requests on its worker threads.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hil/mender/mender_deployment.hpp"

namespace fleetsim::hil::mender {

// A Mender artifact file (`mender-artifact write …`) and the header fields `next` announces.
struct MenderArtifact {
  std::filesystem::path file;
  std::string artifact_name;
  std::vector<std::string> device_types;  // device_types_compatible
};

struct MenderApiOptions {
  std::string listen = "127.0.0.1:0";  // HOST:PORT; port 0 picks a free port
  std::string public_url;              // how devices reach this server (artifact links); "" = http://HOST:PORT
  std::size_t max_body_bytes = 1 << 20;
  std::string tenant_token;  // when set, auth requests must carry it
};

struct MenderDeploymentView {
  std::string id;
  std::string device;
  DeploymentStatus status = DeploymentStatus::pending;
  // The statuses the device reported and fleetsim accepted, in order, repeats collapsed
  // (mender-client 3.4 reports "downloading" up to three times and "installing" twice).
  std::vector<std::string> reported;
  nlohmann::json log_messages = nlohmann::json::array();  // from PUT …/log
};

class MenderDeviceApi {
 public:
  // Called on a civetweb thread with (device, deployment id, reported status) before a status
  // report applies, outside the server's lock: it may call abort(), and the report then gets 409.
  using StatusObserver = std::function<void(const std::string&, const std::string&, const std::string&)>;

  // Listens at once; throws std::runtime_error naming the address when it cannot.
  explicit MenderDeviceApi(MenderApiOptions options);
  ~MenderDeviceApi();
  MenderDeviceApi(const MenderDeviceApi&) = delete;
  MenderDeviceApi& operator=(const MenderDeviceApi&) = delete;

  // "http://127.0.0.1:PORT": the ServerURL for mender.conf.
  const std::string& url() const;

  // The device named `device` authenticates with these identity attributes (a JSON object of
  // strings, e.g. {"fleetsim_board": "gw-1"}); admitting it again forgets its pinned key.
  void admit(const std::string& device, const nlohmann::json& identity);
  // A new deployment of `artifact` to an admitted device whose last deployment is finished; its
  // id. Throws std::invalid_argument (unknown device, one still running, unreadable file).
  std::string deploy(const std::string& device, const MenderArtifact& artifact);
  // The rollout aborts the deployment: gone from `next`, status reports get 409, its artifact
  // link 404. False if it is unknown or already finished.
  bool abort(const std::string& deployment_id);
  void on_status_report(StatusObserver observer);

  std::optional<MenderDeploymentView> deployment(const std::string& deployment_id) const;
  bool authenticated(const std::string& device) const;  // holds a token
  nlohmann::json inventory(const std::string& device) const;  // the last attributes sent, null before
  // What the device said it runs at its last `next` ({"artifact_name", "device_type", …}), null before.
  nlohmann::json provides(const std::string& device) const;
  std::string transcript(const std::string& device) const;
  // Requests that no admitted device made (unknown identities, bad signatures, bad tokens).
  std::string unknown_transcript() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fleetsim::hil::mender
