// Lineage: which RedisPersistence a backup belongs to. A restore installs only its own
// instance's backups: a bucket prefix or backup volume shared by mistake, or reused from another
// resource, must not put another dataset under this instance's name without a person saying so.
//
// The identity is the resource's "namespace/name"; its metadata.uid is recorded beside it but
// does not decide: a resource deleted and created again under the same name (or re-created in a
// new cluster from the same bucket, docs/disaster-recovery.md) is the same instance. Another name
// is another lineage, accepted only when listed explicitly (--accept-lineage,
// spec.restore.fromInstance). Backups written before lineage was recorded carry none: accepted
// (with a warning by the caller), as they could only have come from this store's own writers.
// Pure.
#pragma once

#include <string>
#include <vector>

namespace tidemark::backup {

struct Lineage {
  std::string instance;  // "namespace/name"; empty: unknown (not run by the operator)
  std::string uid;       // the resource's metadata.uid; may be empty
};

enum class LineageMatch {
  kSame,              // same instance and uid (or this instance's uid unknown)
  kSameNameOtherUid,  // the same namespace/name, an earlier resource of that name
  kUnrecorded,        // the backup records no lineage (older metadata), or this instance has none
  kAccepted,          // another instance, listed in `accepted`
  kOther,             // another instance: refused
};

LineageMatch MatchLineage(const Lineage& self, const std::vector<std::string>& accepted,
                          const Lineage& backup);
const char* LineageMatchName(LineageMatch match);

}  // namespace tidemark::backup
