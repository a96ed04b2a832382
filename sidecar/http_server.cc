#include "sidecar/http_server.h"

#include <cpprest/http_listener.h>

namespace tidemark::sidecar {

namespace {

namespace http = web::http;
using http::experimental::listener::http_listener;

class CpprestServer final : public HttpServer {
 public:
  CpprestServer(const std::string& url, HttpHandler& handler) : listener_(url), handler_(handler) {
    listener_.support([this](http::http_request request) {
      HttpResponse r;
      try {
        r = handler_.Handle(request.method(), request.relative_uri().path());
      } catch (const std::exception& e) {
        r = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n"};
      }
      request.reply(static_cast<http::status_code>(r.status), r.body, r.content_type)
          .then([](pplx::task<void> t) {
            try {
              t.get();
            } catch (...) {  // the client went away: nothing to do
            }
          });
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
