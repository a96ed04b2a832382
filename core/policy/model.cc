#include "core/policy/model.h"

namespace tidemark::policy {

std::string_view ModeName(Mode mode) {
  switch (mode) {
    case Mode::kRdb:
      return "rdb";
    case Mode::kAof:
      return "aof";
    case Mode::kHybrid:
      return "hybrid";
    case Mode::kNone:
      return "none";
  }
  return "?";
}

std::string_view FsyncName(Fsync fsync) {
  switch (fsync) {
    case Fsync::kAlways:
      return "always";
    case Fsync::kEverysec:
      return "everysec";
    case Fsync::kNo:
      return "no";
  }
  return "?";
}

std::string_view RestoreWhenName(RestoreWhen when) {
  return when == RestoreWhen::kAuto ? "auto" : "never";
}

std::string_view DrillWhatName(DrillWhat what) {
  return what == DrillWhat::kNewest ? "newest" : "everyNew";
}

std::string_view RestoreSourceTypeName(RestoreSourceType type) {
  switch (type) {
    case RestoreSourceType::kLatest:
      return "latest";
    case RestoreSourceType::kBackup:
      return "backup";
    case RestoreSourceType::kPointInTime:
      return "pointInTime";
  }
  return "?";
}

std::string_view BackupDestinationsName(BackupDestinations d) {
  switch (d) {
    case BackupDestinations::kLocal:
      return "local";
    case BackupDestinations::kObjectStore:
      return "objectStore";
    case BackupDestinations::kBoth:
      return "both";
  }
  return "?";
}

std::string_view AddressingName(Addressing a) { return a == Addressing::kPath ? "path" : "virtual"; }

}  // namespace tidemark::policy
