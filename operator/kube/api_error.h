// Errors of the Kubernetes API client, typed by what the caller must do about them.
//
// An API server answers a failure with a `Status` object (reason, message, details.causes); a
// KubeError keeps those and names the resource ("statefulsets.apps rec/a-redis"). The reason says
// what to do next:
//   kConflict        409 on a stale resourceVersion or an apply conflict: re-read and retry.
//   kAlreadyExists   409 on create: the object is there; read it.
//   kExpired         410, or a watch ERROR event with code 410: the resourceVersion is too old;
//                    LIST again.
//   kTooManyRequests / kServerError / kTimeout / kTransport: retried by the client (bounded);
//                    surfaced when the retries are used up.
//   kInvalid, kBadRequest, kForbidden, kUnauthorized, kNotFound: the caller's request is wrong or
//                    not allowed; retrying the same request will not help.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "core/base/error.h"

namespace tidemark::kube {

enum class Reason {
  kUnknown,
  kBadRequest,            // 400
  kUnauthorized,          // 401
  kForbidden,             // 403
  kNotFound,              // 404
  kMethodNotAllowed,      // 405
  kAlreadyExists,         // 409 reason AlreadyExists
  kConflict,              // 409 reason Conflict (stale resourceVersion, field manager conflict)
  kExpired,               // 410 Gone / Expired
  kUnsupportedMediaType,  // 415
  kInvalid,               // 422
  kTooManyRequests,       // 429
  kServerError,           // 5xx
  kTimeout,               // the request's deadline passed (504 or the client's own timeout)
  kTransport,             // no HTTP answer: connection refused or reset, TLS failure
  kConfig,                // the client configuration is unusable (kubeconfig, CA, token file)
  kInvalidName,           // a name or namespace that is not DNS-1123: refused before sending
};

const char* ReasonName(Reason reason);

// One entry of Status.details.causes.
struct Cause {
  std::string reason;  // "FieldValueInvalid", "FieldManagerConflict", ...
  std::string message;
  std::string field;  // "spec.replicas", ".spec.fsync"
};

struct KubeError {
  Reason reason = Reason::kUnknown;
  int http_status = 0;        // 0 when no HTTP answer came
  std::string status_reason;  // Status.reason as sent ("Conflict", "Expired", ...)
  std::string message;        // Status.message, or what went wrong locally
  std::string resource;       // "statefulsets.apps rec/a-redis", "configmaps rec"
  std::vector<Cause> causes;
  int retry_after_seconds = -1;  // Retry-After header, -1 when absent

  bool IsConflict() const { return reason == Reason::kConflict; }
  bool IsNotFound() const { return reason == Reason::kNotFound; }
  bool IsAlreadyExists() const { return reason == Reason::kAlreadyExists; }
  bool IsExpired() const { return reason == Reason::kExpired; }
  // 429, 5xx, timeouts and transport failures: worth another try after a pause.
  bool IsRetryable() const;

  // "statefulsets.apps rec/a-redis: 409 Conflict: the object has been modified; ..."
  std::string ToString() const;
  // The project-wide vocabulary, for layers that do not care about the HTTP details.
  Error ToError() const;
};

template <class T>
using KubeResult = std::expected<T, KubeError>;
using KubeStatus = std::expected<void, KubeError>;

inline std::unexpected<KubeError> MakeKubeError(Reason reason, std::string message,
                                                std::string resource = {}) {
  KubeError e;
  e.reason = reason;
  e.message = std::move(message);
  e.resource = std::move(resource);
  return std::unexpected<KubeError>(std::move(e));
}

// The typed reason for an HTTP status and the Status.reason string that came with it.
Reason ReasonFor(int http_status, const std::string& status_reason);

}  // namespace tidemark::kube
