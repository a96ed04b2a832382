#include "core/backup/lineage.h"

#include <algorithm>

namespace tidemark::backup {

LineageMatch MatchLineage(const Lineage& self, const std::vector<std::string>& accepted,
                          const Lineage& backup) {
  if (self.instance.empty() || backup.instance.empty()) return LineageMatch::kUnrecorded;
  if (backup.instance == self.instance) {
    if (self.uid.empty() || backup.uid.empty() || backup.uid == self.uid)
      return LineageMatch::kSame;
    return LineageMatch::kSameNameOtherUid;
  }
  if (std::find(accepted.begin(), accepted.end(), backup.instance) != accepted.end())
    return LineageMatch::kAccepted;
  return LineageMatch::kOther;
}

const char* LineageMatchName(LineageMatch m) {
  switch (m) {
    case LineageMatch::kSame: return "same";
    case LineageMatch::kSameNameOtherUid: return "same-name-other-uid";
    case LineageMatch::kUnrecorded: return "unrecorded";
    case LineageMatch::kAccepted: return "accepted";
    case LineageMatch::kOther: return "other";
  }
  return "?";
}

}  // namespace tidemark::backup
