#include "hil/agent/http_server.hpp"

#include <arpa/inet.h>
#include <civetweb.h>

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

namespace fleetsim::hil {

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

// The request body, at most `limit` bytes; false when the body is larger (chunked bodies, which
// carry no Content-Length, are read up to the limit and one byte more to tell).
bool read_body(mg_connection* conn, const mg_request_info* info, std::size_t limit, std::string& body) {
  if (info->content_length > 0 && static_cast<unsigned long long>(info->content_length) > limit) return false;
  char buf[8192];
  for (;;) {
    const int n = mg_read(conn, buf, sizeof buf);
    if (n <= 0) break;
    body.append(buf, static_cast<std::size_t>(n));
    if (body.size() > limit) return false;
  }
  return true;
}

// The status civetweb 1.15's mg_send_mime_file2 sends for `file` (it does not tell, and end_request
// and the access log only see the handler's return): 404 when the file is not there, 206 when its
// range parser (sscanf "bytes=%lld-%lld", first byte >= 0) accepts the Range header — even past the
// end, where civetweb sends 206 and no bytes — else 200. Conditional requests (If-None-Match → 304)
// are not modelled: no update agent sends them. Tests compare this with what a client receives.
int file_status(const HttpRequest& request, const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return 404;
  const std::string range = request.header("range");
  long long first = -1, last = -1;
  return !range.empty() && std::sscanf(range.c_str(), "bytes=%lld-%lld", &first, &last) >= 1 && first >= 0 ? 206 : 200;
}

void send(mg_connection* conn, const HttpRequest& request, const HttpResponse& response) {
  if (!response.file.empty()) {
    std::string extra;
    for (const auto& [name, value] : response.headers) extra += name + ": " + value + "\r\n";
    mg_send_mime_file2(conn, response.file.c_str(), "application/octet-stream", extra.empty() ? nullptr : extra.c_str());
    return;
  }
  mg_response_header_start(conn, response.status);
  if (!response.body.empty() || response.status != 204) {
    mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
    mg_response_header_add(conn, "Content-Length", std::to_string(response.body.size()).c_str(), -1);
  }
  for (const auto& [name, value] : response.headers) mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  mg_response_header_send(conn);
  if (request.method != "HEAD" && !response.body.empty()) mg_write(conn, response.body.data(), response.body.size());
}

}  // namespace

std::string HttpRequest::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

std::optional<std::string> HttpRequest::query_value(const std::string& name) const {
  std::string value(query.size() + 1, '\0');  // a decoded value is never longer than the query
  const int n = mg_get_var(query.c_str(), query.size(), name.c_str(), value.data(), value.size());
  if (n < 0) return std::nullopt;
  value.resize(static_cast<std::size_t>(n));
  return value;
}

HttpResponse HttpResponse::json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse HttpResponse::error(int status, const std::string& message) {
  return json(status, nlohmann::json{{"error", message}}.dump());
}

HttpResponse HttpResponse::send_file(std::filesystem::path file) {
  HttpResponse r;
  r.file = std::move(file);
  return r;
}

struct HttpServer::Impl {
  HttpServerOptions options;
  Handler handler;
  mg_context* context = nullptr;
  std::uint16_t port = 0;
  std::string host;

  static int handle(mg_connection* conn, void* data) {
    auto* self = static_cast<Impl*>(data);
    const mg_request_info* info = mg_get_request_info(conn);
    HttpRequest request;
    request.method = info->request_method ? info->request_method : "";
    request.path = info->local_uri ? info->local_uri : "";
    request.query = info->query_string ? info->query_string : "";
    for (int i = 0; i < info->num_headers; ++i)
      request.headers[lowercase(info->http_headers[i].name)] = info->http_headers[i].value;
    HttpResponse response;
    if (!read_body(conn, info, self->options.max_body_bytes, request.body)) {
      response = HttpResponse::error(413, "request body larger than " + std::to_string(self->options.max_body_bytes) + " bytes");
      response.headers.emplace_back("Connection", "close");
    } else {
      try {
        response = self->handler(request);
      } catch (const std::exception& e) {
        response = HttpResponse::error(500, e.what());
      }
    }
    send(conn, request, response);
    const int status = response.file.empty() ? response.status : file_status(request, response.file);
    if (response.on_sent) {
      try {
        response.on_sent(status);
      } catch (const std::exception&) {  // must not cross civetweb's C frames; the response is out
      }
    }
    return status;  // civetweb's record of the request (access log, end_request)
  }

  // civetweb logs through this callback; its messages about single requests (a client that went
  // away, a malformed request it answered 400) are not the server's failures.
  static int quiet(const mg_connection*, const char*) { return 1; }
};

HttpServer::HttpServer(HttpServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
  const std::string& listen = impl_->options.listen;
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("listen address \"" + listen + "\" is not HOST:PORT (e.g. 127.0.0.1:0)");
  impl_->host = listen.substr(0, colon);
  const std::string threads = std::to_string(impl_->options.worker_threads);
  const std::string timeout = std::to_string(impl_->options.request_timeout_ms);
  const std::string throttle = "*=" + std::to_string(impl_->options.throttle_bytes_per_s);
  std::vector<const char*> civet_options{"listening_ports", listen.c_str(), "num_threads", threads.c_str(),
                                         "request_timeout_ms", timeout.c_str(), "enable_keep_alive",
                                         impl_->options.keep_alive ? "yes" : "no",
                                         "linger_timeout_ms", "0", "max_request_size", "16384"};
  if (impl_->options.throttle_bytes_per_s > 0) civet_options.insert(civet_options.end(), {"throttle", throttle.c_str()});
  civet_options.push_back(nullptr);
  mg_callbacks callbacks{};
  callbacks.log_message = &Impl::quiet;
  mg_init_library(0);
  impl_->context = mg_start(&callbacks, nullptr, civet_options.data());
  if (impl_->context == nullptr)
    throw std::runtime_error("cannot listen on " + listen + " (in use, or not an address of this machine)");
  mg_set_request_handler(impl_->context, "/", &Impl::handle, impl_.get());
  mg_server_port ports[4]{};
  if (mg_get_server_ports(impl_->context, 4, ports) >= 1) impl_->port = static_cast<std::uint16_t>(ports[0].port);
}

HttpServer::~HttpServer() {
  if (impl_->context != nullptr) mg_stop(impl_->context);
}

std::uint16_t HttpServer::port() const { return impl_->port; }

std::string HttpServer::base_url() const { return "http://" + impl_->host + ":" + std::to_string(impl_->port); }

bool HttpServer::beyond_loopback() const {
  in_addr v4{};
  if (inet_pton(AF_INET, impl_->host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) != 127;
  return impl_->host != "localhost" && impl_->host != "[::1]" && impl_->host != "::1";
}

}  // namespace fleetsim::hil
