#include "operator/controller/leader.h"

#include <thread>

#include "operator/controller/utc_now.h"
#include "operator/reconcile/json.h"

namespace tidemark::controller {

namespace {

using reconcile::Json;

}  // namespace

void LeaderElector::Sleep(const std::atomic<bool>& stop, std::chrono::milliseconds duration) {
  auto until = Clock::now() + duration;
  while (!stop.load() && Clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

bool LeaderElector::Leading() const {
  const int64_t until = leading_until_ns_.load();
  return until != 0 && Clock::now().time_since_epoch().count() < until;
}

bool LeaderElector::TryAcquireOrRenew() {
  // Taken before the request: a follower's lease-duration wait starts after it reads the record
  // this request writes, so it cannot start earlier than now.
  const auto attempt_start = Clock::now();
  auto held = [&] {
    leading_until_ns_ = std::chrono::duration_cast<Clock::duration>(
                            (attempt_start + options_.renew_deadline).time_since_epoch())
                            .count();
    return true;
  };
  const auto& leases = kube::resources::Leases();
  const int64_t duration_s =
      std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(
                               options_.lease_duration + std::chrono::milliseconds(999))
                               .count());
  const std::string now = MicroTimeNow();
  auto current = client_.Get(leases, options_.namespace_, options_.name);
  if (!current) {
    if (!current.error().IsNotFound()) {
      log_.Warn("reading the lease failed", options_.namespace_ + "/" + options_.name,
                {{"error", current.error().ToString()}});
      return false;
    }
    Json lease = reconcile::Obj({
        {"apiVersion", reconcile::Str("coordination.k8s.io/v1")},
        {"kind", reconcile::Str("Lease")},
        {"metadata", reconcile::Obj({{"name", reconcile::Str(options_.name)},
                                     {"namespace", reconcile::Str(options_.namespace_)}})},
        {"spec", reconcile::Obj({{"holderIdentity", reconcile::Str(options_.identity)},
                                 {"leaseDurationSeconds", Json::number(duration_s)},
                                 {"acquireTime", reconcile::Str(now)},
                                 {"renewTime", reconcile::Str(now)},
                                 {"leaseTransitions", Json::number(0)}})},
    });
    auto made = client_.Create(leases, options_.namespace_, lease.serialize());
    if (!made) return false;  // another candidate created it first
    acquire_time_ = now;
    observed_record_ = options_.identity + " " + now;
    observed_at_ = Clock::now();
    return held();
  }
  auto parsed = reconcile::ParseJson(current->json, options_.name);
  if (!parsed) return false;
  Json lease = *parsed;
  const Json* spec = reconcile::Find(lease, "spec");
  std::string holder, renew_time;
  int64_t transitions = 0;
  if (spec != nullptr) {
    holder = reconcile::GetString(*spec, "holderIdentity").value_or("");
    renew_time = reconcile::GetString(*spec, "renewTime").value_or("");
    transitions = reconcile::GetInt(*spec, "leaseTransitions").value_or(0);
  }
  std::string record = holder + " " + renew_time;
  if (record != observed_record_) {
    observed_record_ = record;
    observed_at_ = Clock::now();
  }
  const bool mine = holder == options_.identity;
  if (!mine && !holder.empty() && Clock::now() < observed_at_ + options_.lease_duration) {
    return false;  // held and renewed recently
  }
  if (!mine) {
    acquire_time_ = now;
    ++transitions;
  }
  Json new_spec = reconcile::Obj({{"holderIdentity", reconcile::Str(options_.identity)},
                                  {"leaseDurationSeconds", Json::number(duration_s)},
                                  {"acquireTime", reconcile::Str(acquire_time_)},
                                  {"renewTime", reconcile::Str(now)},
                                  {"leaseTransitions", Json::number(transitions)}});
  reconcile::Set(lease, "spec", new_spec);
  auto updated = client_.Update(leases, options_.namespace_, options_.name, lease.serialize());
  if (!updated) {
    if (!updated.error().IsConflict()) {
      log_.Warn("updating the lease failed", options_.namespace_ + "/" + options_.name,
                {{"error", updated.error().ToString()}});
    }
    return false;
  }
  observed_record_ = options_.identity + " " + now;
  observed_at_ = Clock::now();
  return held();
}

bool LeaderElector::Acquire(const std::atomic<bool>& stop) {
  log_.Info("waiting for the lease", options_.namespace_ + "/" + options_.name,
            {{"identity", options_.identity}});
  while (!stop.load()) {
    if (TryAcquireOrRenew()) {
      leading_ = true;
      log_.Info("acquired the lease", options_.namespace_ + "/" + options_.name,
                {{"identity", options_.identity}});
      return true;
    }
    Sleep(stop, options_.retry_period);
  }
  return false;
}

bool LeaderElector::Renew(const std::atomic<bool>& stop) {
  auto last_renewal = Clock::now();
  while (!stop.load()) {
    Sleep(stop, options_.retry_period);
    if (stop.load()) break;
    if (TryAcquireOrRenew()) {
      last_renewal = Clock::now();
    } else if (Clock::now() - last_renewal > options_.renew_deadline) {
      leading_ = false;
      leading_until_ns_ = 0;
      log_.Error("lost the lease: no renewal within the renew deadline",
                 options_.namespace_ + "/" + options_.name, {{"identity", options_.identity}});
      return false;
    }
  }
  return true;
}

void LeaderElector::Release() {
  if (!leading_) return;
  leading_ = false;
  leading_until_ns_ = 0;
  const auto& leases = kube::resources::Leases();
  auto current = client_.Get(leases, options_.namespace_, options_.name);
  if (!current) return;
  auto lease = reconcile::ParseJson(current->json, options_.name);
  if (!lease) return;
  const Json* spec = reconcile::Find(*lease, "spec");
  if (spec == nullptr || reconcile::GetString(*spec, "holderIdentity") != options_.identity) return;
  Json new_spec = *spec;
  reconcile::Set(new_spec, "holderIdentity", reconcile::Str(""));
  reconcile::Set(new_spec, "leaseDurationSeconds", Json::number(1));
  reconcile::Set(new_spec, "renewTime", reconcile::Str(MicroTimeNow()));
  reconcile::Set(*lease, "spec", new_spec);
  auto updated = client_.Update(leases, options_.namespace_, options_.name, lease->serialize());
  if (updated) {
    log_.Info("released the lease", options_.namespace_ + "/" + options_.name);
  } else {
    log_.Warn("releasing the lease failed", options_.namespace_ + "/" + options_.name,
              {{"error", updated.error().ToString()}});
  }
}

}  // namespace tidemark::controller
