// Leader election with a coordination.k8s.io/v1 Lease, with client-go's rules:
//  - a candidate takes the Lease when it does not exist, when its holderIdentity is empty
//    (released), or when the holder has not renewed it for leaseDurationSeconds as observed on
//    this process's own monotonic clock (no trust in other machines' clocks: the time starts when
//    this process first sees the current record);
//  - every write is an update with the resourceVersion read just before (optimistic
//    concurrency): of two candidates, one gets 409 and stays a follower;
//  - the leader renews every retry period; when it cannot renew within the renew deadline it
//    has lost the Lease and must stop working (the caller exits);
//  - on shutdown the leader releases the Lease (holderIdentity "", leaseDurationSeconds 1) so a
//    follower takes over at once instead of after a lease duration.
// Not thread-safe: one thread runs Acquire, then Renew, then Release.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "operator/controller/log.h"
#include "operator/kube/client.h"

namespace tidemark::controller {

struct LeaseOptions {
  std::string namespace_;
  std::string name = "tidemark-operator-leader";
  std::string identity;  // unique per process: the pod name plus a random part
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
};

class LeaderElector {
 public:
  LeaderElector(kube::KubeClient& client, LeaseOptions options, Logger& log)
      : client_(client), options_(std::move(options)), log_(log) {}

  // Tries every retry period until the Lease is ours (true) or `stop` is set (false).
  bool Acquire(const std::atomic<bool>& stop);
  // Renews until `stop` is set (true) or the renew deadline passes without a renewal (false:
  // leadership lost).
  bool Renew(const std::atomic<bool>& stop);
  // Gives the Lease up if this process holds it. Best effort.
  void Release();
  // Whether this process may still act as the leader: its last successful acquire or renew was
  // started less than the renew deadline ago, on the monotonic clock (which runs on while the
  // process is stopped, e.g. SIGSTOP or a frozen VM). A follower takes the Lease only after a
  // whole lease duration without a renewal, so the worker asks this before every write: a
  // leader resumed after its successor took over stops before acting, instead of writing
  // from a stale cache until the elector thread notices. Thread-safe.
  bool Leading() const;

 private:
  using Clock = std::chrono::steady_clock;
  // One attempt: true when this process holds the Lease afterwards.
  bool TryAcquireOrRenew();
  void Sleep(const std::atomic<bool>& stop, std::chrono::milliseconds duration);

  kube::KubeClient& client_;
  LeaseOptions options_;
  Logger& log_;
  std::string observed_record_;  // holderIdentity + renewTime as last seen
  Clock::time_point observed_at_{};
  std::string acquire_time_;
  bool leading_ = false;
  std::atomic<int64_t> leading_until_ns_{0};  // steady clock; 0: not leading
};

}  // namespace tidemark::controller
