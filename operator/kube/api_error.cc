#include "operator/kube/api_error.h"

namespace tidemark::kube {

const char* ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kUnknown:
      return "Unknown";
    case Reason::kBadRequest:
      return "BadRequest";
    case Reason::kUnauthorized:
      return "Unauthorized";
    case Reason::kForbidden:
      return "Forbidden";
    case Reason::kNotFound:
      return "NotFound";
    case Reason::kMethodNotAllowed:
      return "MethodNotAllowed";
    case Reason::kAlreadyExists:
      return "AlreadyExists";
    case Reason::kConflict:
      return "Conflict";
    case Reason::kExpired:
      return "Expired";
    case Reason::kUnsupportedMediaType:
      return "UnsupportedMediaType";
    case Reason::kInvalid:
      return "Invalid";
    case Reason::kTooManyRequests:
      return "TooManyRequests";
    case Reason::kServerError:
      return "ServerError";
    case Reason::kTimeout:
      return "Timeout";
    case Reason::kTransport:
      return "Transport";
    case Reason::kConfig:
      return "Config";
    case Reason::kInvalidName:
      return "InvalidName";
  }
  return "Unknown";
}

Reason ReasonFor(int http_status, const std::string& status_reason) {
  switch (http_status) {
    case 400:
      return Reason::kBadRequest;
    case 401:
      return Reason::kUnauthorized;
    case 403:
      return Reason::kForbidden;
    case 404:
      return Reason::kNotFound;
    case 405:
      return Reason::kMethodNotAllowed;
    case 409:
      return status_reason == "AlreadyExists" ? Reason::kAlreadyExists : Reason::kConflict;
    case 410:
      return Reason::kExpired;
    case 415:
      return Reason::kUnsupportedMediaType;
    case 422:
      return Reason::kInvalid;
    case 429:
      return Reason::kTooManyRequests;
    case 504:
      return Reason::kTimeout;
    default:
      break;
  }
  if (http_status >= 500) return Reason::kServerError;
  return Reason::kUnknown;
}

bool KubeError::IsRetryable() const {
  return reason == Reason::kTooManyRequests || reason == Reason::kServerError ||
         reason == Reason::kTimeout || reason == Reason::kTransport;
}

std::string KubeError::ToString() const {
  std::string out;
  if (!resource.empty()) out += resource + ": ";
  if (http_status != 0) out += std::to_string(http_status) + " ";
  out += status_reason.empty() ? ReasonName(reason) : status_reason;
  if (!message.empty()) out += ": " + message;
  for (const Cause& c : causes) {
    out += "; " + (c.field.empty() ? std::string() : c.field + ": ") + c.message;
  }
  return out;
}

Error KubeError::ToError() const {
  ErrorCode code = ErrorCode::kIo;
  if (reason == Reason::kNotFound) code = ErrorCode::kNotFound;
  if (reason == Reason::kInvalid || reason == Reason::kBadRequest ||
      reason == Reason::kInvalidName || reason == Reason::kConfig) {
    code = ErrorCode::kInvalidArgument;
  }
  return Error{code, resource, -1, ToString()};
}

}  // namespace tidemark::kube
