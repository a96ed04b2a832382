#include "sidecar/replica_guard.h"

#include "core/backup/utc_time.h"

namespace tidemark::sidecar {

namespace {

const char* StateName(int s) {
  static const char* const kNames[] = {"unknown", "following", "held", "unmanaged"};
  return kNames[s];
}

}  // namespace

Result<bool> ReplicaGuard::PointAt(RedisClient& redis, const std::string& host, int port) {
  auto r = redis.Command({"REPLICAOF", host, std::to_string(port)});
  if (!r) return std::unexpected(r.error());
  if (r->type != RedisReply::Type::kError) return true;
  // Refused, not a broken connection: the next step tries again.
  log_.Warn("REPLICAOF refused", {LogField::Str("to", host + ":" + std::to_string(port)),
                                  LogField::Str("error", r->str)});
  return false;
}

void ReplicaGuard::Report(State state, std::string reason) {
  if (state != state_) since_unix_ = clock_.NowUnix();
  state_ = state;
  reason_ = std::move(reason);
}

backup::HoldbackVerdict ReplicaGuard::JudgePod0(const ReplicationState& own) {
  next_check_ms_ = clock_.NowMillis() + options_.check_interval_ms;
  auto primary = FetchPeerReplication(options_.primary_peer,
                                      PeerCallOptions{options_.token, options_.timeout_ms, options_.tls});
  if (!primary) {
    primary_.reset();
    older_ = false;
    reason_ = "pod 0 cannot be judged: " + primary.error().ToString();
    return backup::HoldbackVerdict::kWait;
  }
  primary_ = *primary;
  bool recorded = false;
  auto d = backup::JudgePrimary(backup::PositionToJudge(own.Position(), recorded_, &recorded),
                                primary->Position());
  if (recorded)
    d.reason += "; this replica's Redis restarted from its AOF and no longer knows its position: "
                "judged by the one its restore step recorded";
  const bool was_older = older_;
  older_ = d.verdict == backup::HoldbackVerdict::kOlder;
  reason_ = d.reason;
  if (older_ && !was_older)
    log_.Error("replica held back: pod 0 is older than this replica; its data is kept",
               {LogField::Str("reason", d.reason)});
  return d.verdict;
}

Status ReplicaGuard::Step(RedisClient& redis, const ReplicationState& own) {
  own_ = own;
  const std::string primary_addr =
      options_.primary_host + ":" + std::to_string(options_.primary_port);
  if (!own.replica()) {
    released_ = false;
    Report(State::kUnmanaged, "this Redis is a primary: nothing to hold back");
    return {};
  }
  const bool at_placeholder =
      own.master_host == options_.placeholder_host && own.master_port == options_.placeholder_port;
  const bool at_primary =
      own.master_host == options_.primary_host && own.master_port == options_.primary_port;
  if (!at_placeholder && !at_primary) {
    released_ = false;
    Report(State::kUnmanaged, "follows " + own.master_host + ":" + std::to_string(own.master_port) +
                                  ", not pod 0 (" + primary_addr + "): left alone");
    return {};
  }
  // A loading Redis does not replicate yet, and refuses REPLICAOF: the step after its load.
  if (own.loading) return {};
  const int64_t now_ms = clock_.NowMillis();
  if (at_primary) {
    if (own.link_status == "up") {
      released_ = false;
      older_ = false;
      Report(State::kFollowing, "the link to pod 0 is up");
      return {};
    }
    if (own.keys == 0) {
      Report(State::kFollowing, "this replica holds no keys: it simply syncs from pod 0");
      return {};
    }
    if (released_) {
      // Re-pointed by this guard, the sync not done yet: keep judging pod 0 while it runs.
      if (now_ms < next_check_ms_) return {};
      if (JudgePod0(own) == backup::HoldbackVerdict::kFollow) {
        Report(State::kFollowing, "re-pointed at pod 0, waiting for the link: " + reason_);
        return {};
      }
    }
    // Hold first, judge after: pod 0 may be answering again at any moment.
    const bool was_released = released_;
    auto held = PointAt(redis, options_.placeholder_host, options_.placeholder_port);
    if (!held) return std::unexpected(held.error());
    if (!*held) return {};
    log_.Warn("replica held back: the link to pod 0 is not up; its data is kept until pod 0 is "
              "known not to be older",
              {LogField::Str("primary", primary_addr),
               LogField::Str("placeholder", options_.placeholder_host + ":" +
                                                std::to_string(options_.placeholder_port)),
               LogField::Str("replid", own.replid), LogField::Int("offset", static_cast<int64_t>(own.offset)),
               LogField::Int("keys", static_cast<int64_t>(own.keys))});
    released_ = false;
    next_check_ms_ = 0;
    Report(State::kHeld, was_released ? reason_ : "the link to pod 0 went down");
    return {};
  }
  // Held at the placeholder.
  if (state_ != State::kHeld) Report(State::kHeld, "held at the placeholder");
  if (now_ms < next_check_ms_) return {};
  if (JudgePod0(own) != backup::HoldbackVerdict::kFollow) return {};
  auto repointed = PointAt(redis, options_.primary_host, options_.primary_port);
  if (!repointed) return std::unexpected(repointed.error());
  if (!*repointed) return {};
  log_.Info("replica re-pointed at pod 0: pod 0 is not older than this replica",
            {LogField::Str("primary", primary_addr), LogField::Str("reason", reason_)});
  released_ = true;
  older_ = false;
  Report(State::kFollowing, "re-pointed at pod 0, waiting for the link: " + reason_);
  return {};
}

std::string ReplicaGuard::StatusJson() const {
  const bool held = state_ == State::kHeld;
  return std::string("{\"state\":") + JsonQuote(StateName(static_cast<int>(state_))) +
         ",\"heldBack\":" + (held ? "true" : "false") +
         ",\"primaryOlder\":" + (held && older_ ? "true" : "false") +
         ",\"reason\":" + JsonQuote(reason_) + ",\"since\":" +
         (since_unix_ > 0 ? JsonQuote(backup::FormatIsoUtc(since_unix_)) : "null") +
         ",\"replica\":" + (own_ ? RenderReplicationJson(*own_) : "null") +
         ",\"primary\":" + (primary_ ? RenderReplicationJson(*primary_) : "null") + "}";
}

}  // namespace tidemark::sidecar
