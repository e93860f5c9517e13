// The Mender device API over real sockets on 127.0.0.1 with a device played by the test: its key
// made and its requests signed by OpenSSL here (the real mender-client's requests are in
// mender_client_test.cpp). Malformed and hostile requests get 4xx and the server keeps serving.
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <memory>
#include <string>

#include "hil/mender/mender_auth.hpp"
#include "hil/mender/mender_deployment.hpp"
#include "hil/mender/mender_device_api.hpp"
#include "hil/protocol/base64.hpp"
#include "tests/cli_runner.hpp"
#include "tests/hil/mender_http.hpp"
#include "tests/hil/mender_sandbox.hpp"

using namespace fleetsim;
using namespace fleetsim::hil::mender;
using namespace fleetsim::testing;

namespace {

const std::string kNext = "/api/devices/v2/deployments/device/deployments/next";
const std::string kDeployments = "/api/devices/v1/deployments/device/deployments/";

// A device key made by OpenSSL (RSA as mender-client's default, or Ed25519) that signs like the
// client: PKCS#1 v1.5 over SHA-256 for RSA, plain Ed25519.
struct DeviceKey {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
  explicit DeviceKey(int type = EVP_PKEY_RSA) {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new_id(type, nullptr), EVP_PKEY_CTX_free);
    REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
    if (type == EVP_PKEY_RSA) REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) == 1);
    EVP_PKEY* made = nullptr;
    REQUIRE(EVP_PKEY_keygen(ctx.get(), &made) == 1);
    key.reset(made);
  }
  std::string public_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    REQUIRE(PEM_write_bio_PUBKEY(bio.get(), key.get()) == 1);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(n));
  }
  std::string sign(const std::string& body) const {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const EVP_MD* md = EVP_PKEY_id(key.get()) == EVP_PKEY_ED25519 ? nullptr : EVP_sha256();
    REQUIRE(EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.get()) == 1);
    size_t n = 0;
    REQUIRE(EVP_DigestSign(ctx.get(), nullptr, &n, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1);
    std::vector<std::uint8_t> sig(n);
    REQUIRE(EVP_DigestSign(ctx.get(), sig.data(), &n, reinterpret_cast<const unsigned char*>(body.data()), body.size()) == 1);
    sig.resize(n);
    return hil::base64_encode(sig);
  }
};

std::string auth_body(const std::string& board, const DeviceKey& key) {
  // As mender-client writes it: id_data is the identity as JSON text inside the JSON.
  return nlohmann::json{{"id_data", nlohmann::json{{"fleetsim_board", board}}.dump()},
                        {"pubkey", key.public_pem()},
                        {"tenant_token", ""}}
             .dump();
}

HttpReply authenticate(int port, const std::string& body, const std::string& signature) {
  return http_request(port, "POST", "/api/devices/v1/authentication/auth_requests",
                      "Content-Type: application/json\r\nX-MEN-Signature: " + signature + "\r\n", body);
}

std::string bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

std::string provides(const std::string& artifact, const std::string& type = "fleetsim-linux") {
  return nlohmann::json{{"device_provides", {{"artifact_name", artifact}, {"device_type", type}}},
                        {"update_control_map", true}}
      .dump();
}

std::filesystem::path write_file(const TempDir& dir, const std::string& name, const std::string& bytes) {
  std::ofstream(dir / name, std::ios::binary) << bytes;
  return dir.path / name;
}

// A server with gw-1 admitted and authenticated; its token.
struct AuthenticatedDevice {
  MenderDeviceApi api;
  int port;
  DeviceKey key;
  std::string token;
  explicit AuthenticatedDevice(MenderApiOptions options = {}) : api(std::move(options)), port(port_of(api.url())) {
    api.admit("gw-1", {{"fleetsim_board", "gw-1"}});
    const std::string body = auth_body("gw-1", key);
    const HttpReply r = authenticate(port, body, key.sign(body));
    REQUIRE(r.status == 200);
    token = r.body;
  }
};

}  // namespace

