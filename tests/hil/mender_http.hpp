// A raw HTTP/1.1 exchange over a real socket on 127.0.0.1, for tests of fleetsim's HTTP servers:
// the request bytes exactly as given (so malformed and oversized requests can be sent), the
// reply read until the server closes, a 10 s receive timeout so a hung server fails the test.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace fleetsim::testing {

struct HttpReply {
  int status = 0;  // 0: no parsable reply
  std::string head;  // status line and headers
  std::string body;
};

// The port of "http://127.0.0.1:PORT".
inline int port_of(const std::string& url) { return std::atoi(url.substr(url.rfind(':') + 1).c_str()); }

inline HttpReply http_exchange(int port, const std::string& raw_request) {
  HttpReply reply;
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string response;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    size_t sent = 0;
    while (sent < raw_request.size()) {
      const ssize_t n = send(fd, raw_request.data() + sent, raw_request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;  // the server may refuse before reading everything
      sent += static_cast<size_t>(n);
    }
    char buf[65536];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  const size_t end = response.find("\r\n\r\n");
  if (response.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) return reply;
  reply.status = std::atoi(response.c_str() + 9);
  reply.head = response.substr(0, end);
  reply.body = response.substr(end + 4);
  return reply;
}

// METHOD path with optional extra header lines ("Name: value\r\n" each) and a body.
inline HttpReply http_request(int port, const std::string& method, const std::string& path,
                              const std::string& headers = "", const std::string& body = "") {
  std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers;
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return http_exchange(port, raw + "\r\n" + body);
}

}  // namespace fleetsim::testing
