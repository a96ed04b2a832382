#include "tests/sidecar/replica_set.h"

#include <sys/stat.h>

#include <cstdlib>

#include "tests/sidecar/sidecar_runner.h"

namespace tidemark::testing {

ReplicaSet::ReplicaSet(const std::string& root, int replicas)
    : port_(FreePort()), primary_dir_(root + "/primary") {
  ::mkdir(primary_dir_.c_str(), 0755);
  primary_.emplace(primary_dir_, PrimaryConfig());
  for (int i = 0; i < replicas; ++i) {
    std::string dir = root + "/replica-" + std::to_string(i);
    ::mkdir(dir.c_str(), 0755);
    replicas_.push_back(std::make_unique<RedisServer>(
        dir, std::vector<std::string>{"replicaof 127.0.0.1 " + std::to_string(port_)}));
  }
  WaitSynced();
}

std::vector<std::string> ReplicaSet::PrimaryConfig() const {
  return {"port " + std::to_string(port_), "bind 127.0.0.1"};
}

void ReplicaSet::StartPrimary(std::vector<std::string> extra_config) {
  auto config = PrimaryConfig();
  config.insert(config.end(), extra_config.begin(), extra_config.end());
  primary_.emplace(primary_dir_, config);
}

void ReplicaSet::StartReplica(int i, std::vector<std::string> config) {
  auto& slot = replicas_.at(static_cast<size_t>(i));
  const std::string dir = slot->dir();
  slot.reset();
  slot = std::make_unique<RedisServer>(dir, std::move(config));
}

void ReplicaSet::Detach(int i) {
  // Port 1 on loopback: refused at once, so the replica keeps retrying and keeps its data.
  replica(i).Cli({"REPLICAOF", "127.0.0.1", "1"});
}

void ReplicaSet::Reattach(int i) {
  replica(i).Cli({"REPLICAOF", "127.0.0.1", std::to_string(port_)});
}

bool ReplicaSet::WaitSynced(int ms) {
  return WaitFor(
      [&] {
        if (!primary_) return false;
        const std::string offset = InfoField(*primary_, "replication", "master_repl_offset");
        for (auto& r : replicas_) {
          if (InfoField(*r, "replication", "master_link_status") != "up") return false;
          if (InfoField(*r, "replication", "master_repl_offset") != offset) return false;
        }
        return true;
      },
      ms, 20);
}

std::string InfoField(const RedisServer& redis, const std::string& section, const std::string& key) {
  const std::string info = redis.Cli({"INFO", section});
  const std::string needle = key + ":";
  size_t at = info.find("\n" + needle);
  if (at == std::string::npos) {
    if (!info.starts_with(needle)) return "";
    at = 0;
  } else {
    at += 1;
  }
  size_t end = info.find_first_of("\r\n", at);
  return info.substr(at + needle.size(), end == std::string::npos ? std::string::npos
                                                                  : end - at - needle.size());
}

uint64_t KeyCount(const RedisServer& redis) {
  return std::strtoull(redis.Cli({"DBSIZE"}).c_str(), nullptr, 10);
}

}  // namespace tidemark::testing
