#include "sidecar/http_server.h"

#include <cpprest/http_listener.h>
#include <cpprest/producerconsumerstream.h>

#include <cctype>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace tidemark::sidecar {

namespace {

namespace http = web::http;
using http::experimental::listener::http_listener;

// How far a streamed body may run ahead of the client before the producer waits.
constexpr size_t kStreamBufferBytes = 4 << 20;

HttpRequest ToRequest(const http::http_request& r) {
  HttpRequest out;
  out.method = r.method();
  out.path = r.relative_uri().path();
  for (const auto& [name, value] : r.headers()) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[lower] = value;
  }
  return out;
}

void Forget(pplx::task<void> t) {
  t.then([](pplx::task<void> done) {
    try {
      done.get();
    } catch (...) {  // the client went away: nothing to do
    }
  });
}

// Sends r.stream's bytes through a bounded producer/consumer buffer on this thread.
void ReplyStreaming(http::http_request& request, const HttpResponse& r) {
  concurrency::streams::producer_consumer_buffer<uint8_t> buf;
  http::http_response response(static_cast<http::status_code>(r.status));
  for (const auto& [name, value] : r.headers) response.headers().add(name, value);
  if (r.stream_length)
    response.set_body(buf.create_istream(), *r.stream_length, r.content_type);
  else
    response.set_body(buf.create_istream(), r.content_type);  // chunked
  auto sent = request.reply(response);
  auto sink = [&](std::span<const uint8_t> chunk) -> Status {
    while (buf.in_avail() > kStreamBufferBytes) {
      if (sent.is_done()) return MakeError(ErrorCode::kIo, "the client went away");
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (sent.is_done()) return MakeError(ErrorCode::kIo, "the client went away");
    if (buf.putn_nocopy(chunk.data(), chunk.size()).get() != chunk.size())
      return MakeError(ErrorCode::kIo, "the response buffer refused bytes");
    return {};
  };
  // The producer logs its own failure; the client must not see a complete body then.
  if (auto done = r.stream(sink); !done)
    buf.close(std::ios_base::out, std::make_exception_ptr(std::runtime_error(done.error().ToString())))
        .wait();
  else
    buf.close(std::ios_base::out).wait();
  Forget(sent);
}

class CpprestServer final : public HttpServer {
 public:
  CpprestServer(const std::string& url, HttpHandler& handler) : listener_(url), handler_(handler) {
    listener_.support([this](http::http_request request) {
      HttpResponse r;
      try {
        r = handler_.Handle(ToRequest(request));
        if (r.stream) {
          ReplyStreaming(request, r);
          return;
        }
      } catch (const std::exception& e) {
        r = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
      }
      http::http_response response(static_cast<http::status_code>(r.status));
      for (const auto& [name, value] : r.headers) response.headers().add(name, value);
      response.set_body(r.body, r.content_type);
      Forget(request.reply(response));
    });
  }
  ~CpprestServer() override {
    try {
      listener_.close().wait();
    } catch (...) {  // closing during shutdown: nothing useful to report
    }
  }
  void Open() { listener_.open().wait(); }

 private:
  http_listener listener_;
  HttpHandler& handler_;
};

}  // namespace

Result<std::unique_ptr<HttpServer>> HttpServer::Start(const std::string& host_port,
                                                      HttpHandler& handler) {
  // cpprestsdk reports bind failures and bad URIs by throwing: converted here.
  try {
    auto server = std::make_unique<CpprestServer>("http://" + host_port, handler);
    server->Open();
    return std::unique_ptr<HttpServer>(std::move(server));
  } catch (const std::exception& e) {
    return MakeError(ErrorCode::kIo, std::string("cannot listen: ") + e.what(), -1, host_port);
  }
}

}  // namespace tidemark::sidecar
