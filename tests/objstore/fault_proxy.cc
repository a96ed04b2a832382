#include "tests/objstore/fault_proxy.h"

#include <set>
#include <sstream>

namespace tidemark::testing {

FaultProxy::FaultProxy(int upstream_port, const FaultProxyOptions& options) {
  std::vector<std::string> args = {"/usr/bin/python3",
                                   std::string(TIDEMARK_SOURCE_DIR) + "/tests/objstore/fault_proxy.py",
                                   "--upstream", "127.0.0.1:" + std::to_string(upstream_port),
                                   "--faults", dir_.File("faults"), "--log", dir_.File("log")};
  if (!options.tls_cert.empty())
    args.insert(args.end(), {"--tls-cert", options.tls_cert, "--tls-key", options.tls_key});
  if (!options.s3rver_storage.empty())
    args.insert(args.end(), {"--s3rver-storage", options.s3rver_storage});
  WriteFile(dir_.File("log"), "");
  server_ = SpawnServer(args, "listening on");
}

FaultProxy::~FaultProxy() { StopServer(server_); }

void FaultProxy::SetFaults(const std::string& rules) { WriteFile(dir_.File("faults"), rules); }

std::vector<std::string> FaultProxy::Log() const {
  std::vector<std::string> lines;
  std::istringstream in(ReadFile(dir_.File("log")));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> FaultProxy::LogLinesWith(const std::string& needle) const {
  std::vector<std::string> out;
  for (auto& line : Log())
    if (line.find(needle) != std::string::npos) out.push_back(line);
  return out;
}

int FaultProxy::RequestsSeen() const {
  int n = 0;
  for (auto& line : Log())
    for (const char* method : {"GET ", "PUT ", "POST ", "DELETE ", "HEAD "})
      if (line.starts_with(method)) ++n;
  return n;
}

std::vector<std::string> FaultProxy::UploadsCreated() const {
  std::vector<std::string> ids;
  for (auto& line : LogLinesWith("upload created ")) ids.push_back(line.substr(15, line.find(' ', 15) - 15));
  return ids;
}

std::vector<std::string> FaultProxy::OpenUploads(bool unanswered) const {
  std::set<std::string> lost;
  for (auto& line : LogLinesWith(" unanswered")) lost.insert(line.substr(15, line.find(' ', 15) - 15));
  std::set<std::string> closed;
  for (auto& line : Log()) {
    std::istringstream words(line);
    std::string upload, event, id, status;
    words >> upload >> event >> id >> status;
    if (upload == "upload" && ((event == "completed" && status == "200") ||
                               (event == "aborted" && status == "204")))
      closed.insert(id);
  }
  std::vector<std::string> open;
  for (auto& id : UploadsCreated())
    if (!closed.count(id) && (lost.count(id) > 0) == unanswered) open.push_back(id);
  return open;
}

}  // namespace tidemark::testing
