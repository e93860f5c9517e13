// The HTTP scaffolding the agent-facing servers share (hil/agent/http_server): a real civetweb
// server on 127.0.0.1 with a free port, raw-socket requests.
#include "hil/agent/http_server.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <vector>
#include <string>

#include "tests/hil/agent/http_exchange.hpp"

using namespace fleetsim;
using namespace fleetsim::hil;
using namespace fleetsim::testing;

TEST_CASE("Agent HTTP server: port 0 picks a free port and the handler sees method, path, query, headers, body") {
  HttpRequest seen;
  HttpServer server({}, [&](const HttpRequest& r) {
    seen = r;
    return HttpResponse::json(201, R"({"ok":true})");
  });
  REQUIRE(server.port() != 0);
  CHECK(server.base_url() == "http://127.0.0.1:" + std::to_string(server.port()));
  CHECK_FALSE(server.beyond_loopback());
  HttpReply reply = http_exchange(server.port(), "POST", "/t/a%20b?c=1", {{"X-Token", "abc"}}, "hello");
  CHECK(reply.status == 201);
  CHECK(reply.body == R"({"ok":true})");
  CHECK(seen.method == "POST");
  CHECK(seen.path == "/t/a b");  // URL-decoded
  CHECK(seen.query == "c=1");
  CHECK(seen.header("x-token") == "abc");
  CHECK(seen.body == "hello");
}

TEST_CASE("Agent HTTP server: a body over the limit is refused with 413 and never reaches the handler") {
  HttpServerOptions options;
  options.max_body_bytes = 100;
  int calls = 0;
  HttpServer server(options, [&](const HttpRequest&) {
    ++calls;
    return HttpResponse::json(200, "{}");
  });
  CHECK(http_exchange(server.port(), "POST", "/x", {}, std::string(101, 'a')).status == 413);
  CHECK(calls == 0);
  CHECK(http_exchange(server.port(), "POST", "/x", {}, std::string(100, 'a')).status == 200);
  CHECK(calls == 1);
}

TEST_CASE("Agent HTTP server: files are served with HEAD and Range") {
  const auto dir = std::filesystem::temp_directory_path() / ("fleetsim-http-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "a.bin";
  std::string content;
  for (int i = 0; i < 1000; ++i) content += char('a' + i % 26);
  std::ofstream(file, std::ios::binary) << content;
  HttpServer server({}, [&](const HttpRequest&) { return HttpResponse::send_file(file); });

  HttpReply head = http_exchange(server.port(), "HEAD", "/f");
  CHECK(head.status == 200);
  CHECK(head.headers["content-length"] == "1000");
  CHECK(head.body.empty());

  HttpReply whole = http_exchange(server.port(), "GET", "/f");
  CHECK(whole.status == 200);
  CHECK(whole.body == content);

  // bytes=600- is the last 400 bytes: offsets 600..999 (RFC 9110 §14.1.2).
  HttpReply tail = http_exchange(server.port(), "GET", "/f", {{"Range", "bytes=600-"}});
  CHECK(tail.status == 206);
  CHECK(tail.headers["content-range"] == "bytes 600-999/1000");
  CHECK(tail.body == content.substr(600));
  std::filesystem::remove_all(dir);
}

TEST_CASE("Agent HTTP server: a busy port is a clear error") {
  HttpServer first({}, [](const HttpRequest&) { return HttpResponse::json(200, "{}"); });
  HttpServerOptions options;
  options.listen = "127.0.0.1:" + std::to_string(first.port());
  CHECK_THROWS_WITH(HttpServer(options, [](const HttpRequest&) { return HttpResponse::json(200, "{}"); }),
                    Catch::Contains("cannot listen on 127.0.0.1:" + std::to_string(first.port())));
}

TEST_CASE("Agent HTTP server: on_sent gets the status the client received, for files too") {
  const auto dir = std::filesystem::temp_directory_path() / ("fleetsim-http-sent-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto file = dir / "a.bin";
  std::ofstream(file, std::ios::binary) << std::string(1000, 'x');
  std::mutex m;
  std::map<std::string, int> sent;  // request → the status on_sent was told
  HttpServer server({}, [&](const HttpRequest& r) {
    HttpResponse response = r.path == "/json" ? HttpResponse::json(202, "{}")
                            : r.path == "/gone" ? HttpResponse::send_file(dir / "missing.bin")
                                                : HttpResponse::send_file(file);
    response.on_sent = [&, key = r.method + " " + r.path + " " + r.header("range")](int status) {
      std::lock_guard lock(m);
      sent[key] = status;
    };
    return response;
  });
  // Each status as the client parsed it off the wire; on_sent must have been told the same.
  std::map<std::string, int> received;
  const auto ask = [&](const std::string& method, const std::string& path, const std::string& range) {
    const auto headers = range.empty() ? std::map<std::string, std::string>{}
                                       : std::map<std::string, std::string>{{"Range", range}};
    received[method + " " + path + " " + range] = http_exchange(server.port(), method, path, headers).status;
  };
  ask("GET", "/json", "");
  ask("GET", "/f", "");
  ask("HEAD", "/f", "");
  ask("GET", "/f", "bytes=600-");
  ask("GET", "/f", "bytes=5000-");  // past the end: whatever civetweb sends
  ask("GET", "/gone", "");
  CHECK(received["GET /json "] == 202);
  CHECK(received["GET /f "] == 200);
  CHECK(received["HEAD /f "] == 200);
  CHECK(received["GET /f bytes=600-"] == 206);
  CHECK(received["GET /gone "] == 404);
  // on_sent runs after the bytes went out: wait (bounded) for the last one.
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(m);
      if (sent.size() == received.size()) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::lock_guard lock(m);
  CHECK(sent == received);
  std::filesystem::remove_all(dir);
}

TEST_CASE("Agent HTTP server: query_value decodes a query parameter and tells an absent one") {
  HttpRequest r;
  r.query = "device_type=raspberry%20pi&empty=&artifact_name=release-2";
  CHECK(r.query_value("device_type") == "raspberry pi");
  CHECK(r.query_value("artifact_name") == "release-2");
  CHECK(r.query_value("empty") == "");
  CHECK_FALSE(r.query_value("missing").has_value());
}
