// Reading a RedisPersistence manifest (YAML or JSON text) into the typed model.
//
// The text must hold exactly one document: a RedisPersistence object as `kubectl apply` takes it.
// Scalars are read as Kubernetes reads YAML (YAML 1.1 through JSON): a bare `no`, `yes`, `on` or
// `off` is a boolean, so `fsync: no` is refused with a hint to quote it; integers must be plain
// (unquoted) numbers; quantities may be integers or strings.
//
// Parsing reports, with the field path, YAML syntax errors, fields of the wrong type, unknown
// fields (what `kubectl apply`'s strict field validation refuses) and enum values out of their
// set. It does not check values against each other or fill mode-dependent defaults: use
// LoadRedisPersistence (load.h) for the whole pipeline. `status` is accepted and ignored.
// yaml-cpp stays inside parse.cc; its exceptions never leave it. Thread-safe.
#pragma once

#include <string_view>

#include "core/policy/model.h"
#include "core/policy/problems.h"

namespace tidemark::policy {

// The resource with the fields the manifest sets; others hold the model's defaults.
Checked<RedisPersistence> ParseRedisPersistence(std::string_view text);

}  // namespace tidemark::policy
