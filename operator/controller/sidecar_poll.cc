#include "operator/controller/sidecar_poll.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace tidemark::controller {

std::vector<Result<std::string>> PollSidecarStatus(SidecarClient& sidecars,
                                                   const std::vector<std::string>& ips,
                                                   size_t max_parallel) {
  std::vector<std::optional<Result<std::string>>> answers(ips.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < ips.size(); i = next++) answers[i] = sidecars.Status(ips[i]);
  };
  // The calling thread is one of the workers: a single pod starts no thread.
  const size_t workers = std::min(std::max<size_t>(max_parallel, 1), ips.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  std::vector<Result<std::string>> out;
  out.reserve(ips.size());
  for (auto& a : answers) out.push_back(std::move(*a));
  return out;
}

}  // namespace tidemark::controller
