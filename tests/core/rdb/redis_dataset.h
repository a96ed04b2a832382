// The dataset the RDB tests have a real Redis write: every type and encoding Redis 7.0 writes.
#pragma once

#include <map>
#include <string>

namespace tidemark::testing {

// redis-cli commands, one per line: strings (integer, short, empty, 300 KB compressible, 100 KB
// random), lists (listpack, quicklist of 40 nodes, plain nodes of 20-30 KB), sets (intset,
// listpack, 5,000-member hashtable), sorted sets (listpack; skiplist with +-inf and 1e300), hashes
// (listpack, 3,000-field hashtable), a stream with deletions, two consumer groups and pending
// entries, an emptied stream, expiries in 2100, a function library, keys in dbs 3 and 15, and
// 20,000 DEBUG POPULATE keys.
std::string AllTypesDataset();

struct SavedDataset {
  std::string path;      // the dump.rdb
  std::string digest;    // the writer's DEBUG DIGEST
  std::string keyspace;  // the writer's INFO keyspace
};

// Has a real redis-server write AllTypesDataset() three ways, in subdirectories of `dir`:
// "lzf" (rdbcompression yes), "nocompress" (no), "nochecksum" (rdbchecksum no).
std::map<std::string, SavedDataset> SaveAllTypesVariants(const std::string& dir);

}  // namespace tidemark::testing