TEST_CASE("Mender auth request signatures: the body signed by its own key verifies, a changed body or another key does not",
          "[hil][mender]") {
  for (const int type : {EVP_PKEY_RSA, EVP_PKEY_ED25519}) {
    const DeviceKey key(type), other(type);
    const std::string body = auth_body("gw-1", key);
    const std::string signature = key.sign(body);
    CHECK_FALSE(auth_signature_problem(key.public_pem(), body, signature));
    std::string changed = body;
    changed[changed.find("gw-1")] = 'G';  // one byte of the identity
    CHECK(auth_signature_problem(key.public_pem(), changed, signature));
    CHECK(auth_signature_problem(other.public_pem(), body, signature));
    CHECK(auth_signature_problem(key.public_pem(), body, "not base64!"));
    CHECK(auth_signature_problem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n", body, signature));
  }
  const auto parsed = parse_auth_request(auth_body("gw-7", DeviceKey()));
  REQUIRE(parsed.ok());
  CHECK(parsed.value().identity == nlohmann::json{{"fleetsim_board", "gw-7"}});
  CHECK_FALSE(parse_auth_request(R"({"id_data": "not json", "pubkey": "x"})").ok());
  CHECK_FALSE(parse_auth_request(R"({"id_data": "{\"a\": \"b\"}"})").ok());
  CHECK_FALSE(parse_auth_request("[1, 2]").ok());
}

TEST_CASE("Mender device API: an admitted device with a good signature gets a token, anything else 401", "[hil][mender]") {
  MenderDeviceApi api(MenderApiOptions{});
  const int port = port_of(api.url());
  CHECK(api.url().rfind("http://127.0.0.1:", 0) == 0);  // loopback unless told otherwise
  api.admit("gw-1", {{"fleetsim_board", "gw-1"}});
  const DeviceKey key, other_key;
  const std::string body = auth_body("gw-1", key);

  CHECK(authenticate(port, body, other_key.sign(body)).status == 401);  // signed by another key
  CHECK(authenticate(port, auth_body("gw-9", key), key.sign(auth_body("gw-9", key))).status == 401);  // not admitted
  CHECK(http_request(port, "POST", "/api/devices/v1/authentication/auth_requests", "", body).status == 400);  // unsigned
  CHECK_FALSE(api.authenticated("gw-1"));

  const HttpReply ok = authenticate(port, body, key.sign(body));
  REQUIRE(ok.status == 200);
  CHECK(ok.body.size() == 64);  // 32 random bytes, hex
  CHECK(api.authenticated("gw-1"));
  // The token opens the device endpoints; no token or another one does not.
  CHECK(http_request(port, "POST", kNext, bearer(ok.body), provides("v1")).status == 204);
  CHECK(http_request(port, "POST", kNext, "", provides("v1")).status == 401);
  CHECK(http_request(port, "POST", kNext, bearer(std::string(64, '0')), provides("v1")).status == 401);
  // The first key is pinned: the same identity with a new key is refused until admitted again.
  const std::string rekeyed = auth_body("gw-1", other_key);
  CHECK(authenticate(port, rekeyed, other_key.sign(rekeyed)).status == 401);
  api.admit("gw-1", {{"fleetsim_board", "gw-1"}});
  CHECK(authenticate(port, rekeyed, other_key.sign(rekeyed)).status == 200);
  // Transcript lines are written as requests end, just after the reply is sent.
  CHECK(wait_until([&] { return api.unknown_transcript().find("→ 401 identity {\"fleetsim_board\":\"gw-9\"} is not admitted") !=
                                std::string::npos; },
                   std::chrono::seconds(10)));
}

TEST_CASE("Mender device API: a deployment goes next, statuses, log, success, and is gone from next", "[hil][mender]") {
  TempDir dir;
  AuthenticatedDevice device;
  const int port = device.port;
  const std::string auth = bearer(device.token);
  const auto file = write_file(dir, "r2.mender", std::string(5000, 'x'));
  const std::string id = device.api.deploy("gw-1", {file, "release-2", {"fleetsim-linux"}});
  CHECK_THROWS_AS(device.api.deploy("gw-1", {file, "release-3", {"fleetsim-linux"}}), std::invalid_argument);  // one at a time
  CHECK_THROWS_AS(device.api.deploy("gw-9", {file, "release-2", {"fleetsim-linux"}}), std::invalid_argument);

  const HttpReply next = http_request(port, "POST", kNext, auth, provides("release-1"));
  REQUIRE(next.status == 200);
  const nlohmann::json offer = nlohmann::json::parse(next.body);
  CHECK(offer["id"] == id);
  CHECK(offer["artifact"]["artifact_name"] == "release-2");
  CHECK(offer["artifact"]["device_types_compatible"] == nlohmann::json::array({"fleetsim-linux"}));
  const std::string uri = offer["artifact"]["source"]["uri"];
  CHECK(uri.rfind(device.api.url() + "/fleetsim/artifacts/", 0) == 0);
  CHECK(device.api.deployment(id)->status == DeploymentStatus::offered);

  const std::string status_path = kDeployments + id + "/status";
  const auto report = [&](const std::string& s) {
    return http_request(port, "PUT", status_path, auth, nlohmann::json{{"status", s}}.dump()).status;
  };
  CHECK(report("downloading") == 204);
  CHECK(report("downloading") == 204);  // repeated, as the client does
  CHECK(report("installing") == 204);
  CHECK(report("exploded") == 400);  // not a status
  CHECK(http_request(port, "PUT", kDeployments + "deployment-99/status", auth, R"({"status":"installing"})").status == 404);
  CHECK(http_request(port, "PUT", kDeployments + id + "/log", auth,
                     R"({"messages":[{"timestamp":"2026-12-07T07:00:00Z","level":"info","message":"ArtifactInstall ok"}]})")
            .status == 204);
  CHECK(report("success") == 204);
  CHECK(report("success") == 204);  // a retried final report
  CHECK(report("failure") == 409);  // it is over

  const MenderDeploymentView view = *device.api.deployment(id);
  CHECK(view.status == DeploymentStatus::success);
  CHECK(view.reported == std::vector<std::string>{"downloading", "installing", "success"});
  REQUIRE(view.log_messages.size() == 1);
  CHECK(view.log_messages[0]["message"] == "ArtifactInstall ok");
  CHECK(http_request(port, "POST", kNext, auth, provides("release-2")).status == 204);
  // The v1 endpoints answer too: POST with the provides at the top, GET with query parameters.
  CHECK(http_request(port, "POST", "/api/devices/v1/deployments/device/deployments/next", auth,
                     R"({"artifact_name":"release-2","device_type":"fleetsim-linux"})")
            .status == 204);
  CHECK(http_request(port, "GET", "/api/devices/v1/deployments/device/deployments/next?device_type=fleetsim-linux&artifact_name=release-2",
                     auth)
            .status == 204);
  CHECK(http_request(port, "PATCH", "/api/devices/v1/inventory/device/attributes", auth,
                     R"([{"name":"kernel","value":"6.1"},{"name":"cpu","value":["a","b"]}])")
            .status == 200);
  CHECK(device.api.inventory("gw-1")[0]["value"] == "6.1");
}

TEST_CASE("Mender device API: an incompatible device type or the artifact already installed finish a deployment without an offer",
          "[hil][mender]") {
  TempDir dir;
  AuthenticatedDevice device;
  const std::string auth = bearer(device.token);
  const auto file = write_file(dir, "r2.mender", "artifact");
  const std::string a = device.api.deploy("gw-1", {file, "release-2", {"other-board"}});
  CHECK(http_request(device.port, "POST", kNext, auth, provides("release-1")).status == 204);
  CHECK(device.api.deployment(a)->status == DeploymentStatus::no_artifact);
  const std::string b = device.api.deploy("gw-1", {file, "release-2", {"fleetsim-linux"}});
  CHECK(http_request(device.port, "POST", kNext, auth, provides("release-2")).status == 204);
  CHECK(device.api.deployment(b)->status == DeploymentStatus::already_installed);
}

TEST_CASE("Mender device API: an aborted deployment is gone from next, its reports get 409 and its link 404", "[hil][mender]") {
  TempDir dir;
  AuthenticatedDevice device;
  const std::string auth = bearer(device.token);
  const auto file = write_file(dir, "r2.mender", "artifact bytes");
  const std::string id = device.api.deploy("gw-1", {file, "release-2", {"fleetsim-linux"}});
  const HttpReply next = http_request(device.port, "POST", kNext, auth, provides("release-1"));
  REQUIRE(next.status == 200);
  const std::string uri = nlohmann::json::parse(next.body)["artifact"]["source"]["uri"];
  const std::string link = uri.substr(device.api.url().size());
  CHECK(http_request(device.port, "GET", link).status == 200);
  CHECK(device.api.abort(id));
  CHECK_FALSE(device.api.abort(id));  // already over
  CHECK(device.api.deployment(id)->status == DeploymentStatus::aborted);
  CHECK(http_request(device.port, "POST", kNext, auth, provides("release-1")).status == 204);
  CHECK(http_request(device.port, "PUT", kDeployments + id + "/status", auth, R"({"status":"downloading"})").status == 409);
  CHECK(http_request(device.port, "GET", link).status == 404);
  // A new deployment may follow the aborted one.
  CHECK_NOTHROW(device.api.deploy("gw-1", {file, "release-3", {"fleetsim-linux"}}));
}

TEST_CASE("Mender device API: the artifact download supports HEAD and Range (resume)", "[hil][mender]") {
  TempDir dir;
  AuthenticatedDevice device;
  std::string bytes;
  for (int i = 0; i < 10000; ++i) bytes += static_cast<char>('a' + i % 26);
  const auto file = write_file(dir, "r2.mender", bytes);
  device.api.deploy("gw-1", {file, "release-2", {"fleetsim-linux"}});
  const HttpReply next = http_request(device.port, "POST", kNext, bearer(device.token), provides("release-1"));
  const std::string link = std::string(nlohmann::json::parse(next.body)["artifact"]["source"]["uri"]).substr(device.api.url().size());

  const HttpReply whole = http_request(device.port, "GET", link);
  CHECK(whole.status == 200);
  CHECK(whole.body == bytes);
  const HttpReply head = http_request(device.port, "HEAD", link);
  CHECK(head.status == 200);
  CHECK(head.head.find("Content-Length: 10000") != std::string::npos);
  CHECK(head.body.empty());
  // Resuming at byte 7000: the last 3000 bytes, and Content-Range "bytes 7000-9999/10000" as
  // mender-client's update resumer parses it.
  const HttpReply rest = http_request(device.port, "GET", link, "Range: bytes=7000-\r\n");
  CHECK(rest.status == 206);
  CHECK(rest.head.find("Content-Range: bytes 7000-9999/10000") != std::string::npos);
  CHECK(rest.body == bytes.substr(7000));
  const HttpReply beyond = http_request(device.port, "GET", link, "Range: bytes=10000-\r\n");
  // The transcript says what civetweb answered.
  INFO(device.api.transcript("gw-1"));
  CHECK(wait_until([&] { return device.api.transcript("gw-1").find("Range: bytes=10000-") != std::string::npos; },
                   std::chrono::seconds(10)));
  const std::string transcript = device.api.transcript("gw-1");
  CHECK(transcript.find("GET " + link + " → 200 release-2\n") != std::string::npos);
  CHECK(transcript.find("HEAD " + link + " → 200 release-2\n") != std::string::npos);
  CHECK(transcript.find("→ 206 release-2, Range: bytes=7000-") != std::string::npos);
  CHECK(transcript.find("→ " + std::to_string(beyond.status) + " release-2, Range: bytes=10000-") != std::string::npos);
  CHECK(http_request(device.port, "GET", "/fleetsim/artifacts/0123456789abcdef").status == 404);
}

TEST_CASE("Mender device API: malformed, oversized and misdirected requests get 4xx and the server keeps serving", "[hil][mender]") {
  MenderApiOptions options;
  options.max_body_bytes = 4096;
  AuthenticatedDevice device(options);
  const int port = device.port;
  const std::string auth = bearer(device.token);
  const std::string inventory = "/api/devices/v1/inventory/device/attributes";

  CHECK(http_request(port, "PUT", inventory, auth, "{not json").status == 400);
  CHECK(http_request(port, "PUT", inventory, auth, R"([{"value": 1}])").status == 400);  // no name
  CHECK(http_request(port, "POST", kNext, auth, "[]").status == 400);
  CHECK(http_request(port, "POST", kNext, auth, R"({"device_provides": 7})").status == 400);
  CHECK(http_request(port, "PUT", kDeployments + "x/log", auth, R"({"messages": 1})").status == 404);  // no such deployment
  CHECK(http_request(port, "GET", "/api/devices/v1/nothing", auth).status == 404);
  CHECK(http_request(port, "DELETE", kNext, auth).status == 405);
  CHECK(http_request(port, "GET", "/api/devices/v1/authentication/auth_requests").status == 405);
  CHECK(authenticate(port, "{\"id_data\": 5}", "AAAA").status == 400);
  // Over the limit: announced by Content-Length (refused unread), or chunked without one.
  const std::string big(4097, ' ');
  CHECK(http_request(port, "PUT", inventory, auth, big).status == 413);
  const std::string chunked = "PUT " + inventory + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth +
                              "Transfer-Encoding: chunked\r\n\r\n1001\r\n" + big + "\r\n0\r\n\r\n";
  CHECK(http_exchange(port, chunked).status == 413);
  // A chunked body under the limit is read whole (mender-client sends its bodies chunked).
  const std::string small = R"([{"name":"os","value":"debian"}])";
  char size[16];
  std::snprintf(size, sizeof size, "%zx", small.size());
  CHECK(http_exchange(port, "PUT " + inventory + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + auth +
                                "Transfer-Encoding: chunked\r\n\r\n" + size + "\r\n" + small + "\r\n0\r\n\r\n")
            .status == 200);
  CHECK(device.api.inventory("gw-1")[0]["value"] == "debian");
  // Bytes that are not UTF-8 in a query and in JSON strings.
  CHECK(http_request(port, "GET", "/api/devices/v1/deployments/device/deployments/next?device_type=%FF%FE&artifact_name=%C0", auth)
            .status == 204);
  CHECK(http_request(port, "PUT", kDeployments + "deployment-1/status", auth, "{\"status\": \"\xff\"}").status == 404);
  CHECK(authenticate(port, "{\"id_data\": \"\xff\", \"pubkey\": \"k\"}", "AAAA").status == 400);
  // Garbage instead of HTTP: civetweb answers or closes; either way the server still serves.
  http_exchange(port, "\x01\x02 garbage\r\n\r\n");
  http_exchange(port, "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\n\r\n");
  CHECK(http_request(port, "POST", kNext, auth, provides("v1")).status == 204);
}

TEST_CASE("Mender device API refuses a listen address it cannot use, naming it", "[hil][mender]") {
  MenderDeviceApi first(MenderApiOptions{});
  MenderApiOptions taken;
  taken.listen = "127.0.0.1:" + std::to_string(port_of(first.url()));
  CHECK_THROWS_WITH(MenderDeviceApi(taken), Catch::Contains(taken.listen));
  MenderApiOptions everywhere;
  everywhere.listen = "0.0.0.0:0";
  CHECK_THROWS_WITH(MenderDeviceApi(everywhere), Catch::Contains("public URL"));
  MenderApiOptions nonsense;
  nonsense.listen = "8080";
  CHECK_THROWS_WITH(MenderDeviceApi(nonsense), Catch::Contains("HOST:PORT"));
}

TEST_CASE("Mender deployment states: in-progress reports in any order, a final one stays and may repeat, an aborted deployment refuses with 409",
          "[hil][mender]") {
  DeploymentState s;
  CHECK(s.status() == DeploymentStatus::pending);
  s.offer();
  CHECK(s.status() == DeploymentStatus::offered);
  CHECK(s.report("downloading").http_status == 204);
  CHECK(s.report("rebooting").http_status == 204);  // skipping installing is allowed
  CHECK(s.report("installing").http_status == 204);  // mender-client's commit phase after the reboot
  CHECK(s.status() == DeploymentStatus::installing);
  CHECK(s.report("offered").http_status == 400);  // server-side states cannot be reported
  CHECK(s.report("aborted").http_status == 400);
  CHECK(s.report("failure").http_status == 204);
  CHECK(s.finished());
  CHECK(s.report("failure").http_status == 204);
  CHECK(s.report("success").http_status == 409);
  CHECK_FALSE(s.abort());

  DeploymentState aborted;
  CHECK(aborted.abort());
  CHECK(aborted.report("downloading").http_status == 409);
  CHECK(to_string(DeploymentStatus::already_installed) == "already-installed");
  CHECK(parse_reported_status("already-installed") == DeploymentStatus::already_installed);
  CHECK_FALSE(parse_reported_status("noartifact"));
}
