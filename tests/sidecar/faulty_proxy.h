// A TCP proxy in front of a real sidecar that damages the answers to one path: the body is cut
// after a number of bytes, or one byte of it is flipped. Requests to other paths pass through.
// For tests of a broken transfer between real processes.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tidemark::testing {

class FaultyProxy {
 public:
  enum class Fault { kCut, kFlip };
  // Listens on a free loopback port and forwards to 127.0.0.1:`target_port`. `body_offset`: the
  // byte of the answer's body (after the head) where the fault strikes.
  FaultyProxy(int target_port, std::string path, Fault fault, size_t body_offset);
  ~FaultyProxy();
  FaultyProxy(const FaultyProxy&) = delete;
  FaultyProxy& operator=(const FaultyProxy&) = delete;

  int port() const { return port_; }
  // Requests for `path` seen so far.
  int hits() const { return hits_.load(); }

 private:
  void Serve(int client);

  int target_port_;
  std::string path_;
  Fault fault_;
  size_t offset_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> hits_{0};
  std::atomic<bool> stop_{false};
  std::thread accept_;
  std::vector<std::thread> workers_;
};

}  // namespace tidemark::testing
