// A small HTTP/1.1 server for the device-facing update APIs (hawkBit DDI, Mender): civetweb parses
// the requests and serves artifact files (HEAD, Range, ETag); one handler answers every request
// on civetweb's worker threads, so it must be thread-safe. Bound to 127.0.0.1 unless told
// otherwise; request bodies above a limit are refused with 413 before they are read (the handler
// never sees those). A response's on_sent learns the status that was really sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace fleetsim::hil {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", ...
  std::string path;    // URL-decoded, without the query
  std::string query;   // after '?', as sent
  std::map<std::string, std::string> headers;  // names lowercase
  std::string body;

  // The header's value, or "" when absent; `name` lowercase.
  std::string header(const std::string& name) const;
  // The URL-decoded value of `name` in the query, nullopt when absent.
  std::optional<std::string> query_value(const std::string& name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, civetweb sends this file instead of `body` (HEAD, Range and ETag handled by it).
  std::filesystem::path file;
  // Called once the response went out, with the status civetweb sent: `status`, or for a file the
  // one civetweb chose (200, 206 for a Range, 404 when the file is gone). Transcripts use it, as
  // the handler cannot know a file's status. Runs on the worker thread, outside the handler.
  std::function<void(int status)> on_sent;

  static HttpResponse json(int status, std::string body);
  // {"error": message} with `status`.
  static HttpResponse error(int status, const std::string& message);
  static HttpResponse send_file(std::filesystem::path file);
};

struct HttpServerOptions {
  // "HOST:PORT"; port 0 picks a free port (see HttpServer::port()).
  std::string listen = "127.0.0.1:0";
  std::size_t max_body_bytes = 64 * 1024;
  int worker_threads = 16;
  int request_timeout_ms = 10'000;
  std::size_t throttle_bytes_per_s = 0;  // per connection (civetweb's `throttle`), 0 = unlimited
  // Without keep-alive a worker is free after each request (agents that poll hold no worker).
  bool keep_alive = true;
};

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Throws std::runtime_error naming the address and the reason when it cannot listen.
  HttpServer(HttpServerOptions options, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  // "http://HOST:PORT", the address agents are given.
  std::string base_url() const;
  // True when the listening address is not a loopback address (then the APIs require tokens).
  bool beyond_loopback() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace fleetsim::hil
