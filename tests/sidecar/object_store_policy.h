// A sidecar policy file as the operator renders it (docs/policy.md) for a resource that backs up
// to an object store (s3rver in the tests: key "S3RVER"), for the tests of the real binary.
#pragma once

#include <string>

#include "tests/testing/temp_dir.h"

namespace tidemark::testing {

struct ObjectStorePolicy {
  std::string resource;
  std::string endpoint;            // "http://127.0.0.1:PORT"
  std::string prefix;              // in bucket "backups"
  std::string destinations;        // "objectStore" or "both"
  std::string encryption = "null";  // the policy's backup.objectStore.encryption, as JSON
};

// Writes the credentials and the policy into `dir`; returns the policy's path.
inline std::string WriteObjectStorePolicy(const TempDir& dir, const ObjectStorePolicy& p) {
  WriteFile(dir.File("access-key-id"), "S3RVER\n");
  WriteFile(dir.File("secret-access-key"), "S3RVER\n");
  const std::string path = dir.File(p.resource + ".policy.json");
  WriteFile(path, R"({"apiVersion": "tidemark.dev/sidecar-policy/v1",
 "resource": {"namespace": "ns", "name": ")" + p.resource + R"("}, "mode": "rdb",
 "rdb": {"fileName": "dump.rdb", "savePoints": []},
 "aof": {"enabled": false, "dirName": "appendonlydir", "rewrite": null},
 "backup": {"schedule": "0 * * * *", "retention": {"keepLast": 7, "keepDaily": 7, "keepWeekly": 4},
   "verifyAfterCopy": true, "allowEmpty": false, "destinations": ")" + p.destinations + R"(",
   "objectStore": {"endpoint": ")" + p.endpoint + R"(", "bucket": "backups",
     "prefix": ")" + p.prefix + R"(", "region": "us-east-1", "addressing": "path",
     "accessKeyIdFile": ")" + dir.File("access-key-id") + R"(",
     "secretAccessKeyFile": ")" + dir.File("secret-access-key") + R"(",
     "sessionTokenFile": null, "caBundleFile": null, "encryption": )" + p.encryption + R"(,
     "retention": {"keepLast": 3, "keepDaily": 0, "keepWeekly": 0}}},
 "restore": {"when": "auto", "source": {"type": "latest", "backupName": null, "pointInTime": null},
   "allowAofTailRepair": false}})");
  return path;
}

}  // namespace tidemark::testing
