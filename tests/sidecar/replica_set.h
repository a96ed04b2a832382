// A primary and its replicas, each a real redis-server in its own directory: the primary listens
// on a free loopback TCP port as well (replication needs TCP), the replicas `replicaof` it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/testing/redis_server.h"

namespace tidemark::testing {

class ReplicaSet {
 public:
  // Directories "<root>/primary" and "<root>/replica-<i>" (created). Waits until in sync.
  ReplicaSet(const std::string& root, int replicas);

  RedisServer& primary() { return *primary_; }
  RedisServer& replica(int i) { return *replicas_.at(static_cast<size_t>(i)); }
  int replicas() const { return static_cast<int>(replicas_.size()); }
  int primary_port() const { return port_; }
  const std::string& primary_dir() const { return primary_dir_; }

  // Stops the primary without saving (its data is whatever is in its directory).
  void StopPrimary() { primary_.reset(); }
  // Stops the primary with SIGTERM (a clean shutdown, as a pod's) or SIGKILL (a crash).
  void TerminatePrimary() { primary_->Terminate(); primary_.reset(); }
  void KillPrimary() { primary_->Kill(); primary_.reset(); }
  // Replica i likewise; StartReplica starts it again on its directory with `config` lines
  // instead of `replicaof <primary>` (e.g. the hold-back's placeholder).
  void TerminateReplica(int i) { replica(i).Terminate(); }
  void StartReplica(int i, std::vector<std::string> config);
  // Starts the primary again on the same port over whatever its directory holds.
  void StartPrimary(std::vector<std::string> extra_config = {});
  // Cuts replica i off its primary without making it a primary: REPLICAOF towards a port where
  // nothing listens keeps it a read-only replica holding its data and offset.
  void Detach(int i);
  void Reattach(int i);
  // Until every replica's link is up and its offset equals the primary's; false after `ms`.
  bool WaitSynced(int ms = 10000);

 private:
  std::vector<std::string> PrimaryConfig() const;

  int port_ = 0;
  std::string primary_dir_;
  std::optional<RedisServer> primary_;
  std::vector<std::unique_ptr<RedisServer>> replicas_;
};

// One field of INFO <section> ("" when absent).
std::string InfoField(const RedisServer& redis, const std::string& section, const std::string& key);
uint64_t KeyCount(const RedisServer& redis);

}  // namespace tidemark::testing
