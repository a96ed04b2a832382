// Validation of a parsed, defaulted RedisPersistence (see load.h for the whole pipeline).
//
// Every problem is reported as `<field path>: <what it must be>`, for example
//   spec.aof.fsync: must be one of always, everysec, no
//   spec.backup.schedule: hour: 24 is out of range 0-23
//   spec.aof.rdbPreamble: must be true when mode is hybrid
// The rules are the CRD's (crds/tidemark.dev_redispersistences.yaml): its OpenAPI schema checks
// single fields and its CEL rules (x-kubernetes-validations) the constraints across fields, with
// the same messages as here. A few checks the CRD cannot express are made here only: backwards
// cron ranges, byte quantities that are not whole bytes or are zero, metadata.name's length.
// docs/policy.md lists every rule. Pure, thread-safe.
#pragma once

#include "core/policy/model.h"
#include "core/policy/problems.h"

namespace tidemark::policy {

// Every problem found, in field order; empty when the resource is valid.
Problems Validate(const RedisPersistence& resource);
Problems ValidateSpec(const RedisPersistenceSpec& spec);

// Limits the CRD also declares.
inline constexpr size_t kMaxSavePoints = 16;
inline constexpr size_t kMaxNameLength = 52;  // StatefulSet pod names must stay within 63

}  // namespace tidemark::policy
