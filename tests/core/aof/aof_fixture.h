// Helpers for AOF integration tests: AOF directories written by a real redis-server, the
// tidemark CLI and redis-check-aof run on them, and loading a directory back into a server.
#pragma once

#include <string>
#include <vector>

#include "core/aof/aof_verifier.h"
#include "tests/testing/redis_server.h"
#include "tests/testing/temp_dir.h"

namespace tidemark::aoftest {

struct AofConfig {
  bool preamble = true;
  bool timestamps = false;
};

// Redis config lines for an AOF-enabled server.
std::vector<std::string> AofServerConfig(const AofConfig& c);

// Fills `dir` (a data dir) with an AOF written by a real server: a mixed dataset, a rewrite,
// then more writes (MULTI/EXEC, SELECT, expiries) into the incremental file. Returns the
// server's DEBUG DIGEST before it stopped.
std::string WriteAofDataset(const std::string& dir, const AofConfig& c);

std::string AofDir(const std::string& data_dir);       // data_dir + "/appendonlydir"
std::string ManifestPath(const std::string& data_dir);  // .../appendonly.aof.manifest
std::string LastIncrPath(const std::string& data_dir);  // from the manifest

// Recursive copy of a data dir (without the server's socket, log and config).
void CopyDataDir(const std::string& from, const std::string& to);

// Runs the tidemark CLI / redis-check-aof with a shell argument string; returns the exit code.
int Tidemark(const std::string& args, std::string* out = nullptr);
int CheckAof(const std::string& args, std::string* out = nullptr);
// The last "ok_up_to=N" that redis-check-aof printed, -1 if none.
long long CheckAofOkUpTo(const std::string& output);

// Verifies in process, as the CLI does.
aof::AofReport VerifyDataDir(const std::string& data_dir, const aof::AofVerifyOptions& o = {});

// Starts a server with appendonly on `data_dir` (on a copy: loading may modify files), returns
// its DEBUG DIGEST. Throws std::runtime_error if the server refuses to start.
std::string LoadDigest(const std::string& data_dir, const AofConfig& c = {});

std::string ShellQuote(const std::string& s);

}  // namespace tidemark::aoftest
