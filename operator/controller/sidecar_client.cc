#include "operator/controller/sidecar_client.h"

#include <cpprest/http_client.h>

#include "operator/kube/task_deadline.h"

namespace tidemark::controller {

namespace {

using web::http::client::http_client;
using web::http::client::http_client_config;

class HttpSidecarClient final : public SidecarClient {
 public:
  HttpSidecarClient(int port, std::chrono::milliseconds timeout)
      : port_(port), timeout_(timeout) {}

  Result<std::string> Status(const std::string& pod_ip) override {
    auto answer = Call(web::http::methods::GET, pod_ip, "/v1/status");
    if (!answer) return std::unexpected(answer.error());
    if (answer->http_status != 200)
      return MakeError(ErrorCode::kIo, "answered HTTP " + std::to_string(answer->http_status), -1,
                       Url(pod_ip) + "/v1/status");
    return std::move(answer->body);
  }

  Result<SidecarAnswer> RequestBackup(const std::string& pod_ip) override {
    return Call(web::http::methods::POST, pod_ip, "/v1/backups");
  }

 private:
  std::string Url(const std::string& ip) const {
    const bool v6 = ip.find(':') != std::string::npos;
    return "http://" + (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port_);
  }

  // A client per call: no keep-alive connection to a pod that may have moved to another IP.
  Result<SidecarAnswer> Call(const web::http::method& method, const std::string& ip,
                             const std::string& path) {
    const std::string where = Url(ip) + path;
    try {
      http_client_config cfg;
      cfg.set_timeout(timeout_);
      // The continuation keeps the client alive: after a missed deadline the request is only
      // cancelled, and finishes on cpprestsdk's threads.
      auto client = std::make_shared<http_client>(Url(ip), cfg);
      pplx::cancellation_token_source cancel;
      auto task = client->request(method, path, cancel.get_token())
                      .then([client](web::http::http_response r) {
                        return r.extract_string(true).then([r](const std::string& body) {
                          return SidecarAnswer{r.status_code(), body};
                        });
                      });
      if (!kube::FinishesWithin(task, timeout_, cancel))
        return MakeError(ErrorCode::kIo,
                         "no answer within " + std::to_string(timeout_.count()) + " ms", -1, where);
      return task.get();
    } catch (const std::exception& e) {
      return MakeError(ErrorCode::kIo, e.what(), -1, where);
    }
  }

  int port_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::unique_ptr<SidecarClient> MakeHttpSidecarClient(int port, std::chrono::milliseconds timeout) {
  return std::make_unique<HttpSidecarClient>(port, timeout);
}

}  // namespace tidemark::controller
